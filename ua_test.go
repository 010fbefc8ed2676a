package ringo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// peer is a scripted SIP server on a real WebSocket listener: the test
// reads what the UA sends and answers it by hand, to drive one state
// machine through exact steps. Integration with real servers is in the
// interop tests.
type peer struct {
	t     *testing.T
	l     *transport.WebSocketListener
	mu    sync.Mutex
	sock  transport.Socket
	ready chan struct{} // closed at the first connection
	in    chan sip.Message
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	l, err := transport.ListenWebSocket("127.0.0.1:0", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, l: l, in: make(chan sip.Message, 64), ready: make(chan struct{})}
	t.Cleanup(func() { l.Close() })
	go p.acceptLoop()
	return p
}

func (p *peer) url() string { return "ws://" + p.l.Addr().String() }

func (p *peer) acceptLoop() {
	for {
		s, err := p.l.Accept(context.Background())
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.sock == nil {
			close(p.ready)
		}
		p.sock = s
		p.mu.Unlock()
		go func() {
			for {
				b, err := s.Read(context.Background())
				if err != nil {
					return
				}
				m, err := sip.Parse(b)
				if err != nil {
					p.t.Errorf("peer: UA sent an unparseable message: %v\n%s", err, b)
					return
				}
				p.in <- m
			}
		}()
	}
}

// next returns the next message the UA sent.
func (p *peer) next() sip.Message {
	p.t.Helper()
	select {
	case m := <-p.in:
		return m
	case <-time.After(10 * time.Second):
		p.t.Fatal("peer: nothing received from the UA")
		return nil
	}
}

// nextRequest returns the next request, skipping responses.
func (p *peer) nextRequest(method string) *sip.Request {
	p.t.Helper()
	for {
		if r, ok := p.next().(*sip.Request); ok {
			if r.Method != method {
				p.t.Fatalf("peer: got %s, want %s", r.Method, method)
			}
			return r
		}
	}
}

func (p *peer) nextResponse() *sip.Response {
	p.t.Helper()
	for {
		if r, ok := p.next().(*sip.Response); ok {
			return r
		}
	}
}

func (p *peer) send(m sip.Message) {
	p.t.Helper()
	<-p.ready
	p.mu.Lock()
	s := p.sock
	p.mu.Unlock()
	if err := s.Send(context.Background(), m.Bytes()); err != nil {
		p.t.Fatal(err)
	}
}

// reply answers req with code and extra header lines.
func (p *peer) reply(req *sip.Request, code int, headers ...string) *sip.Response {
	p.t.Helper()
	resp := sip.NewResponse(req, code, "")
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		resp.Header().Add(name, strings.TrimSpace(value))
	}
	p.send(resp)
	return resp
}

// eventLog collects a UA's events as lines, for ordered assertions.
type eventLog struct {
	mu     sync.Mutex
	events []string
	ch     chan string
}

func watch(ua *UA) *eventLog {
	l := &eventLog{ch: make(chan string, 100)}
	add := func(s string) {
		l.mu.Lock()
		l.events = append(l.events, s)
		l.mu.Unlock()
		l.ch <- s
	}
	ua.OnConnected(func(ConnectedEvent) { add("connected") })
	ua.OnDisconnected(func(DisconnectedEvent) { add("disconnected") })
	ua.OnRegistered(func(e RegisteredEvent) { add(fmt.Sprintf("registered %d", e.Expires)) })
	ua.OnUnregistered(func(e UnregisteredEvent) { add("unregistered " + string(e.Cause)) })
	ua.OnRegistrationFailed(func(e RegistrationFailedEvent) {
		add(fmt.Sprintf("registrationFailed %s %d", e.Err.Cause, e.Err.StatusCode))
	})
	return l
}

// wait returns the next event, failing after 10 s.
func (l *eventLog) wait(t *testing.T, want string) {
	t.Helper()
	for {
		select {
		case got := <-l.ch:
			if got == want {
				return
			}
			if got == "connected" || got == "disconnected" {
				continue
			}
			t.Fatalf("event %q, want %q", got, want)
		case <-time.After(10 * time.Second):
			t.Fatalf("no event %q", want)
		}
	}
}

func startUA(t *testing.T, p *peer, clk clock.Clock, mutate func(*Config)) *UA {
	t.Helper()
	ws, err := transport.NewWebSocket(p.url(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Sockets:  []transport.WeightedSocket{{Socket: ws}},
		URI:      "sip:alice@ringo.test",
		Password: "secret",
		Logger:   testLogger(),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	ua, err := newUA(cfg, clk)
	if err != nil {
		t.Fatal(err)
	}
	return ua
}

func start(t *testing.T, ua *UA) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ua.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		ua.Stop(ctx)
	})
}

// digestServer answers challenges in the peer's place.
func digestServer(clk clock.Clock) *digest.Server {
	return &digest.Server{Realm: "ringo.test", Secret: []byte("k"), Clock: clk.Now, NonceLifetime: time.Hour}
}

func challenge(t *testing.T, srv *digest.Server) string {
	t.Helper()
	chs, err := srv.Challenges(false)
	if err != nil {
		t.Fatal(err)
	}
	return "WWW-Authenticate: " + chs[0].String()
}

func verify(t *testing.T, srv *digest.Server, req *sip.Request) {
	t.Helper()
	cr, err := digest.ParseCredentials(req.Header().Get("Authorization"))
	if err != nil {
		t.Fatalf("Authorization: %v", err)
	}
	err = srv.Verify(cr, req.Method, req.Body(), func(user, realm string, _ digest.Algorithm) (digest.Key, bool) {
		return digest.Key{Password: "secret"}, user == "alice"
	})
	if err != nil {
		t.Fatalf("credentials refused: %v", err)
	}
}

func TestRegisterWithDigestAndRefresh(t *testing.T) {
	p := newPeer(t)
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	ua := startUA(t, p, clk, func(c *Config) { c.KeepAliveInterval = -1 })
	log := watch(ua)
	start(t, ua)
	srv := digestServer(clk)

	reg := p.nextRequest("REGISTER")
	h := reg.Header()
	if got, want := reg.StartLine(), "REGISTER sip:ringo.test SIP/2.0"; got != want {
		t.Errorf("start line %q, want %q", got, want)
	}
	via, _ := h.TopVia()
	if via.Transport != "WS" || !strings.HasSuffix(via.Host, ".invalid") || !strings.HasPrefix(via.Branch(), sip.MagicCookie) {
		t.Errorf("Via %q is not an RFC 7118 WebSocket Via", via.String())
	}
	cs, err := h.Contact()
	if err != nil || len(cs) != 1 {
		t.Fatalf("Contact %v: %v", cs, err)
	}
	c := cs[0]
	for name, want := range map[string]string{"reg-id": "1", "expires": "600", "+sip.instance": `"<urn:uuid:` + ua.InstanceID() + `>"`} {
		if got := c.Params.Value(name); got != want {
			t.Errorf("Contact %s = %q, want %q", name, got, want)
		}
	}
	if !c.Params.Has("+sip.ice") || c.URI.Params.Value("transport") != "ws" || c.URI.Host != via.Host {
		t.Errorf("Contact %q", c.String())
	}
	if supported := strings.Join(h.Values("Supported"), ", "); h.Get("Expires") != "600" || supported != supportedHeader {
		t.Errorf("Expires %q Supported %q", h.Get("Expires"), supported)
	}
	cseq, _ := h.CSeq()
	if cseq.Seq != 1 || h.Has("Authorization") {
		t.Errorf("first REGISTER: CSeq %v, Authorization %q", cseq, h.Get("Authorization"))
	}

	p.reply(reg, 401, challenge(t, srv))
	reg2 := p.nextRequest("REGISTER")
	verify(t, srv, reg2)
	cseq2, _ := reg2.Header().CSeq()
	if cseq2.Seq != 2 || reg2.Header().CallID() != h.CallID() {
		t.Errorf("resent REGISTER: CSeq %v Call-ID %q, want 2 and %q", cseq2, reg2.Header().CallID(), h.CallID())
	}
	p.reply(reg2, 200, "Contact: "+c.String())
	log.wait(t, "registered 600")
	if !ua.IsRegistered() {
		t.Error("IsRegistered false after 200")
	}

	// The refresh comes between half the interval and 32 s before the end.
	clk.Advance(299 * time.Second)
	select {
	case m := <-p.in:
		t.Fatalf("refresh before half the interval: %s", m.StartLine())
	case <-time.After(100 * time.Millisecond):
	}
	// Step through the window one second at a time: a single large step
	// would also run the refresh's own Timer F inside the same Advance.
	var reg3 *sip.Request
	for step := 0; step < 269 && reg3 == nil; step++ {
		clk.Advance(time.Second)
		select {
		case m := <-p.in:
			reg3 = m.(*sip.Request)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if reg3 == nil {
		reg3 = p.nextRequest("REGISTER")
	}
	cseq3, _ := reg3.Header().CSeq()
	if cseq3.Seq != 3 {
		t.Errorf("refresh CSeq %v, want 3", cseq3)
	}
	verify(t, srv, reg3) // proactive credentials from the cache
	p.reply(reg3, 200, "Contact: "+c.String())
	log.wait(t, "registered 600")
}

func TestRegister423AndFailureRetry(t *testing.T) {
	p := newPeer(t)
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	ua := startUA(t, p, clk, func(c *Config) { c.KeepAliveInterval = -1 })
	log := watch(ua)
	start(t, ua)

	reg := p.nextRequest("REGISTER")
	p.reply(reg, 423, "Min-Expires: 1200")
	reg2 := p.nextRequest("REGISTER")
	if got := reg2.Header().Get("Expires"); got != "1200" {
		t.Fatalf("after 423: Expires %q, want 1200", got)
	}
	p.reply(reg2, 403)
	log.wait(t, "registrationFailed Rejected 403")
	if ua.IsRegistered() {
		t.Error("registered after 403")
	}
	// Beyond JsSIP: a retry after 2 s (the first backoff step).
	clk.Advance(2 * time.Second)
	reg3 := p.nextRequest("REGISTER")
	p.reply(reg3, 200, "Contact: "+reg3.Header().Get("Contact"))
	log.wait(t, "registered 1200")
}

func TestRegisterDisconnectReconnect(t *testing.T) {
	p := newPeer(t)
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	ua := startUA(t, p, clk, func(c *Config) { c.KeepAliveInterval = -1 })
	log := watch(ua)
	start(t, ua)
	reg := p.nextRequest("REGISTER")
	p.reply(reg, 200, "Contact: "+reg.Header().Get("Contact"))
	log.wait(t, "registered 600")

	p.mu.Lock()
	p.sock.Close()
	p.mu.Unlock()
	log.wait(t, "unregistered Connection Error")
	// The transport reconnects after its backoff; then the UA registers
	// again on the new flow, with the same Call-ID and a higher CSeq.
	for i := 0; i < 40 && !ua.IsConnected(); i++ {
		clk.Advance(time.Second)
		time.Sleep(10 * time.Millisecond)
	}
	reg2 := p.nextRequest("REGISTER")
	c1, _ := reg.Header().CSeq()
	c2, _ := reg2.Header().CSeq()
	if reg2.Header().CallID() != reg.Header().CallID() || c2.Seq <= c1.Seq {
		t.Errorf("re-REGISTER Call-ID %q CSeq %d after %q %d", reg2.Header().CallID(), c2.Seq, reg.Header().CallID(), c1.Seq)
	}
	p.reply(reg2, 200, "Contact: "+reg2.Header().Get("Contact"))
	log.wait(t, "registered 600")
}

func TestUnregister(t *testing.T) {
	p := newPeer(t)
	ua := startUA(t, p, clock.Real(), func(c *Config) { c.ManualRegister = true })
	log := watch(ua)
	start(t, ua)
	done := make(chan error, 1)
	go func() { done <- ua.Register(context.Background()) }()
	reg := p.nextRequest("REGISTER")
	p.reply(reg, 200, "Contact: "+reg.Header().Get("Contact"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, all := range []bool{false, true} {
		go func() { done <- ua.Unregister(context.Background(), all) }()
		un := p.nextRequest("REGISTER")
		contact, expires := un.Header().Get("Contact"), un.Header().Get("Expires")
		if all && contact != "*" || !all && !strings.Contains(contact, ";expires=0") || expires != "0" {
			t.Errorf("all=%v: Contact %q Expires %q", all, contact, expires)
		}
		p.reply(un, 200)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	log.wait(t, "registered 600")
	log.wait(t, "unregistered ")
}

func TestSendMessage(t *testing.T) {
	p := newPeer(t)
	ua := startUA(t, p, clock.Real(), func(c *Config) { c.ManualRegister = true; c.DisplayName = "Alice" })
	start(t, ua)
	srv := digestServer(clock.Real())
	tests := []struct {
		name      string
		answer    func(req *sip.Request)
		wantCause Cause
		wantCode  int
	}{
		{"200", func(req *sip.Request) { p.reply(req, 200) }, "", 200},
		{"404", func(req *sip.Request) { p.reply(req, 404) }, CauseNotFound, 404},
		{"486", func(req *sip.Request) { p.reply(req, 486) }, CauseBusy, 486},
		{"407 then 202", func(req *sip.Request) {
			chs, _ := srv.Challenges(false)
			p.reply(req, 407, "Proxy-Authenticate: "+chs[0].String())
			req2 := p.nextRequest("MESSAGE")
			if !req2.Header().Has("Proxy-Authorization") {
				t.Error("no Proxy-Authorization after 407")
			}
			p.reply(req2, 202)
		}, "", 202},
		{"401 twice", func(req *sip.Request) {
			p.reply(req, 401, challenge(t, srv))
			p.reply(p.nextRequest("MESSAGE"), 401, challenge(t, srv))
		}, CauseAuthenticationError, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				resp *sip.Response
				err  error
			}
			res := make(chan result, 1)
			go func() {
				resp, err := ua.SendMessage(context.Background(), "bob", "hello Bob", &MessageOptions{ExtraHeaders: []string{"X-Test: 1"}})
				res <- result{resp, err}
			}()
			req := p.nextRequest("MESSAGE")
			if got := req.StartLine(); got != "MESSAGE sip:bob@ringo.test SIP/2.0" {
				t.Errorf("start line %q", got)
			}
			if string(req.Body()) != "hello Bob" || req.Header().Get("Content-Type") != "text/plain" || req.Header().Get("X-Test") != "1" {
				t.Errorf("body %q type %q X-Test %q", req.Body(), req.Header().Get("Content-Type"), req.Header().Get("X-Test"))
			}
			if from := req.Header().Get("From"); !strings.HasPrefix(from, `"Alice" <sip:alice@ringo.test>;tag=`) {
				t.Errorf("From %q", from)
			}
			tt.answer(req)
			r := <-res
			if tt.wantCause == "" {
				if r.err != nil || r.resp.StatusCode != tt.wantCode {
					t.Fatalf("got %v, %v; want %d", r.resp, r.err, tt.wantCode)
				}
				return
			}
			var e *Error
			if !errors.As(r.err, &e) || !errors.Is(r.err, tt.wantCause) || e.StatusCode != tt.wantCode {
				t.Fatalf("err %v, want cause %q and status %d", r.err, tt.wantCause, tt.wantCode)
			}
		})
	}
	if _, err := ua.SendMessage(context.Background(), "sip:ibc@iñaki.ðđß", "x", nil); err == nil {
		t.Error("an invalid target was accepted")
	}
}

func TestIncomingRequests(t *testing.T) {
	p := newPeer(t)
	ua := startUA(t, p, clock.Real(), func(c *Config) { c.ManualRegister = true })
	got := make(chan *IncomingRequest, 4)
	ua.OnNewMessage(func(r *IncomingRequest) {
		got <- r
		if string(r.Body()) == "reject me" {
			r.Reject(488, "Not Here")
		}
	})
	start(t, ua)
	// A request as a proxy forwards it to our Contact.
	var n int
	incoming := func(method, ruri, body string, extra ...string) *sip.Request {
		n++
		req := sip.NewRequest(method, sip.MustParseURI(ruri))
		h := req.Header()
		h.Add("Via", "SIP/2.0/WS proxy.invalid;branch="+sip.NewBranch())
		h.Add("From", "<sip:bob@ringo.test>;tag=b"+fmt.Sprint(n))
		h.Add("To", "<sip:alice@ringo.test>")
		h.Add("Call-ID", sip.NewCallID())
		h.Add("CSeq", "1 "+method)
		h.Add("Max-Forwards", "69")
		for _, x := range extra {
			name, value, _ := strings.Cut(x, ":")
			h.Set(name, strings.TrimSpace(value))
		}
		if body != "" {
			req.SetBody("text/plain", []byte(body))
		}
		p.send(req)
		return req
	}
	tests := []struct {
		name     string
		send     func() *sip.Request
		want     int
		wantHdrs map[string]string
	}{
		{"MESSAGE accepted by default", func() *sip.Request { return incoming("MESSAGE", "sip:alice@ringo.test", "hi") }, 200, nil},
		{"MESSAGE rejected by the app", func() *sip.Request { return incoming("MESSAGE", "sip:alice@ringo.test", "reject me") }, 488, nil},
		{"OPTIONS without user", func() *sip.Request { return incoming("OPTIONS", "sip:ringo.test", "") }, 200,
			map[string]string{"Allow": allowHeader, "Supported": supportedHeader}},
		{"another user", func() *sip.Request { return incoming("MESSAGE", "sip:carol@ringo.test", "x") }, 404, nil},
		{"unknown method", func() *sip.Request { return incoming("PUBLISH", "sip:alice@ringo.test", "") }, 405, map[string]string{"Allow": allowHeader}},
		{"unsupported Require", func() *sip.Request {
			return incoming("MESSAGE", "sip:alice@ringo.test", "x", "Require: foo, gruu")
		}, 420, map[string]string{"Unsupported": "foo"}},
		{"compressed body", func() *sip.Request {
			return incoming("MESSAGE", "sip:alice@ringo.test", "x", "Content-Encoding: gzip")
		}, 415, map[string]string{"Accept-Encoding": "identity"}},
		{"no dialog for a To tag", func() *sip.Request {
			return incoming("MESSAGE", "sip:alice@ringo.test", "x", "To: <sip:alice@ringo.test>;tag=gone")
		}, 481, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.send()
			resp := p.nextResponse()
			if resp.StatusCode != tt.want {
				t.Fatalf("%s answered %d %s, want %d", req.Method, resp.StatusCode, resp.Reason, tt.want)
			}
			for name, want := range tt.wantHdrs {
				if got := strings.Join(resp.Header().Values(name), ", "); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
	first := <-got
	if string(first.Body()) != "hi" || first.ContentType() != "text/plain" || first.From().URI.User != "bob" {
		t.Errorf("new message: body %q type %q from %v", first.Body(), first.ContentType(), first.From())
	}
}

func TestConfigValidation(t *testing.T) {
	ws, err := transport.NewWebSocket("ws://127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	sockets := []transport.WeightedSocket{{Socket: ws}}
	tests := []struct {
		cfg   Config
		field string
	}{
		{Config{URI: "sip:a@b"}, "Sockets"},
		{Config{Sockets: []transport.WeightedSocket{{}}, URI: "sip:a@b"}, "Sockets[0]"},
		{Config{Sockets: sockets}, "URI"},
		{Config{Sockets: sockets, URI: "http://x"}, "URI"},
		{Config{Sockets: sockets, URI: "sip:a@b", HA1: "abc"}, "Realm"},
		{Config{Sockets: sockets, URI: "sip:a@b", RegistrarServer: "sip:u@h"}, "RegistrarServer"},
		{Config{Sockets: sockets, URI: "sip:a@b", InstanceID: "not-a-uuid"}, "InstanceID"},
		{Config{Sockets: sockets, URI: "sip:a@b", ViaHost: "bad host"}, "ViaHost"},
		{Config{Sockets: sockets, URI: "sip:a@b", RegisterExtraHeaders: []string{"no colon"}}, "RegisterExtraHeaders"},
		{Config{Sockets: sockets, URI: "sip:a@b", RegisterExpires: time.Millisecond}, "RegisterExpires"},
	}
	for _, tt := range tests {
		_, err := NewUA(tt.cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field {
			t.Errorf("%+v: err %v, want a ConfigError for %s", tt.cfg, err, tt.field)
		}
	}
}

// testLogger discards logs unless RINGO_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("RINGO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}
