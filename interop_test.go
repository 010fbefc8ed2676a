package ringo_test

// Integration tests of the public API against real peers: the embedded
// server (this file), Kamailio, JsSIP in Node.js and sipp
// (interop_kamailio_test.go), faults (interop_fault_test.go) and load
// (load_test.go). The peers are started by the tests; a missing tool
// fails the test with an install hint (internal/testpeer), it never skips.
// RINGO_DEBUG=1 logs every SIP message of the UAs and the embedded server.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// waitTime bounds each wait of an interop test.
const waitTime = 10 * time.Second

// testLogger discards, or logs at Debug level to stderr with RINGO_DEBUG
// set.
func testLogger() *slog.Logger {
	if os.Getenv("RINGO_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// event is one UA event, as the recorder keeps it.
type event struct {
	name string // connecting, connected, disconnected, registered, unregistered, registrationFailed
	at   time.Time
	// detail: the cause of unregistered, the status of registrationFailed.
	detail string
}

// recorder keeps a UA's events in order. wait consumes them with a
// cursor, so that a test can wait for "registered" twice and see two
// registrations.
type recorder struct {
	mu     sync.Mutex
	events []event
	cursor int
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) add(name, detail string) {
	r.mu.Lock()
	r.events = append(r.events, event{name: name, at: time.Now(), detail: detail})
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// wait returns the first event called name after the cursor, and moves
// the cursor past it; it fails the test after waitTime.
func (r *recorder) wait(t testing.TB, name string) event {
	t.Helper()
	deadline := time.After(waitTime)
	for {
		r.mu.Lock()
		for i := r.cursor; i < len(r.events); i++ {
			if r.events[i].name == name {
				r.cursor = i + 1
				ev := r.events[i]
				r.mu.Unlock()
				return ev
			}
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("no %q event within %v; events so far: %v", name, waitTime, r.names())
		}
	}
}

// all returns a copy of every event so far.
func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// names lists the events so far as "name" or "name(detail)".
func (r *recorder) names() []string {
	var out []string
	for _, e := range r.all() {
		s := e.name
		if e.detail != "" {
			s += "(" + e.detail + ")"
		}
		out = append(out, s)
	}
	return out
}

// count returns how many events called name there were so far.
func (r *recorder) count(name string) int {
	n := 0
	for _, e := range r.all() {
		if e.name == name {
			n++
		}
	}
	return n
}

// agent is a started Ringo UA with its events recorded and its incoming
// MESSAGE and OPTIONS requests on channels. A MESSAGE with an
// "X-Ringo-Reject: CODE" header is rejected with CODE; any other is
// accepted with 200.
type agent struct {
	name string
	ua   *ringo.UA
	rec  *recorder
	msgs chan *ringo.IncomingRequest
	opts chan *ringo.IncomingRequest
}

// agentConfig is what an agent needs: server is a transport.NewSocket
// string (ws://..., udp:..., tcp:...).
type agentConfig struct {
	server   string
	uri      string
	password string
	// mutate, if set, edits the Config before NewUA.
	mutate func(*ringo.Config)
}

// newAgent makes a UA with its handlers set, not started.
func newAgent(t testing.TB, ac agentConfig) *agent {
	t.Helper()
	sock, err := transport.NewSocket(ac.server, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	cfg := ringo.Config{
		Sockets:  []transport.WeightedSocket{{Socket: sock}},
		URI:      ac.uri,
		Password: ac.password,
		Logger:   testLogger(),
	}
	if ac.mutate != nil {
		ac.mutate(&cfg)
	}
	ua, err := ringo.NewUA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := &agent{
		name: ac.uri,
		ua:   ua,
		rec:  newRecorder(),
		msgs: make(chan *ringo.IncomingRequest, 64),
		opts: make(chan *ringo.IncomingRequest, 64),
	}
	ua.OnConnecting(func(ringo.ConnectingEvent) { a.rec.add("connecting", "") })
	ua.OnConnected(func(ringo.ConnectedEvent) { a.rec.add("connected", "") })
	ua.OnDisconnected(func(ringo.DisconnectedEvent) { a.rec.add("disconnected", "") })
	ua.OnRegistered(func(ringo.RegisteredEvent) { a.rec.add("registered", "") })
	ua.OnUnregistered(func(e ringo.UnregisteredEvent) { a.rec.add("unregistered", string(e.Cause)) })
	ua.OnRegistrationFailed(func(e ringo.RegistrationFailedEvent) {
		a.rec.add("registrationFailed", fmt.Sprint(e.Err.StatusCode))
	})
	ua.OnNewMessage(func(r *ringo.IncomingRequest) {
		if code := r.Request.Header().Get("X-Ringo-Reject"); code != "" {
			var c int
			fmt.Sscan(code, &c)
			if err := r.Reject(c, ""); err != nil {
				t.Errorf("%s: Reject(%d): %v", a.name, c, err)
			}
		}
		select {
		case a.msgs <- r:
		default:
			t.Errorf("%s: too many MESSAGEs unread", a.name)
		}
	})
	ua.OnNewOptions(func(r *ringo.IncomingRequest) {
		select {
		case a.opts <- r:
		default:
			t.Errorf("%s: too many OPTIONS unread", a.name)
		}
	})
	return a
}

// startAgent makes and starts a UA (it registers unless mutate sets
// ManualRegister) and stops it in t.Cleanup.
func startAgent(t testing.TB, ac agentConfig) *agent {
	t.Helper()
	a := newAgent(t, ac)
	a.start(t)
	return a
}

func (a *agent) start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	if err := a.ua.Start(ctx); err != nil {
		t.Fatalf("%s: Start: %v", a.name, err)
	}
	t.Cleanup(func() { a.stop(t) })
}

// stop stops the UA and fails the test if Stop does not return in time.
func (a *agent) stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	done := make(chan struct{})
	go func() {
		a.ua.Stop(ctx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitTime + time.Second):
		t.Errorf("%s: Stop did not return", a.name)
	}
}

// nextRequest returns the next request from ch, failing after waitTime.
func nextRequest(t testing.TB, who string, ch chan *ringo.IncomingRequest) *ringo.IncomingRequest {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitTime):
		t.Fatalf("%s received nothing within %v", who, waitTime)
		return nil
	}
}

// ctxT returns a context bounded by waitTime and cancelled with the test.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	t.Cleanup(cancel)
	return ctx
}

// startServer starts the embedded server on free loopback ports for WS,
// UDP and TCP, with digest authentication when users is not empty.
func startServer(t testing.TB, users map[string]string) *server.Server {
	t.Helper()
	return startServerAt(t, server.Config{WS: "127.0.0.1:0", UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", Users: users})
}

func startServerAt(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	cfg.Logger = testLogger()
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// serverString names a listener of s as transport.NewSocket wants it.
func serverString(t testing.TB, s *server.Server, network string) string {
	t.Helper()
	a := s.Addrs()
	switch network {
	case "ws":
		return "ws://" + a.WS.String()
	case "udp":
		return "udp:" + a.UDP.String()
	case "tcp":
		return "tcp:" + a.TCP.String()
	}
	t.Fatalf("unknown network %q", network)
	return ""
}

// payload is a MESSAGE body with its content type.
type payload struct{ contentType, body string }

// payloads are sent one way or the other in every message exchange: a
// UTF-8 text with a line break, JSON, and a text type with parameters.
var payloads = []payload{
	{"text/plain;charset=utf-8", "héllo wörld ✓ 日本語 🎉\r\nsecond line"},
	{"application/json", `{"greeting":"hi","n":[1,2,3],"nested":{"ok":true}}`},
	{"text/plain", "plain ascii"},
	{"application/vnd.ringo+xml;charset=UTF-8", "<m a=\"1\">x &amp; y</m>"},
}

// exchange sends every payload from one agent to the other with an extra
// header, and checks that body, content type, From and the header arrive
// intact and that the sender gets the 200.
func exchange(t *testing.T, from, to *agent, target string) {
	t.Helper()
	ctx := ctxT(t)
	for i, p := range payloads {
		hdr := fmt.Sprintf("X-Ringo-Seq: %d", i)
		resp, err := from.ua.SendMessage(ctx, target, p.body, &ringo.MessageOptions{
			ContentType:  p.contentType,
			ExtraHeaders: []string{hdr},
		})
		if err != nil {
			t.Fatalf("%s → %s: SendMessage %q: %v", from.name, target, p.body, err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("%s → %s: status %d, want 200", from.name, target, resp.StatusCode)
		}
		got := nextRequest(t, to.name, to.msgs)
		if b := string(got.Body()); b != p.body {
			t.Errorf("%s received body %q, want %q", to.name, b, p.body)
		}
		if ct := got.ContentType(); ct != p.contentType {
			t.Errorf("%s received Content-Type %q, want %q", to.name, ct, p.contentType)
		}
		if f := got.From(); f.URI.User != from.ua.URI().User || f.URI.Host != from.ua.URI().Host {
			t.Errorf("%s received From %s, want %s", to.name, f.URI, from.ua.URI())
		}
		if v := got.Request.Header().Get("X-Ringo-Seq"); v != fmt.Sprint(i) {
			t.Errorf("%s received X-Ringo-Seq %q, want %d", to.name, v, i)
		}
		if got.Request.Method != "MESSAGE" || got.Originator != ringo.Remote {
			t.Errorf("%s received %s from %s, want a remote MESSAGE", to.name, got.Request.Method, got.Originator)
		}
	}
}

// reject sends a MESSAGE that the other agent rejects with 488 and checks
// the sender sees the failure with its status.
func reject(t *testing.T, from, to *agent, target string) {
	t.Helper()
	ctx := ctxT(t)
	_, err := from.ua.SendMessage(ctx, target, "reject me", &ringo.MessageOptions{ExtraHeaders: []string{"X-Ringo-Reject: 488"}})
	var rerr *ringo.Error
	if !errors.As(err, &rerr) || rerr.StatusCode != 488 || rerr.Cause != ringo.CauseIncompatibleSDP {
		t.Errorf("%s → %s: rejected MESSAGE gave %v, want an *ringo.Error with 488", from.name, target, err)
	}
	nextRequest(t, to.name, to.msgs)
}

// options sends an OPTIONS from one agent to the other, which sees it,
// and checks that the 200 carries the UA's capabilities.
func options(t *testing.T, from, to *agent, target string) {
	t.Helper()
	resp, err := from.ua.SendOptions(ctxT(t), target, nil)
	if err != nil {
		t.Fatalf("%s → %s: SendOptions: %v", from.name, target, err)
	}
	h := resp.Header()
	for _, name := range []string{"Allow", "Accept", "Supported"} {
		if h.Get(name) == "" {
			t.Errorf("%s → %s: OPTIONS 200 lacks %s:\n%s", from.name, target, name, resp)
		}
	}
	if allow := h.Values("Allow"); !slices.Contains(allow, "MESSAGE") || !slices.Contains(allow, "OPTIONS") {
		t.Errorf("%s → %s: Allow %q lacks MESSAGE or OPTIONS", from.name, target, allow)
	}
	got := nextRequest(t, to.name, to.opts)
	if got.Request.Method != "OPTIONS" || got.From().URI.User != from.ua.URI().User {
		t.Errorf("%s received %s from %s, want OPTIONS from %s", to.name, got.Request.Method, got.From().URI, from.ua.URI())
	}
}

// optionsServer sends an OPTIONS to the server itself (a URI without user).
func optionsServer(t *testing.T, from *agent, target string) *sip.Response {
	t.Helper()
	resp, err := from.ua.SendOptions(ctxT(t), target, nil)
	if err != nil {
		t.Fatalf("%s → %s: SendOptions: %v", from.name, target, err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("%s → %s: OPTIONS status %d, want 200", from.name, target, resp.StatusCode)
	}
	return resp
}

// goroutines is the number of goroutines once the count stops falling
// (goroutines of earlier tests may still be ending).
func goroutines() int {
	n := runtime.NumGoroutine()
	for range 20 {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return min(m, n)
		}
		n = m
	}
	return n
}

// checkGoroutines waits up to 5 s for the goroutine count to come back to
// base, and fails the test with every goroutine's stack if it does not.
func checkGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	n := runtime.NumGoroutine()
	for n > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if n > base {
		var b bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Errorf("goroutine leak: %d goroutines, %d before; stacks:\n%s", n, base, b.String())
	}
}

// TestEmbeddedServer: two Ringo UAs on every pair of transports register
// with the embedded server (with and without digest authentication), send
// MESSAGEs both ways with their bodies, content types and extra headers
// intact, see a rejection's status, send OPTIONS to each other and to the
// server, and unregister.
func TestEmbeddedServer(t *testing.T) {
	t.Parallel()
	pairs := []struct{ from, to string }{
		{"ws", "udp"}, {"udp", "tcp"}, {"tcp", "ws"}, {"ws", "ws"},
	}
	for _, auth := range []bool{false, true} {
		for _, p := range pairs {
			t.Run(fmt.Sprintf("%s-%s/auth=%v", p.from, p.to, auth), func(t *testing.T) {
				t.Parallel()
				var users map[string]string
				alicePW, bobPW := "", ""
				if auth {
					alicePW, bobPW = "alice-secret", "bob-secret"
					users = map[string]string{"alice": alicePW, "bob": bobPW}
				}
				srv := startServer(t, users)
				alice := startAgent(t, agentConfig{server: serverString(t, srv, p.from), uri: "sip:alice@ringo.test", password: alicePW})
				bob := startAgent(t, agentConfig{server: serverString(t, srv, p.to), uri: "sip:bob@ringo.test", password: bobPW})
				alice.rec.wait(t, "registered")
				bob.rec.wait(t, "registered")
				for _, a := range []struct {
					ag      *agent
					user, n string
				}{{alice, "alice", p.from}, {bob, "bob", p.to}} {
					if !a.ag.ua.IsRegistered() || !a.ag.ua.IsConnected() {
						t.Errorf("%s: IsRegistered %v, IsConnected %v", a.user, a.ag.ua.IsRegistered(), a.ag.ua.IsConnected())
					}
					bs := srv.Bindings(a.user)
					if len(bs) != 1 || !strings.EqualFold(bs[0].Transport, a.n) ||
						bs[0].Instance != "<urn:uuid:"+a.ag.ua.InstanceID()+">" {
						t.Errorf("%s: bindings %+v, want one over %s with instance %s", a.user, bs, a.n, a.ag.ua.InstanceID())
					}
				}

				exchange(t, alice, bob, "sip:bob@ringo.test")
				exchange(t, bob, alice, "alice") // a bare user, completed with the UA's domain
				reject(t, alice, bob, "sip:bob@ringo.test")
				options(t, alice, bob, "sip:bob@ringo.test")
				options(t, bob, alice, "sip:alice@ringo.test")
				optionsServer(t, alice, "sip:ringo.test")
				optionsServer(t, bob, "sip:ringo.test")

				// Unknown user: 404, with its cause.
				_, err := alice.ua.SendMessage(ctxT(t), "sip:nobody@ringo.test", "x", nil)
				if !errors.Is(err, ringo.CauseNotFound) {
					t.Errorf("MESSAGE to an unknown user: %v, want %v", err, ringo.CauseNotFound)
				}

				for _, a := range []struct {
					ag   *agent
					user string
				}{{alice, "alice"}, {bob, "bob"}} {
					if err := a.ag.ua.Unregister(ctxT(t), false); err != nil {
						t.Fatalf("%s: Unregister: %v", a.user, err)
					}
					a.ag.rec.wait(t, "unregistered")
					if a.ag.ua.IsRegistered() {
						t.Errorf("%s: still IsRegistered after Unregister", a.user)
					}
					if bs := srv.Bindings(a.user); len(bs) != 0 {
						t.Errorf("%s: bindings after Unregister: %+v", a.user, bs)
					}
				}
				// Bob is offline now: a MESSAGE to him gets 480 (a
				// known user) or 404 (the server knows no users).
				_, err = alice.ua.SendMessage(ctxT(t), "sip:bob@ringo.test", "x", nil)
				var rerr *ringo.Error
				if !errors.As(err, &rerr) || (rerr.StatusCode != 480 && rerr.StatusCode != 404) {
					t.Errorf("MESSAGE to an unregistered user: %v, want 480 or 404", err)
				}
			})
		}
	}
}

// TestEmbeddedServerWrongPassword: the server's digest authentication is
// real: a wrong password fails registration with 401 and leaves no binding.
func TestEmbeddedServerWrongPassword(t *testing.T) {
	t.Parallel()
	srv := startServer(t, map[string]string{"alice": "right"})
	for _, network := range []string{"ws", "udp", "tcp"} {
		a := startAgent(t, agentConfig{
			server: serverString(t, srv, network), uri: "sip:alice@ringo.test", password: "wrong",
			mutate: func(c *ringo.Config) { c.ManualRegister = true; c.RegisterRetryMax = -1 },
		})
		err := a.ua.Register(ctxT(t))
		var rerr *ringo.Error
		if !errors.As(err, &rerr) || rerr.StatusCode != 401 || rerr.Cause != ringo.CauseAuthenticationError {
			t.Errorf("%s: Register with a wrong password: %v, want 401 %s", network, err, ringo.CauseAuthenticationError)
		}
		if ev := a.rec.wait(t, "registrationFailed"); ev.detail != "401" {
			t.Errorf("%s: registrationFailed %q, want 401", network, ev.detail)
		}
		if bs := srv.Bindings("alice"); len(bs) != 0 {
			t.Errorf("%s: bindings after a failed registration: %+v", network, bs)
		}
	}
}
