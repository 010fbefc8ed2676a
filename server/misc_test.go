//go:build !js

package server_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

func TestParseUsers(t *testing.T) {
	users, err := server.ParseUsers(strings.NewReader("# users\n\nalice:wonder:land\n  bob : builder\n#carol:x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users["alice"] != "wonder:land" || users["bob"] != " builder" {
		t.Errorf("users = %q", users)
	}
	for _, bad := range []string{"alice\n", ":pw\n", "a:1\na:2\n"} {
		if _, err := server.ParseUsers(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("ParseUsers(%q) = %v, want an error naming the line", bad, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none")
	badFile := filepath.Join(dir, "bad")
	os.WriteFile(badFile, []byte("nocolon\n"), 0o600)
	for _, c := range []struct {
		cfg   server.Config
		field string
	}{
		{server.Config{UDP: "nonsense"}, "Config.UDP"},
		{server.Config{TLS: "127.0.0.1:0"}, "Config.TLSConfig"},
		{server.Config{WSS: "127.0.0.1:0", TLSConfig: &tls.Config{}}, "Config.TLSConfig"},
		{server.Config{MinExpires: 1500 * time.Millisecond}, "Config.MinExpires"},
		{server.Config{MinExpires: time.Hour, MaxExpires: time.Minute}, "Config.MaxExpires"},
		{server.Config{Users: map[string]string{"a:b": "x"}}, "Config.Users"},
		{server.Config{UsersFile: missing}, "Config.UsersFile"},
		{server.Config{UsersFile: badFile}, "line 1"},
		{server.Config{DigestAlgorithms: []digest.Algorithm{"SHA-1"}}, "Config.DigestAlgorithms"},
	} {
		_, err := server.New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("New(%+v) = %v, want an error naming %s", c.cfg, err, c.field)
		}
	}
}

// Users from a file turn authentication on.
func TestUsersFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(f, []byte("# test users\nalice:wonderland\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, server.Config{UsersFile: f, Domain: "example.com"})
	alice := newUA(t, s, "udp", "alice", uaOptions{password: "wonderland"})
	req := alice.newRequest("REGISTER", "sip:example.com", alice.aor())
	if r := alice.start(req).final(); r.StatusCode != 401 ||
		!strings.Contains(r.Header().Get("WWW-Authenticate"), `realm="example.com"`) {
		t.Fatalf("REGISTER without credentials:\n%s", r)
	}
	if r := alice.register(600); r.StatusCode != 200 {
		t.Fatalf("REGISTER: %s", r.StartLine())
	}
	// The default challenges: SHA-256 first, then MD5 (RFC 8760).
	if got := challengeAlgorithms(t, alice); !slices.Equal(got, []string{"SHA-256", "MD5"}) {
		t.Errorf("challenges for %v, want SHA-256 then MD5", got)
	}
	// Another domain is not served.
	other := newUA(t, s, "udp", "alice", uaOptions{password: "wonderland", domain: "example.org"})
	if r := other.register(600); r.StatusCode != 403 {
		t.Errorf("REGISTER in another domain: %s", r.StartLine())
	}
}

// DigestAlgorithms chooses the challenges, for clients that read only the
// first one (baresip 1.0).
func TestDigestAlgorithms(t *testing.T) {
	s := startServer(t, server.Config{Users: map[string]string{"alice": "pw"}, DigestAlgorithms: []digest.Algorithm{digest.MD5}})
	alice := newUA(t, s, "udp", "alice", uaOptions{password: "pw"})
	if got := challengeAlgorithms(t, alice); !slices.Equal(got, []string{"MD5"}) {
		t.Errorf("challenges for %v, want MD5 alone", got)
	}
	if r := alice.register(600); r.StatusCode != 200 {
		t.Fatalf("REGISTER: %s", r.StartLine())
	}
}

// challengeAlgorithms sends a REGISTER without credentials and returns
// the algorithms of the 401's challenges, in order.
func challengeAlgorithms(t *testing.T, u *ua) []string {
	t.Helper()
	r := u.start(u.newRequest("REGISTER", "sip:"+u.domain, u.aor())).final()
	if r.StatusCode != 401 {
		t.Fatalf("REGISTER without credentials:\n%s", r)
	}
	var algs []string
	for _, v := range r.Header().Values("WWW-Authenticate") {
		ch, err := digest.ParseChallenge(v)
		if err != nil {
			t.Fatalf("challenge %q: %v", v, err)
		}
		algs = append(algs, string(ch.Algorithm))
	}
	return algs
}

// The WebSocket handler mounted on another HTTP server serves SIP.
func TestHandler(t *testing.T) {
	s := startServer(t, server.Config{WS: server.Off})
	if a := s.Addrs(); a.WS.IsValid() || !a.UDP.IsValid() {
		t.Fatalf("Addrs = %+v", a)
	}
	mux := http.NewServeMux()
	mux.Handle("/sip", s.Handler())
	hs := httptest.NewServer(mux)
	defer hs.Close()

	sock, err := transport.NewWebSocket(strings.Replace(hs.URL, "http", "ws", 1)+"/sip", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	if err := sock.Dial(ctx); err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	host, _ := sock.SentBy()
	req := sip.NewRequest("REGISTER", sip.MustParseURI("sip:example.com"))
	h := req.Header()
	h.Add("Via", "SIP/2.0/WS "+host+";branch="+sip.NewBranch())
	h.Add("Max-Forwards", "70")
	h.Add("From", "<sip:alice@example.com>;tag=1")
	h.Add("To", "<sip:alice@example.com>")
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", "1 REGISTER")
	h.Add("Contact", "<sip:alice@"+host+";transport=ws>;expires=120")
	if err := sock.Send(ctx, req.Bytes()); err != nil {
		t.Fatal(err)
	}
	data, err := sock.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sip.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := m.(*sip.Response); !ok || resp.StatusCode != 200 {
		t.Fatalf("REGISTER through the mounted handler: %s", m.StartLine())
	}
	if bs := s.Bindings("alice"); len(bs) != 1 || bs[0].Transport != "WS" {
		t.Errorf("Bindings = %+v", bs)
	}
}

// testCert returns a server configuration with a self-signed certificate
// for 127.0.0.1 and a client configuration that trusts it.
func testCert(t *testing.T) (*tls.Config, *tls.Config) {
	cert, pool := testpeer.Cert(t)
	return &tls.Config{Certificates: []tls.Certificate{cert}}, &tls.Config{RootCAs: pool}
}

// TLS and WSS clients register and exchange a MESSAGE.
func TestTLSAndWSS(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	s := startServer(t, server.Config{TLS: "127.0.0.1:0", WSS: "127.0.0.1:0", TLSConfig: srvTLS})
	alice := registered(t, s, "tls", "alice", uaOptions{tls: cliTLS})
	bob := registered(t, s, "wss", "bob", uaOptions{tls: cliTLS})
	if bs := s.Bindings("bob"); len(bs) != 1 || bs[0].Transport != "WSS" {
		t.Fatalf("bob's bindings %+v", bs)
	}
	got, resp := message(t, alice, bob, "over TLS")
	if resp.StatusCode != 200 || string(got.Body()) != "over TLS" {
		t.Fatalf("MESSAGE: %s", resp.StartLine())
	}
}

// Close ends every goroutine of the server, with clients still
// connected.
func TestCloseLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := server.New(server.Config{WS: "127.0.0.1:0", UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	clients := []*ua{
		registered(t, s, "ws", "alice", uaOptions{}),
		registered(t, s, "tcp", "bob", uaOptions{}),
		registered(t, s, "udp", "carol", uaOptions{}),
	}
	inv := clients[2].newRequest("INVITE", clients[0].aor(), clients[0].aor())
	clients[2].start(inv)
	clients[0].expect("INVITE")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		c.close()
	}
	deadline := time.Now().Add(waitTime)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s.Bindings("alice") != nil {
		t.Errorf("Bindings after Close")
	}
}

// ListenAndServe returns when its context ends; Start with an ended
// context fails.
func TestListenAndServe(t *testing.T) {
	s, err := server.New(server.Config{UDP: "127.0.0.1:0", Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx) }()
	deadline := time.Now().Add(waitTime)
	for !s.Addrs().UDP.IsValid() {
		if time.Now().After(deadline) {
			t.Fatal("not listening")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitTime):
		t.Fatal("ListenAndServe did not return")
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
	// A port in use is an error from Start.
	busy, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	s2, _ := server.New(server.Config{UDP: busy.LocalAddr().String(), Logger: testLogger()})
	if err := s2.Start(context.Background()); err == nil {
		s2.Close()
		t.Error("Start on a busy port succeeded")
	}
}
