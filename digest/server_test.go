package digest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time          { return f.t }
func (f *fakeClock) advance(d time.Duration) { f.t = f.t.Add(d) }

func newTestServer() (*Server, *fakeClock) {
	clk := &fakeClock{t: time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)}
	return &Server{Realm: "example.com", Secret: []byte("0123456789abcdef"), Clock: clk.now}, clk
}

// users is a lookup function for alice (password) and bob (HA1 only).
func users(username, realm string, alg Algorithm) (Key, bool) {
	switch username {
	case "alice":
		return Key{Password: "wonderland"}, true
	case "bob":
		ha1, _ := HA1(alg, "bob", realm, "builder")
		return Key{HA1: strings.ToUpper(ha1)}, true
	}
	return Key{}, false
}

// wireRoundTrip passes credentials through their wire form.
func wireRoundTrip(t *testing.T, cr Credentials) Credentials {
	t.Helper()
	back, err := ParseCredentials(cr.String())
	if err != nil {
		t.Fatalf("ParseCredentials(%q): %v", cr.String(), err)
	}
	return back
}

// wireChallenges passes challenges through their wire form.
func wireChallenges(t *testing.T, chs []Challenge) []Challenge {
	t.Helper()
	var out []Challenge
	for _, ch := range chs {
		back, err := ParseChallenge(ch.String())
		if err != nil {
			t.Fatalf("ParseChallenge(%q): %v", ch.String(), err)
		}
		out = append(out, back)
	}
	return out
}

// TestClientServer runs a client against the server for every algorithm and
// qop, over the wire form, with the password and with HA1 on both sides.
func TestClientServer(t *testing.T) {
	body := []byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n")
	for _, alg := range knownAlgorithms {
		for _, qop := range []QOP{QOPNone, QOPAuth, QOPAuthInt} {
			if alg.Sess() && qop == QOPNone {
				continue // -sess needs a qop
			}
			for _, user := range []string{"alice", "bob"} {
				t.Run(fmt.Sprintf("%s/%s/%s", alg, qop, user), func(t *testing.T) {
					s, _ := newTestServer()
					s.Algorithms = []Algorithm{alg}
					if qop == QOPNone {
						s.NoQOP = true
					} else {
						s.QOP = []QOP{qop}
					}
					chs, err := s.Challenges(false)
					if err != nil {
						t.Fatal(err)
					}
					c := &Client{Username: user, Password: "wonderland"}
					if user == "bob" {
						ha1, _ := HA1(alg, "bob", "example.com", "builder")
						c = &Client{Username: user, HA1: ha1, HA1Realm: "example.com", HA1Algorithm: alg}
					}
					x := c.NewExchange("INVITE", "sip:carol@example.com", body)
					crs, err := x.Challenged(wireChallenges(t, chs))
					if err != nil {
						t.Fatal(err)
					}
					if len(crs) != 1 || crs[0].QOP != qop || crs[0].Algorithm != alg {
						t.Fatalf("credentials %+v", crs)
					}
					for i := range 3 { // first answer, then two proactive ones
						cr := wireRoundTrip(t, crs[0])
						if err := s.Verify(cr, "INVITE", body, users); err != nil {
							t.Fatalf("request %d: Verify(%s) = %v", i, cr, err)
						}
						if qop == QOPAuthInt {
							if err := s.Verify(cr, "INVITE", []byte("altered"), users); !errors.Is(err, ErrWrongResponse) {
								t.Errorf("altered body: %v", err)
							}
						}
						if err := s.Verify(cr, "BYE", body, users); !errors.Is(err, ErrWrongResponse) {
							t.Errorf("other method: %v", err)
						}
						crs = c.NewExchange("INVITE", "sip:carol@example.com", body).Authorize()
					}
				})
			}
		}
	}
}

func TestServerChallenges(t *testing.T) {
	s, clk := newTestServer()
	chs, err := s.Challenges(true)
	if err != nil {
		t.Fatal(err)
	}
	if len(chs) != 2 || chs[0].Algorithm != SHA256 || chs[1].Algorithm != MD5 || !chs[0].Stale || chs[0].Nonce != chs[1].Nonce {
		t.Fatalf("default challenges: %+v", chs)
	}
	want := `Digest realm="example.com", nonce="` + chs[0].Nonce + `", stale=true, algorithm=SHA-256, qop="auth"`
	if got := chs[0].String(); got != want {
		t.Errorf("challenge = %s\n     want %s", got, want)
	}
	raw, err := base64.RawURLEncoding.DecodeString(chs[0].Nonce)
	if err != nil || len(raw) != nonceTimeLen+nonceMACLen {
		t.Fatalf("nonce %q: %d bytes, %v", chs[0].Nonce, len(raw), err)
	}
	if got, _ := s.nonceTime(chs[0].Nonce); !got.Equal(clk.t) {
		t.Errorf("nonce time %v, want %v", got, clk.t)
	}
	clk.advance(time.Nanosecond)
	later, _ := s.Challenges(false)
	if later[0].Nonce == chs[0].Nonce || later[0].Stale {
		t.Errorf("a later challenge reuses the nonce or is stale: %+v", later[0])
	}
	// A client picks the strongest: SHA-256.
	if best, _ := Select(chs); best.Algorithm != SHA256 {
		t.Errorf("Select = %v", best.Algorithm)
	}
}

func TestServerConfig(t *testing.T) {
	tests := []struct {
		s      Server
		substr string
	}{
		{Server{Realm: "r"}, "Server.Secret is empty"},
		{Server{Secret: []byte("k"), Algorithms: []Algorithm{}}, "Server.Algorithms is empty"},
		{Server{Secret: []byte("k"), Algorithms: []Algorithm{"SHA-1"}}, `algorithm "SHA-1" is not supported`},
		{Server{Secret: []byte("k"), Algorithms: []Algorithm{""}}, `algorithm "" is not supported`},
		{Server{Secret: []byte("k"), Algorithms: []Algorithm{MD5Sess}, NoQOP: true}, "MD5-sess needs a qop"},
		{Server{Secret: []byte("k"), QOP: []QOP{}}, "Server.QOP is empty"},
		{Server{Secret: []byte("k"), QOP: []QOP{"auth-conf"}}, `qop "auth-conf" is not supported`},
	}
	for _, tt := range tests {
		if _, err := tt.s.Challenges(false); err == nil || !strings.Contains(err.Error(), tt.substr) {
			t.Errorf("Challenges = %v, want an error containing %q", err, tt.substr)
		}
		if err := tt.s.Verify(Credentials{}, "A", nil, users); err == nil || !strings.Contains(err.Error(), tt.substr) {
			t.Errorf("Verify = %v, want an error containing %q", err, tt.substr)
		}
	}
}

func TestServerVerifyErrors(t *testing.T) {
	s, clk := newTestServer()
	s.QOP = []QOP{QOPAuth, QOPAuthInt}
	chs, _ := s.Challenges(false)
	respond := func(ch Challenge, user, pass string) Credentials {
		t.Helper()
		cr, err := (&Client{Username: user, Password: pass}).Respond(ch, "REGISTER", "sip:example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		return cr
	}
	good := respond(chs[0], "alice", "wonderland")
	if err := s.Verify(good, "REGISTER", nil, users); err != nil {
		t.Fatalf("Verify(good) = %v", err)
	}

	otherSecret := *s
	otherSecret.Secret = []byte("another secret!!")
	foreign, _ := otherSecret.Challenges(false)
	otherRealm := *s
	otherRealm.Realm = "evil.com"
	foreignRealm, _ := otherRealm.Challenges(false)
	foreignRealm[0].Realm = "example.com" // a nonce of another realm, answered for ours

	mutate := func(f func(*Credentials)) Credentials {
		cr := good
		f(&cr)
		return cr
	}
	tests := []struct {
		name   string
		cr     Credentials
		is     error
		substr string
	}{
		{"other realm", mutate(func(c *Credentials) { c.Realm = "evil.com" }), ErrRealmMismatch, `"evil.com", want "example.com"`},
		{"nonce of another secret", respond(foreign[0], "alice", "wonderland"), ErrBadNonce, "HMAC mismatch"},
		{"nonce of another realm", respond(foreignRealm[0], "alice", "wonderland"), ErrBadNonce, "HMAC mismatch"},
		{"nonce not base64", mutate(func(c *Credentials) { c.Nonce = "!!!" }), ErrBadNonce, "not a nonce of this server"},
		{"nonce too short", mutate(func(c *Credentials) { c.Nonce = c.Nonce[:20] }), ErrBadNonce, "not a nonce"},
		{"nonce time altered", mutate(func(c *Credentials) { c.Nonce = flipFirst(c.Nonce) }), ErrBadNonce, "HMAC mismatch"},
		{"algorithm not offered", mutate(func(c *Credentials) { c.Algorithm = SHA512_256 }), ErrBadCredentials, `algorithm "SHA-512-256" was not offered`},
		{"unknown algorithm", mutate(func(c *Credentials) { c.Algorithm = "SHA-1" }), ErrBadCredentials, `"SHA-1" was not offered`},
		{"no qop", mutate(func(c *Credentials) { c.QOP = QOPNone }), ErrBadCredentials, "no qop, and a qop was offered"},
		{"qop not offered", mutate(func(c *Credentials) { c.QOP = "auth-conf" }), ErrBadCredentials, `qop "auth-conf" was not offered`},
		{"no cnonce", mutate(func(c *Credentials) { c.CNonce = "" }), ErrBadCredentials, "without cnonce or nc"},
		{"no nc", mutate(func(c *Credentials) { c.NC = 0 }), ErrBadCredentials, "without cnonce or nc"},
		{"userhash", mutate(func(c *Credentials) { c.Userhash = true }), ErrBadCredentials, "userhash was not offered"},
		{"unknown user", respond(chs[0], "mallory", "x"), ErrUnknownUser, `"mallory" in realm "example.com"`},
		{"wrong password", respond(chs[0], "alice", "looking-glass"), ErrWrongResponse, `user "alice"`},
		{"altered uri", mutate(func(c *Credentials) { c.URI = "sip:other.com" }), ErrWrongResponse, ""},
		{"altered nc", mutate(func(c *Credentials) { c.NC = 2 }), ErrWrongResponse, ""},
		{"altered cnonce", mutate(func(c *Credentials) { c.CNonce = "x" }), ErrWrongResponse, ""},
		{"empty response", mutate(func(c *Credentials) { c.Response = "" }), ErrWrongResponse, ""},
	}
	for _, tt := range tests {
		err := s.Verify(tt.cr, "REGISTER", nil, users)
		if !errors.Is(err, tt.is) || !strings.Contains(fmt_(err), tt.substr) {
			t.Errorf("%s: Verify = %v, want %v containing %q", tt.name, err, tt.is, tt.substr)
		}
	}

	// Uppercase hex in the response is accepted.
	upper := good
	upper.Response = strings.ToUpper(upper.Response)
	if err := s.Verify(upper, "REGISTER", nil, users); err != nil {
		t.Errorf("uppercase response: %v", err)
	}
	// A lookup returning a malformed HA1 is reported, not panicked on.
	badKey := func(string, string, Algorithm) (Key, bool) { return Key{HA1: "xyz"}, true }
	if err := s.Verify(good, "REGISTER", nil, badKey); err == nil || !strings.Contains(err.Error(), "not 64 hex digits for SHA-256") {
		t.Errorf("bad HA1 from lookup: %v", err)
	}

	// Staleness: only a right response to an expired nonce is stale.
	clk.advance(DefaultNonceLifetime)
	if err := s.Verify(good, "REGISTER", nil, users); err != nil {
		t.Errorf("at the end of the lifetime: %v", err)
	}
	clk.advance(time.Second)
	if err := s.Verify(good, "REGISTER", nil, users); !errors.Is(err, ErrStaleNonce) {
		t.Errorf("after the lifetime: %v", err)
	}
	if err := s.Verify(respond(chs[0], "alice", "wrong"), "REGISTER", nil, users); !errors.Is(err, ErrWrongResponse) {
		t.Errorf("wrong password with an expired nonce: %v", err)
	}
	// A nonce from the far future (the clock went back) is stale too.
	clk.t = clk.t.Add(-3 * DefaultNonceLifetime)
	if err := s.Verify(good, "REGISTER", nil, users); !errors.Is(err, ErrStaleNonce) {
		t.Errorf("nonce from the future: %v", err)
	}
	s.NonceLifetime = time.Hour
	if err := s.Verify(good, "REGISTER", nil, users); err != nil {
		t.Errorf("with a longer NonceLifetime: %v", err)
	}
}

// TestStaleRoundTrip runs the stale flow end to end: the client's cached
// nonce expires, the server answers stale=true, the client retries without
// its user.
func TestStaleRoundTrip(t *testing.T) {
	s, clk := newTestServer()
	c := &Client{Username: "alice", Password: "wonderland"}
	send := func(x *Exchange, crs []Credentials) error {
		for _, cr := range crs {
			if err := s.Verify(wireRoundTrip(t, cr), "REGISTER", nil, users); err != nil {
				return err
			}
		}
		if len(crs) == 0 {
			return ErrUnknownUser // no credentials: challenge
		}
		return nil
	}
	// run sends one request through challenges and returns the number of
	// requests sent.
	run := func() (int, error) {
		x := c.NewExchange("REGISTER", "sip:example.com", nil)
		crs := x.Authorize()
		for n := 1; ; n++ {
			err := send(x, crs)
			if err == nil {
				return n, nil
			}
			chs, cerr := s.Challenges(errors.Is(err, ErrStaleNonce))
			if cerr != nil {
				return n, cerr
			}
			if crs, err = x.Challenged(wireChallenges(t, chs)); err != nil {
				return n, err
			}
		}
	}
	if n, err := run(); n != 2 || err != nil {
		t.Fatalf("first REGISTER: %d requests, %v", n, err)
	}
	if n, err := run(); n != 1 || err != nil {
		t.Fatalf("second REGISTER: %d requests, %v", n, err)
	}
	clk.advance(time.Hour)
	if n, err := run(); n != 2 || err != nil {
		t.Fatalf("REGISTER after expiry: %d requests, %v", n, err)
	}
	c = &Client{Username: "alice", Password: "wrong"}
	if n, err := run(); n != 2 || !errors.Is(err, ErrRejected) {
		t.Fatalf("wrong password: %d requests, %v", n, err)
	}
}

// flipFirst changes the first character of a base64url string.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
