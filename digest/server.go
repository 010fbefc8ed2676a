package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultNonceLifetime is the nonce lifetime of a Server whose NonceLifetime
// is zero.
const DefaultNonceLifetime = 5 * time.Minute

// nonceTimeLen and nonceMACLen are the sizes of a nonce's two parts.
const (
	nonceTimeLen = 8
	nonceMACLen  = sha256.Size
)

// A Server issues Digest challenges for one realm and verifies the
// credentials that answer them.
//
// Its nonce is base64url(t || HMAC-SHA256(Secret, t || Realm)), where t is the
// issue time in Unix nanoseconds (8 bytes, big endian): Verify recognises a
// nonce it issued, and one that has expired, without storing nonces. A nonce
// is accepted from any number of requests during its lifetime.
//
// Replay: the Server is stateless and does not track nonce counts, so a
// captured Authorization value can be replayed, for the same method,
// request-URI and body, until its nonce expires; keep NonceLifetime short,
// and use TLS or WSS. Verify does not compare Credentials.URI with the
// request-URI either (RFC 7616 §3.4.6 has the server check it): the caller
// may.
//
// Set the fields before first use and do not change them afterwards; the
// methods are then safe for concurrent use.
type Server struct {
	// Realm is the realm of the challenges, usually the domain.
	Realm string

	// Secret keys the nonce HMAC; required, at least 16 random bytes are
	// advised. Servers sharing a Secret and Realm accept each other's
	// nonces.
	Secret []byte

	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time

	// NonceLifetime is how long a nonce is accepted; after that Verify
	// returns ErrStaleNonce. Zero means DefaultNonceLifetime.
	NonceLifetime time.Duration

	// Algorithms lists the algorithms offered, most preferred first: one
	// challenge each. Nil means SHA-256 then MD5 (RFC 8760 §2.4 order; MD5
	// for clients such as JsSIP that know nothing else).
	Algorithms []Algorithm

	// QOP lists the qualities of protection offered. Nil means auth.
	QOP []QOP

	// NoQOP offers no qop at all (the RFC 2069 computation), for testing
	// old clients; QOP is then ignored and -sess algorithms are refused.
	NoQOP bool
}

// A Key is what a Server knows of a user's secret.
type Key struct {
	// Password is the password; if set, HA1 is ignored.
	Password string
	// HA1 is H(username:realm:password) in hex, computed with the hash of
	// the algorithm passed to the lookup function (see the HA1 function).
	HA1 string
}

// now returns the current time.
func (s *Server) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// lifetime returns the nonce lifetime.
func (s *Server) lifetime() time.Duration {
	if s.NonceLifetime > 0 {
		return s.NonceLifetime
	}
	return DefaultNonceLifetime
}

// algorithms returns the algorithms offered.
func (s *Server) algorithms() []Algorithm {
	if s.Algorithms == nil {
		return []Algorithm{SHA256, MD5}
	}
	return s.Algorithms
}

// qops returns the qop values offered.
func (s *Server) qops() []QOP {
	switch {
	case s.NoQOP:
		return nil
	case s.QOP == nil:
		return []QOP{QOPAuth}
	}
	return s.QOP
}

// check validates the configuration, naming the field at fault.
func (s *Server) check() error {
	if len(s.Secret) == 0 {
		return fmt.Errorf("digest: Server.Secret is empty")
	}
	if s.Algorithms != nil && len(s.Algorithms) == 0 {
		return fmt.Errorf("digest: Server.Algorithms is empty")
	}
	for _, a := range s.algorithms() {
		if a == "" || !a.Supported() {
			return fmt.Errorf("digest: Server.Algorithms: algorithm %q is not supported", string(a))
		}
		if a.Sess() && s.NoQOP {
			return fmt.Errorf("digest: Server.Algorithms: %s needs a qop, and Server.NoQOP is set", a)
		}
	}
	if !s.NoQOP {
		if s.QOP != nil && len(s.QOP) == 0 {
			return fmt.Errorf("digest: Server.QOP is empty (set Server.NoQOP to offer no qop)")
		}
		for _, q := range s.qops() {
			if q != QOPAuth && q != QOPAuthInt {
				return fmt.Errorf("digest: Server.QOP: qop %q is not supported", string(q))
			}
		}
	}
	return nil
}

// mac returns HMAC-SHA256(Secret, t || Realm).
func (s *Server) mac(t []byte) []byte {
	m := hmac.New(sha256.New, s.Secret)
	m.Write(t)
	m.Write([]byte(s.Realm))
	return m.Sum(nil)
}

// newNonce returns a nonce issued at now.
func (s *Server) newNonce(now time.Time) string {
	var raw [nonceTimeLen + nonceMACLen]byte
	binary.BigEndian.PutUint64(raw[:nonceTimeLen], uint64(now.UnixNano()))
	copy(raw[nonceTimeLen:], s.mac(raw[:nonceTimeLen]))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// nonceTime returns the issue time of a nonce this Server issued, or an
// error wrapping ErrBadNonce.
func (s *Server) nonceTime(nonce string) (time.Time, error) {
	raw, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(raw) != nonceTimeLen+nonceMACLen {
		return time.Time{}, fmt.Errorf("%w: not a nonce of this server", ErrBadNonce)
	}
	if !hmac.Equal(raw[nonceTimeLen:], s.mac(raw[:nonceTimeLen])) {
		return time.Time{}, fmt.Errorf("%w: HMAC mismatch (another server, realm or secret, or altered)", ErrBadNonce)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(raw[:nonceTimeLen]))), nil
}

// Challenges returns a fresh challenge for each algorithm offered, in order
// of preference, all with the same new nonce: put each in its own
// WWW-Authenticate (or Proxy-Authenticate) header field of a 401 (or 407)
// response. Set stale after Verify returned ErrStaleNonce, so that the
// client retries without asking its user. The error names the field of a
// Server that cannot issue challenges.
func (s *Server) Challenges(stale bool) ([]Challenge, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	nonce := s.newNonce(s.now())
	qop := slices.Clone(s.qops())
	out := make([]Challenge, 0, len(s.algorithms()))
	for _, a := range s.algorithms() {
		out = append(out, Challenge{Realm: s.Realm, Nonce: nonce, Stale: stale, Algorithm: a, QOP: qop})
	}
	return out, nil
}

// Verify checks credentials received in a request with the given method and
// body (used by qop=auth-int). lookup returns the key of a user of a realm
// for an algorithm, and false if the user is unknown; it is called only
// after the realm, the nonce and the parameters have been checked.
//
// Verify returns nil if the credentials are right, or an error wrapping
// ErrRealmMismatch, ErrBadNonce, ErrBadCredentials, ErrUnknownUser,
// ErrWrongResponse or ErrStaleNonce, in that order of checking. A stale
// nonce is reported only for a right response, so that stale=true tells the
// client its password is right (RFC 7616 §3.3). Any other error is about the
// Server's configuration or the key returned by lookup.
func (s *Server) Verify(cr Credentials, method string, body []byte, lookup func(username, realm string, alg Algorithm) (Key, bool)) error {
	if err := s.check(); err != nil {
		return err
	}
	if cr.Realm != s.Realm {
		return fmt.Errorf("%w: %q, want %q", ErrRealmMismatch, cr.Realm, s.Realm)
	}
	issued, err := s.nonceTime(cr.Nonce)
	if err != nil {
		return err
	}
	alg := cr.Algorithm.effective()
	if !slices.Contains(s.algorithms(), alg) {
		return fmt.Errorf("%w: algorithm %q was not offered", ErrBadCredentials, string(alg))
	}
	switch {
	case s.NoQOP && cr.QOP != QOPNone:
		return fmt.Errorf("%w: qop %q was not offered", ErrBadCredentials, string(cr.QOP))
	case !s.NoQOP && !slices.Contains(s.qops(), cr.QOP):
		if cr.QOP == QOPNone {
			return fmt.Errorf("%w: no qop, and a qop was offered", ErrBadCredentials)
		}
		return fmt.Errorf("%w: qop %q was not offered", ErrBadCredentials, string(cr.QOP))
	case cr.QOP != QOPNone && (cr.CNonce == "" || cr.NC == 0):
		return fmt.Errorf("%w: qop %s without cnonce or nc", ErrBadCredentials, cr.QOP)
	case cr.Userhash:
		return fmt.Errorf("%w: userhash was not offered", ErrBadCredentials)
	}
	key, ok := lookup(cr.Username, cr.Realm, alg)
	if !ok {
		return fmt.Errorf("%w: %q in realm %q", ErrUnknownUser, cr.Username, cr.Realm)
	}
	var base string
	if key.Password != "" || key.HA1 == "" {
		base, _ = HA1(alg, cr.Username, cr.Realm, key.Password)
	} else {
		base = strings.ToLower(key.HA1)
		if _, err := hex.DecodeString(base); err != nil || len(base) != alg.hexLen() {
			return fmt.Errorf("digest: the HA1 looked up for %q is not %d hex digits for %s", cr.Username, alg.hexLen(), alg.Base())
		}
	}
	want := cr.expected(base, method, body)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cr.Response)), []byte(want)) != 1 {
		return fmt.Errorf("%w: user %q in realm %q", ErrWrongResponse, cr.Username, cr.Realm)
	}
	if age := s.now().Sub(issued); age > s.lifetime() || age < -s.lifetime() {
		return fmt.Errorf("%w: issued %v ago, lifetime %v", ErrStaleNonce, age.Round(time.Second), s.lifetime())
	}
	return nil
}

// expected returns the response cr should carry for a request with the
// given method and body, from the user's base HA1 (lowercase hex).
func (cr Credentials) expected(ha1, method string, body []byte) string {
	alg := cr.Algorithm.effective()
	return response(respInput{
		alg: alg, ha1: sessionHA1(alg, ha1, cr.Nonce, cr.CNonce), nonce: cr.Nonce, cnonce: cr.CNonce,
		nc: cr.NC, qop: cr.QOP, method: method, uri: cr.URI, body: body,
	})
}
