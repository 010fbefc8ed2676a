package digest

import (
	"fmt"
	"strings"
)

// A Challenge is a Digest challenge: the value of a WWW-Authenticate or
// Proxy-Authenticate header field (RFC 7616 §3.3).
type Challenge struct {
	// Realm is the protection space, shown to users and part of HA1.
	Realm string
	// Domain lists the URIs of the protection space, if the server said.
	Domain []string
	// Nonce is the server nonce.
	Nonce string
	// Opaque is returned unchanged in the credentials. Empty means absent.
	Opaque string
	// Stale reports that the previous request's nonce had expired but its
	// digest was right: answer again with the same password.
	Stale bool
	// Algorithm is the hash algorithm. Empty means absent, that is MD5.
	Algorithm Algorithm
	// QOP lists the qualities of protection offered, lowercased. Empty means
	// that the server offered none (RFC 2069 computation).
	QOP []QOP
	// Charset is "UTF-8" when the server says that it expects UTF-8
	// usernames and passwords (the only value RFC 7616 allows), else as
	// received or empty.
	Charset string
	// Userhash reports that the server supports hashed usernames; a Client
	// then sends H(username:realm) instead of the username.
	Userhash bool
	// Params holds the parameters not listed above, in order.
	Params []Param
}

// challengeParams are the parameter names a Challenge has fields for.
var challengeParams = [...]string{"realm", "domain", "nonce", "opaque", "stale", "algorithm", "qop", "charset", "userhash"}

// knownName returns the lowercase name if name is in table, else "".
func knownName(table []string, name string) string {
	for _, k := range table {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}

// ParseChallenge parses the value of a WWW-Authenticate or
// Proxy-Authenticate header field. The scheme must be Digest (in any case);
// realm and nonce are required. A value using another scheme gives an error
// wrapping ErrScheme; a malformed one an error wrapping ErrSyntax.
func ParseChallenge(value string) (Challenge, error) {
	var ch Challenge
	params, err := parseAuth(value)
	if err != nil {
		return ch, err
	}
	var seen [len(challengeParams)]bool
	for _, p := range params {
		name := knownName(challengeParams[:], p.name)
		if name == "" {
			ch.Params = append(ch.Params, unknownParam(p))
			continue
		}
		for k, n := range challengeParams {
			if n == name {
				if seen[k] {
					return Challenge{}, paramError(p, "given twice")
				}
				seen[k] = true
			}
		}
		switch name {
		case "realm":
			ch.Realm = p.value
		case "domain":
			if d := strings.Fields(p.value); len(d) > 0 {
				ch.Domain = d
			}
		case "nonce":
			ch.Nonce = p.value
		case "opaque":
			ch.Opaque = p.value
		case "stale":
			// RFC 7616 §3.3: anything other than "true" means false.
			ch.Stale = strings.EqualFold(p.value, "true")
		case "algorithm":
			ch.Algorithm = canonicalAlgorithm(p.value)
		case "qop":
			for q := range strings.SplitSeq(p.value, ",") {
				if q = strings.Trim(q, " \t"); q != "" {
					ch.QOP = append(ch.QOP, QOP(asciiLower(q)))
				}
			}
		case "charset":
			ch.Charset = p.value
			if strings.EqualFold(p.value, "UTF-8") {
				ch.Charset = "UTF-8"
			}
		case "userhash":
			ch.Userhash = strings.EqualFold(p.value, "true")
		}
	}
	if !seen[0] {
		return Challenge{}, fmt.Errorf("%w: parameter \"realm\" is missing", ErrSyntax)
	}
	if !seen[2] {
		return Challenge{}, fmt.Errorf("%w: parameter \"nonce\" is missing", ErrSyntax)
	}
	return ch, nil
}

// String returns the challenge in canonical wire form: realm, domain, nonce
// and opaque quoted, stale, algorithm and charset bare, qop as a quoted
// comma-separated list, then the other parameters. Absent and false fields
// are left out, as are Params whose name is not a token or names a field of
// Challenge. Values are escaped as needed, and CR and LF are replaced by
// spaces, so the result is always one valid header value.
func (ch Challenge) String() string {
	var b strings.Builder
	b.Grow(64 + len(ch.Realm) + len(ch.Nonce) + len(ch.Opaque))
	b.WriteString("Digest ")
	writeParam(&b, "realm", ch.Realm, true)
	if len(ch.Domain) > 0 {
		writeParam(&b, "domain", strings.Join(ch.Domain, " "), true)
	}
	writeParam(&b, "nonce", ch.Nonce, true)
	if ch.Opaque != "" {
		writeParam(&b, "opaque", ch.Opaque, true)
	}
	if ch.Stale {
		writeParam(&b, "stale", "true", false)
	}
	if ch.Algorithm != "" {
		writeParam(&b, "algorithm", string(ch.Algorithm), false)
	}
	if len(ch.QOP) > 0 {
		qs := make([]string, len(ch.QOP))
		for i, q := range ch.QOP {
			qs[i] = string(q)
		}
		writeParam(&b, "qop", strings.Join(qs, ","), true)
	}
	if ch.Charset != "" {
		writeParam(&b, "charset", ch.Charset, false)
	}
	if ch.Userhash {
		writeParam(&b, "userhash", "true", false)
	}
	writeParams(&b, ch.Params, challengeParams[:])
	return b.String()
}

// offers reports whether ch offers q.
func (ch Challenge) offers(q QOP) bool {
	for _, o := range ch.QOP {
		if o == q {
			return true
		}
	}
	return false
}

// chooseQOP returns the qop to answer ch with: none if ch offers none, else
// auth when offered (or auth-int when preferAuthInt and offered), else
// auth-int.
func (ch Challenge) chooseQOP(preferAuthInt bool) (QOP, error) {
	if len(ch.QOP) == 0 {
		return QOPNone, nil
	}
	auth, authInt := ch.offers(QOPAuth), ch.offers(QOPAuthInt)
	switch {
	case authInt && (preferAuthInt || !auth):
		return QOPAuthInt, nil
	case auth:
		return QOPAuth, nil
	}
	qs := make([]string, len(ch.QOP))
	for i, q := range ch.QOP {
		qs[i] = string(q)
	}
	return "", fmt.Errorf("qop %q is not supported", strings.Join(qs, ","))
}

// check returns why ch cannot be answered, or nil.
func (ch Challenge) check() error {
	if !ch.Algorithm.Supported() {
		return fmt.Errorf("algorithm %q is not supported", string(ch.Algorithm))
	}
	if _, err := ch.chooseQOP(false); err != nil {
		return err
	}
	if ch.Algorithm.Sess() && len(ch.QOP) == 0 {
		// The session HA1 needs a cnonce, which is only sent with a qop.
		return fmt.Errorf("algorithm %s without qop", ch.Algorithm)
	}
	return nil
}

// Select returns the strongest challenge it can answer among challenges
// (typically one per WWW-Authenticate header field of a response):
// SHA-512-256 before SHA-256 before MD5, each with or without "-sess", and
// the first in the given order among equals. RFC 8760 §2.4 asks a client to
// take the first one it supports unless it has a local preference; ours is
// the strongest hash, as the server lists each algorithm it accepts.
//
// When none can be answered, the error wraps ErrUnsupported and says why
// for each challenge.
func Select(challenges []Challenge) (Challenge, error) {
	return selectBest(challenges, nil)
}

// selectBest is Select with an extra acceptance test.
func selectBest(challenges []Challenge, accept func(Challenge) error) (Challenge, error) {
	best, why := pick(challenges, accept)
	if best >= 0 {
		return challenges[best], nil
	}
	return Challenge{}, unsupported(why)
}

// pick returns the index of the strongest acceptable challenge, or -1 and
// why each was refused.
func pick(challenges []Challenge, accept func(Challenge) error) (int, []string) {
	best := -1
	var why []string
	for i, ch := range challenges {
		err := ch.check()
		if err == nil && accept != nil {
			err = accept(ch)
		}
		if err != nil {
			why = append(why, fmt.Sprintf("realm %q: %v", ch.Realm, err))
			continue
		}
		if best < 0 || ch.Algorithm.strength() > challenges[best].Algorithm.strength() {
			best = i
		}
	}
	return best, why
}

// unsupported returns an error wrapping ErrUnsupported with the reasons.
func unsupported(why []string) error {
	if len(why) == 0 {
		return fmt.Errorf("%w: no challenge given", ErrUnsupported)
	}
	return fmt.Errorf("%w: %s", ErrUnsupported, strings.Join(why, "; "))
}

// asciiLower lowercases the ASCII letters of s and leaves other bytes alone.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
