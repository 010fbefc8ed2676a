package digest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Credentials are a Digest response: the value of an Authorization or
// Proxy-Authorization header field (RFC 7616 §3.4).
type Credentials struct {
	// Username is the user name, or H(username:realm) when Userhash is set.
	// A username* parameter (RFC 7616 §3.4.4, UTF-8 only) is decoded into
	// it when parsing.
	Username string
	// Realm is the realm of the challenge answered.
	Realm string
	// Nonce is the server nonce of the challenge answered.
	Nonce string
	// URI is the request-URI the response covers (the "uri" parameter).
	URI string
	// Response is the request digest in hex.
	Response string
	// Algorithm is the challenge's algorithm; empty means absent (MD5).
	Algorithm Algorithm
	// CNonce is the client nonce; empty when QOP is QOPNone.
	CNonce string
	// Opaque is the challenge's opaque, returned unchanged; empty means
	// absent.
	Opaque string
	// QOP is the quality of protection chosen, lowercased.
	QOP QOP
	// NC is the nonce count; 0 means absent (always absent without qop).
	NC uint32
	// Userhash reports that Username is hashed.
	Userhash bool
	// Params holds the parameters not listed above, in order.
	Params []Param
}

// credentialParams are the parameter names Credentials has fields for.
var credentialParams = [...]string{"username", "username*", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque", "qop", "nc", "userhash"}

// ParseCredentials parses the value of an Authorization or
// Proxy-Authorization header field. The scheme must be Digest; username (or
// username*), realm, nonce, uri and response are required, and cnonce and nc
// too when qop is present. nc must be 8 lowercase hex digits, not all zero.
// A value using another scheme gives an error wrapping ErrScheme; a
// malformed one an error wrapping ErrSyntax.
func ParseCredentials(value string) (Credentials, error) {
	var cr Credentials
	params, err := parseAuth(value)
	if err != nil {
		return cr, err
	}
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		name := knownName(credentialParams[:], p.name)
		if name == "" {
			cr.Params = append(cr.Params, unknownParam(p))
			continue
		}
		if seen[name] {
			return Credentials{}, paramError(p, "given twice")
		}
		seen[name] = true
		switch name {
		case "username":
			cr.Username = p.value
		case "username*":
			if cr.Username, err = decodeExtValue(p.value); err != nil {
				return Credentials{}, paramError(p, "%v", err)
			}
		case "realm":
			cr.Realm = p.value
		case "nonce":
			cr.Nonce = p.value
		case "uri":
			cr.URI = p.value
		case "response":
			cr.Response = p.value
		case "algorithm":
			cr.Algorithm = canonicalAlgorithm(p.value)
		case "cnonce":
			cr.CNonce = p.value
		case "opaque":
			cr.Opaque = p.value
		case "qop":
			cr.QOP = QOP(asciiLower(p.value))
		case "nc":
			if cr.NC, err = parseNC(p.value); err != nil {
				return Credentials{}, paramError(p, "%v", err)
			}
		case "userhash":
			cr.Userhash = strings.EqualFold(p.value, "true")
		}
	}
	if seen["username"] && seen["username*"] {
		return Credentials{}, fmt.Errorf("%w: parameters \"username\" and \"username*\" are both present", ErrSyntax)
	}
	required := []string{"realm", "nonce", "uri", "response"}
	if cr.QOP != QOPNone {
		required = append(required, "cnonce", "nc")
	}
	if !seen["username"] && !seen["username*"] {
		return Credentials{}, fmt.Errorf("%w: parameter \"username\" is missing", ErrSyntax)
	}
	for _, r := range required {
		if !seen[r] {
			if r == "cnonce" || r == "nc" {
				return Credentials{}, fmt.Errorf("%w: parameter %q is missing (required with qop=%s)", ErrSyntax, r, cr.QOP)
			}
			return Credentials{}, fmt.Errorf("%w: parameter %q is missing", ErrSyntax, r)
		}
	}
	return cr, nil
}

// parseNC parses an nc-value: exactly 8 lowercase hex digits, not zero.
func parseNC(s string) (uint32, error) {
	if len(s) != 8 {
		return 0, fmt.Errorf("%q is not 8 hex digits", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return 0, fmt.Errorf("%q is not 8 lowercase hex digits", s)
		}
	}
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("%q: the nonce count starts at 00000001", s)
	}
	return uint32(n), nil
}

// decodeExtValue decodes an RFC 8187 ext-value: charset "'" [language] "'"
// pct-encoded value. Only UTF-8 is accepted, as RFC 7616 requires.
func decodeExtValue(s string) (string, error) {
	charset, rest, ok := strings.Cut(s, "'")
	if !ok {
		return "", fmt.Errorf("%q is not charset'language'value", s)
	}
	_, enc, ok := strings.Cut(rest, "'")
	if !ok {
		return "", fmt.Errorf("%q is not charset'language'value", s)
	}
	if !strings.EqualFold(charset, "UTF-8") {
		return "", fmt.Errorf("charset %q is not UTF-8", charset)
	}
	v, err := url.PathUnescape(enc) // keeps '+', a plain attr-char

	if err != nil {
		return "", fmt.Errorf("bad percent-encoding: %w", err)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return "", fmt.Errorf("control character %#02x in the decoded value", c)
		}
	}
	return v, nil
}

// String returns the credentials in canonical wire form: username, realm,
// nonce, uri, response, cnonce and opaque quoted; algorithm, qop and nc
// bare. Empty Algorithm, Opaque and QOP, zero NC, false Userhash and an
// empty CNonce without qop are left out, as are Params whose name is not a token or names a field of
// Credentials. Values are escaped as needed, and CR and LF are replaced by
// spaces.
func (cr Credentials) String() string {
	var b strings.Builder
	b.Grow(128 + len(cr.Username) + len(cr.Realm) + len(cr.Nonce) + len(cr.URI) + len(cr.Response) + len(cr.CNonce) + len(cr.Opaque))
	b.WriteString("Digest ")
	writeParam(&b, "username", cr.Username, true)
	writeParam(&b, "realm", cr.Realm, true)
	writeParam(&b, "nonce", cr.Nonce, true)
	writeParam(&b, "uri", cr.URI, true)
	writeParam(&b, "response", cr.Response, true)
	if cr.Algorithm != "" {
		writeParam(&b, "algorithm", string(cr.Algorithm), false)
	}
	if cr.CNonce != "" || cr.QOP != QOPNone {
		writeParam(&b, "cnonce", cr.CNonce, true)
	}
	if cr.Opaque != "" {
		writeParam(&b, "opaque", cr.Opaque, true)
	}
	if cr.QOP != QOPNone {
		writeParam(&b, "qop", string(cr.QOP), false)
	}
	if cr.NC != 0 {
		writeParam(&b, "nc", formatNC(cr.NC), false)
	}
	if cr.Userhash {
		writeParam(&b, "userhash", "true", false)
	}
	writeParams(&b, cr.Params, credentialParams[:])
	return b.String()
}
