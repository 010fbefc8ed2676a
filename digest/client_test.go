package digest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// seqCNonce returns cnonce functions giving "c1", "c2", ...
func seqCNonce() func() (string, error) {
	n := 0
	return func() (string, error) {
		n++
		return fmt.Sprintf("c%d", n), nil
	}
}

func newTestClient() *Client {
	return &Client{Username: "alice", Password: "secret", cnonceFunc: seqCNonce()}
}

func TestNonceCount(t *testing.T) {
	c := newTestClient()
	ch := Challenge{Realm: "r", Nonce: "n1", QOP: []QOP{QOPAuth}}
	steps := []struct {
		nonce  string
		nc     uint32
		cnonce string
	}{
		{"n1", 1, "c1"},
		{"n1", 2, "c1"}, // same nonce: count on, same cnonce
		{"n1", 3, "c1"},
		{"n2", 1, "c2"}, // new nonce: restart with a new cnonce
		{"n2", 2, "c2"},
	}
	for i, s := range steps {
		ch.Nonce = s.nonce
		cr, err := c.Respond(ch, "REGISTER", "sip:r", nil)
		if err != nil {
			t.Fatal(err)
		}
		if cr.NC != s.nc || cr.CNonce != s.cnonce {
			t.Errorf("step %d: nc=%d cnonce=%s, want %d %s", i, cr.NC, cr.CNonce, s.nc, s.cnonce)
		}
	}
	// Authorize continues the count of the cached nonce.
	crs := c.Authorize("MESSAGE", "sip:bob@r", []byte("hi"))
	if len(crs) != 1 || crs[0].NC != 3 || crs[0].Nonce != "n2" || crs[0].URI != "sip:bob@r" {
		t.Fatalf("Authorize = %+v", crs)
	}
	if !strings.Contains(crs[0].String(), "nc=00000003") {
		t.Errorf("String() = %s", crs[0].String())
	}
}

func TestRandomCNonce(t *testing.T) {
	c := &Client{Username: "u", Password: "p", Rand: bytes.NewReader(bytes.Repeat([]byte{0xab}, 64))}
	cr, err := c.Respond(Challenge{Realm: "r", Nonce: "n", QOP: []QOP{QOPAuth}}, "INVITE", "sip:b@r", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cr.CNonce != strings.Repeat("ab", cnonceBytes) {
		t.Errorf("cnonce = %q", cr.CNonce)
	}
	c = &Client{Username: "u", Password: "p", Rand: strings.NewReader("short")}
	_, err = c.Respond(Challenge{Realm: "r", Nonce: "n", QOP: []QOP{QOPAuth}}, "INVITE", "sip:b@r", nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "cnonce") {
		t.Errorf("Respond with a short Rand = %v", err)
	}
	// crypto/rand by default: two clients get different cnonces.
	a, _ := (&Client{Username: "u"}).Respond(Challenge{Realm: "r", Nonce: "n", QOP: []QOP{QOPAuth}}, "A", "u", nil)
	b, _ := (&Client{Username: "u"}).Respond(Challenge{Realm: "r", Nonce: "n", QOP: []QOP{QOPAuth}}, "A", "u", nil)
	if a.CNonce == b.CNonce || len(a.CNonce) != 2*cnonceBytes {
		t.Errorf("cnonces %q and %q", a.CNonce, b.CNonce)
	}
}

func TestCache(t *testing.T) {
	c := newTestClient()
	if crs := c.Authorize("REGISTER", "sip:r", nil); crs != nil {
		t.Fatalf("Authorize with an empty cache = %v", crs)
	}
	for _, realm := range []string{"b", "a"} {
		if _, err := c.Respond(Challenge{Realm: realm, Nonce: "n" + realm, QOP: []QOP{QOPAuth}, Opaque: "o" + realm}, "REGISTER", "sip:r", nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Realms(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Realms = %v", got)
	}
	crs := c.Authorize("INVITE", "sip:bob@a", nil)
	if len(crs) != 2 || crs[0].Realm != "a" || crs[1].Realm != "b" || crs[0].Opaque != "oa" || crs[0].NC != 2 {
		t.Fatalf("Authorize = %+v", crs)
	}
	// Each credential is right for its request.
	for _, cr := range crs {
		ha1, _ := HA1(MD5, "alice", cr.Realm, "secret")
		if cr.expected(ha1, "INVITE", nil) != cr.Response {
			t.Errorf("realm %s: wrong response", cr.Realm)
		}
	}
	c.Forget("a")
	if got := c.Realms(); !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("Realms after Forget = %v", got)
	}
	c.Reset()
	if got := c.Realms(); len(got) != 0 {
		t.Errorf("Realms after Reset = %v", got)
	}
}

func TestCacheEviction(t *testing.T) {
	c := newTestClient()
	for i := range maxRealms {
		if _, err := c.Respond(Challenge{Realm: fmt.Sprint("r", i), Nonce: "n"}, "A", "u", nil); err != nil {
			t.Fatal(err)
		}
	}
	c.Respond(Challenge{Realm: "r0", Nonce: "n"}, "A", "u", nil) // r0 used again: r1 is now the oldest
	c.Respond(Challenge{Realm: "new", Nonce: "n"}, "A", "u", nil)
	realms := c.Realms()
	if len(realms) != maxRealms {
		t.Fatalf("%d realms cached, want %d", len(realms), maxRealms)
	}
	for _, r := range realms {
		if r == "r1" {
			t.Errorf("r1 was not evicted: %v", realms)
		}
	}
}

func TestNonceCountExhausted(t *testing.T) {
	c := newTestClient()
	ch := Challenge{Realm: "r", Nonce: "n", QOP: []QOP{QOPAuth}}
	if _, err := c.Respond(ch, "A", "u", nil); err != nil {
		t.Fatal(err)
	}
	c.cache["r"].nc = 0xfffffffe
	if crs := c.Authorize("A", "u", nil); len(crs) != 1 || crs[0].NC != 0xffffffff {
		t.Fatalf("Authorize = %+v", crs)
	}
	if _, err := c.Respond(ch, "A", "u", nil); err == nil || !strings.Contains(err.Error(), "exhausted") {
		t.Errorf("Respond at the last count = %v", err)
	}
	if crs := c.Authorize("A", "u", nil); crs != nil {
		t.Errorf("Authorize past the last count = %+v", crs)
	}
}

func TestQOPPreference(t *testing.T) {
	tests := []struct {
		offered       []QOP
		preferAuthInt bool
		want          QOP
	}{
		{nil, false, QOPNone},
		{[]QOP{QOPAuth}, false, QOPAuth},
		{[]QOP{QOPAuthInt}, false, QOPAuthInt},
		{[]QOP{QOPAuthInt, QOPAuth}, false, QOPAuth}, // JsSIP would choose auth-int
		{[]QOP{QOPAuth, QOPAuthInt}, true, QOPAuthInt},
		{[]QOP{QOPAuth}, true, QOPAuth},
		{[]QOP{"auth-conf", QOPAuth}, false, QOPAuth},
	}
	for _, tt := range tests {
		c := newTestClient()
		c.PreferAuthInt = tt.preferAuthInt
		cr, err := c.Respond(Challenge{Realm: "r", Nonce: "n", QOP: tt.offered}, "MESSAGE", "sip:b@r", []byte("body"))
		if err != nil {
			t.Fatal(err)
		}
		if cr.QOP != tt.want {
			t.Errorf("offered %v, PreferAuthInt=%v: qop %q, want %q", tt.offered, tt.preferAuthInt, cr.QOP, tt.want)
		}
		if tt.want == QOPNone && (cr.CNonce != "" || cr.NC != 0 || strings.Contains(cr.String(), "nc=")) {
			t.Errorf("no qop but cnonce/nc sent: %s", cr)
		}
	}
}

func TestSelect(t *testing.T) {
	md5 := Challenge{Realm: "r", Nonce: "1", Algorithm: MD5, QOP: []QOP{QOPAuth}}
	absent := Challenge{Realm: "r", Nonce: "2", QOP: []QOP{QOPAuth}}
	sha := Challenge{Realm: "r", Nonce: "3", Algorithm: SHA256}
	shaSess := Challenge{Realm: "r", Nonce: "4", Algorithm: SHA256Sess, QOP: []QOP{QOPAuth}}
	sha512 := Challenge{Realm: "r", Nonce: "5", Algorithm: SHA512_256Sess, QOP: []QOP{QOPAuthInt}}
	aka := Challenge{Realm: "ims", Nonce: "6", Algorithm: "AKAv1-MD5"}
	conf := Challenge{Realm: "r", Nonce: "7", QOP: []QOP{"auth-conf"}}
	sessNoQOP := Challenge{Realm: "r", Nonce: "8", Algorithm: MD5Sess}
	tests := []struct {
		in     []Challenge
		want   string // nonce of the choice
		errSub string
	}{
		{[]Challenge{md5, sha, sha512}, "5", ""},
		{[]Challenge{sha512, sha, md5}, "5", ""},
		{[]Challenge{md5, sha}, "3", ""},
		{[]Challenge{shaSess, sha}, "4", ""}, // equal strength: the first
		{[]Challenge{absent, md5}, "2", ""},
		{[]Challenge{aka, md5}, "1", ""},
		{[]Challenge{aka}, "", `realm "ims": algorithm "AKAv1-MD5" is not supported`},
		{[]Challenge{conf, sessNoQOP}, "", `realm "r": qop "auth-conf" is not supported; realm "r": algorithm MD5-sess without qop`},
		{nil, "", "no challenge given"},
	}
	for _, tt := range tests {
		got, err := Select(tt.in)
		if tt.errSub != "" {
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("Select = %v, want ErrUnsupported containing %q", err, tt.errSub)
			}
			continue
		}
		if err != nil || got.Nonce != tt.want {
			t.Errorf("Select chose %q, %v, want %q", got.Nonce, err, tt.want)
		}
	}
}

func TestClientHA1(t *testing.T) {
	md5HA1, _ := HA1(MD5, "alice", "r", "secret")
	shaHA1, _ := HA1(SHA256, "alice", "r", "secret")
	chs := []Challenge{
		{Realm: "r", Nonce: "n", Algorithm: SHA256, QOP: []QOP{QOPAuth}},
		{Realm: "r", Nonce: "n", Algorithm: MD5Sess, QOP: []QOP{QOPAuth}},
	}
	byPassword := newTestClient()
	byHA1 := &Client{Username: "alice", HA1: strings.ToUpper(md5HA1), HA1Realm: "r", cnonceFunc: seqCNonce()}

	// The MD5 HA1 cannot answer SHA-256: the client picks MD5-sess.
	ch, err := byHA1.Select(chs)
	if err != nil || ch.Algorithm != MD5Sess {
		t.Fatalf("Client.Select = %v, %v", ch.Algorithm, err)
	}
	want, _ := byPassword.Respond(ch, "REGISTER", "sip:r", nil)
	got, err := byHA1.Respond(ch, "REGISTER", "sip:r", nil)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("HA1 response = %+v, %v\nwant %+v", got, err, want)
	}
	if _, err := byHA1.Respond(chs[0], "REGISTER", "sip:r", nil); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "HA1 is for MD5, not SHA-256") {
		t.Errorf("MD5 HA1 answering SHA-256 = %v", err)
	}
	other := Challenge{Realm: "other", Nonce: "n"}
	if _, err := byHA1.Respond(other, "REGISTER", "sip:r", nil); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `HA1 is for realm "r"`) {
		t.Errorf("HA1 for another realm = %v", err)
	}
	shaClient := &Client{Username: "alice", HA1: shaHA1, HA1Realm: "r", HA1Algorithm: SHA256}
	if ch, err := shaClient.Select(chs); err != nil || ch.Algorithm != SHA256 {
		t.Errorf("SHA-256 HA1 Select = %v, %v", ch.Algorithm, err)
	}
	// A password wins over HA1.
	both := &Client{Username: "alice", Password: "secret", HA1: md5HA1, HA1Realm: "r"}
	if ch, err := both.Select(chs); err != nil || ch.Algorithm != SHA256 {
		t.Errorf("password+HA1 Select = %v, %v", ch.Algorithm, err)
	}

	bad := []struct {
		c      *Client
		substr string
	}{
		{&Client{Password: "p"}, "Client.Username is empty"},
		{&Client{Username: "u", HA1: "abc", HA1Realm: "r"}, "Client.HA1 has 3 characters, want 32 hex digits for MD5"},
		{&Client{Username: "u", HA1: md5HA1, HA1Realm: "r", HA1Algorithm: SHA256}, "want 64 hex digits for SHA-256"},
		{&Client{Username: "u", HA1: strings.Repeat("z", 32), HA1Realm: "r"}, "Client.HA1 is not hex"},
		{&Client{Username: "u", HA1: md5HA1, HA1Realm: "r", HA1Algorithm: "SHA-1"}, `Client.HA1Algorithm "SHA-1" is not supported`},
	}
	for _, b := range bad {
		_, err := b.c.Respond(Challenge{Realm: "r", Nonce: "n"}, "A", "u", nil)
		if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), b.substr) {
			t.Errorf("Respond = %v, want ErrNoCredentials containing %q", err, b.substr)
		}
		_, err = b.c.NewExchange("A", "u", nil).Challenged([]Challenge{{Realm: "r", Nonce: "n"}})
		if !errors.Is(err, ErrNoCredentials) {
			t.Errorf("Challenged = %v, want ErrNoCredentials", err)
		}
	}
}

func TestUserhash(t *testing.T) {
	c := &Client{Username: "Mufasa", Password: "Circle of Life", cnonceFunc: fixedCNonce(rfc7616CNonce)}
	ch := Challenge{Realm: "http-auth@example.org", Nonce: rfc7616Nonce, Algorithm: SHA256, QOP: []QOP{QOPAuth}, Userhash: true}
	cr, err := c.Respond(ch, "GET", "/dir/index.html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cr.Userhash || cr.Username != "a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6" {
		t.Errorf("userhash credentials: %+v", cr)
	}
	// A1 uses the real username: the response is the RFC 7616 one.
	if cr.Response != "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1" {
		t.Errorf("response = %s", cr.Response)
	}
}

func TestRespondUnsupported(t *testing.T) {
	c := newTestClient()
	for _, ch := range []Challenge{
		{Realm: "r", Nonce: "n", Algorithm: "AKAv1-MD5"},
		{Realm: "r", Nonce: "n", QOP: []QOP{"auth-conf"}},
		{Realm: "r", Nonce: "n", Algorithm: SHA256Sess},
	} {
		if _, err := c.Respond(ch, "A", "u", nil); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `realm "r"`) {
			t.Errorf("Respond(%v) = %v", ch, err)
		}
	}
	if len(c.Realms()) != 0 {
		t.Errorf("unsupported challenges were cached: %v", c.Realms())
	}
}

func TestExchange(t *testing.T) {
	ch := func(nonce string, stale bool) Challenge {
		return Challenge{Realm: "r", Nonce: nonce, Stale: stale, QOP: []QOP{QOPAuth}, Algorithm: SHA256}
	}
	type step struct {
		chs     []Challenge // nil: a new exchange, check Authorize
		wantNC  uint32      // of the first credentials
		wantErr error
		cached  bool // the realm is cached afterwards
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"right password", []step{
			{nil, 0, nil, false},
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{nil, 2, nil, true}, // next request: proactive, nc=2
			{nil, 3, nil, true},
		}},
		{"wrong password", []step{
			{nil, 0, nil, false},
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{[]Challenge{ch("n2", false)}, 0, ErrRejected, false},
		}},
		{"wrong password, server keeps the nonce", []step{
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{[]Challenge{ch("n1", false)}, 0, ErrRejected, false},
		}},
		{"stale nonce retried once", []step{
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{[]Challenge{ch("n2", true)}, 1, nil, true},
			{[]Challenge{ch("n3", true)}, 0, ErrRejected, false},
		}},
		{"stale then refused", []step{
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{[]Challenge{ch("n2", true)}, 1, nil, true},
			{[]Challenge{ch("n3", false)}, 0, ErrRejected, false},
		}},
		{"cached credentials refused without stale are answered once", []step{
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{nil, 2, nil, true},                          // new request, proactive
			{[]Challenge{ch("n2", false)}, 1, nil, true}, // server forgot n1: answer
			{[]Challenge{ch("n3", false)}, 0, ErrRejected, false},
		}},
		{"cached credentials stale", []step{
			{[]Challenge{ch("n1", false)}, 1, nil, true},
			{nil, 2, nil, true},
			{[]Challenge{ch("n2", true)}, 1, nil, true},
			{[]Challenge{ch("n3", true)}, 1, nil, true}, // first stale retry of this exchange
			{[]Challenge{ch("n4", true)}, 0, ErrRejected, false},
		}},
		{"unsupported", []step{
			{[]Challenge{{Realm: "r", Nonce: "n", Algorithm: "AKAv1-MD5"}}, 0, ErrUnsupported, false},
			{[]Challenge{}, 0, ErrUnsupported, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient()
			x := c.NewExchange("REGISTER", "sip:r", nil)
			for i, s := range tt.steps {
				var crs []Credentials
				var err error
				if s.chs == nil {
					x = c.NewExchange("REGISTER", "sip:r", nil)
					crs = x.Authorize()
				} else {
					crs, err = x.Challenged(s.chs)
				}
				if !errors.Is(err, s.wantErr) {
					t.Fatalf("step %d: err = %v, want %v", i, err, s.wantErr)
				}
				if s.wantNC == 0 && crs != nil {
					t.Fatalf("step %d: credentials %+v, want none", i, crs)
				}
				if s.wantNC != 0 && (len(crs) != 1 || crs[0].NC != s.wantNC) {
					t.Fatalf("step %d: credentials %+v, want nc %d", i, crs, s.wantNC)
				}
				if got := len(c.Realms()) == 1; got != s.cached {
					t.Fatalf("step %d: cached = %v, want %v", i, got, s.cached)
				}
			}
		})
	}
}

func TestExchangeRealms(t *testing.T) {
	c := newTestClient()
	// Earlier request answered realm "home".
	if _, err := c.NewExchange("REGISTER", "sip:home", nil).Challenged([]Challenge{{Realm: "home", Nonce: "h", QOP: []QOP{QOPAuth}}}); err != nil {
		t.Fatal(err)
	}
	x := c.NewExchange("INVITE", "sip:bob@far", []byte("sdp"))
	if crs := x.Authorize(); len(crs) != 1 || crs[0].Realm != "home" {
		t.Fatalf("Authorize = %+v", crs)
	}
	// A forking proxy's 401 challenges two realms, one twice, and an
	// unsupported third one.
	crs, err := x.Challenged([]Challenge{
		{Realm: "b", Nonce: "b1", Algorithm: MD5},
		{Realm: "a", Nonce: "a1", Algorithm: MD5},
		{Realm: "b", Nonce: "b2", Algorithm: SHA512_256},
		{Realm: "ims", Nonce: "x", Algorithm: "AKAv1-MD5"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cr := range crs {
		got = append(got, fmt.Sprintf("%s/%s/%d", cr.Realm, cr.Nonce, cr.NC))
	}
	// Challenged realms in order, strongest per realm, then cached "home".
	want := []string{"b/b2/0", "a/a1/0", "home/h/3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("credentials %v, want %v", got, want)
	}
	// Realm "a" refuses again: the whole request fails, "a" is forgotten.
	_, err = x.Challenged([]Challenge{{Realm: "a", Nonce: "a2"}})
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), `realm "a"`) {
		t.Errorf("second challenge for a = %v", err)
	}
	if got := c.Realms(); !reflect.DeepEqual(got, []string{"b", "home"}) {
		t.Errorf("Realms = %v", got)
	}
}

func TestClientConcurrent(t *testing.T) {
	c := &Client{Username: "u", Password: "p"}
	if _, err := c.Respond(Challenge{Realm: "r", Nonce: "n", QOP: []QOP{QOPAuth}}, "A", "u", nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	seen := make(chan uint32, 400)
	for range 4 {
		wg.Go(func() {
			for range 100 {
				crs := c.Authorize("MESSAGE", "sip:x", nil)
				seen <- crs[0].NC
			}
		})
	}
	wg.Wait()
	close(seen)
	counts := map[uint32]bool{}
	for nc := range seen {
		if counts[nc] {
			t.Fatalf("nc %d used twice", nc)
		}
		counts[nc] = true
	}
}

func TestClientNeverPrintsSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	for _, c := range []*Client{
		{Username: "alice", Password: "hunter2"},
		{Username: "bob", HA1: "939e7578ed9e3c518a452acee763bce9", HA1Realm: "r"},
		{Username: "carol"},
	} {
		logger.Info("client", "c", c)
		fmt.Fprintf(&buf, "%v %s\n", c, c)
	}
	out := buf.String()
	for _, secret := range []string{"hunter2", "939e7578"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q printed:\n%s", secret, out)
		}
	}
	for _, want := range []string{`c.username=alice c.password=true`, `digest.Client{Username: "bob", HA1 for realm "r"}`, `"carol", no password`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
