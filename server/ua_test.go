//go:build !js

package server_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
	"github.com/ringo-sip/ringo/transport"
)

// waitTime bounds every wait of a test.
const waitTime = 5 * time.Second

// testLogger logs to stderr at Debug level with -v and RINGO_DEBUG set,
// and discards otherwise.
func testLogger() *slog.Logger {
	if os.Getenv("RINGO_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startServer starts a server on random loopback ports for WS, UDP and TCP.
func startServer(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.WS == "" {
		cfg.WS = "127.0.0.1:0"
	}
	if cfg.UDP == "" {
		cfg.UDP = "127.0.0.1:0"
	}
	if cfg.TCP == "" {
		cfg.TCP = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
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

// serverAddr is the only destination of a test UA: everything goes to the
// server over the UA's one socket.
type serverAddr struct{ network string }

func (a serverAddr) Network() string { return a.network }
func (a serverAddr) String() string  { return "server" }

// inbound is a request a test UA received: a new server transaction, or
// an ACK (st nil for a stray one).
type inbound struct {
	st  *transaction.Server
	req *sip.Request
}

// ua is a minimal user agent for tests, built from the transport and
// transaction packages as the real UA is: one socket to the server, a
// loop goroutine that owns a transaction layer, and a reading goroutine.
type ua struct {
	t        testing.TB
	user     string
	domain   string
	sock     transport.Socket
	network  string
	via      string
	contact  string
	layer    *transaction.Layer
	tasks    chan func()
	quit     chan struct{}
	wg       sync.WaitGroup
	incoming chan inbound
	callID   string
	cseq     uint32
	www      *digest.Client
	proxy    *digest.Client
	cancel   context.CancelFunc
}

// uaOptions tune newUA.
type uaOptions struct {
	password string
	domain   string
	// contactParams are appended to the Contact URI's header parameters.
	contactParams string
	// tls configures "tls" and "wss" clients.
	tls *tls.Config
}

// newUA connects a test UA for user to the server over network ("ws",
// "udp" or "tcp").
func newUA(t testing.TB, s *server.Server, network, user string, opt uaOptions) *ua {
	t.Helper()
	a := s.Addrs()
	var sock transport.Socket
	var err error
	switch network {
	case "ws":
		sock, err = transport.NewWebSocket("ws://"+a.WS.String(), &transport.WebSocketOptions{Logger: testLogger()})
	case "udp":
		sock, err = transport.NewUDPSocket(a.UDP.String(), &transport.Options{Logger: testLogger()})
	case "tcp":
		sock, err = transport.NewTCPSocket(a.TCP.String(), &transport.Options{Logger: testLogger()})
	case "tls":
		sock, err = transport.NewTLSSocket(a.TLS.String(), opt.tls, &transport.Options{Logger: testLogger()})
	case "wss":
		sock, err = transport.NewWebSocket("wss://"+a.WSS.String(), &transport.WebSocketOptions{Logger: testLogger(), TLSConfig: opt.tls})
	default:
		t.Fatalf("unknown network %q", network)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	if err := sock.Dial(ctx); err != nil {
		t.Fatal(err)
	}
	host, port := sock.SentBy()
	sentBy := host
	if port != 0 {
		sentBy += ":" + strconv.Itoa(port)
	}
	domain := opt.domain
	if domain == "" {
		domain = "example.com"
	}
	u := &ua{
		t: t, user: user, domain: domain, sock: sock, network: network,
		via:      "SIP/2.0/" + sock.ViaTransport() + " " + sentBy + ";rport",
		contact:  "<sip:" + user + "@" + sentBy + ";transport=" + network + ">" + opt.contactParams,
		tasks:    make(chan func(), 256),
		quit:     make(chan struct{}),
		incoming: make(chan inbound, 64),
		callID:   sip.NewCallID(),
		cseq:     1,
	}
	if opt.password != "" {
		u.www = &digest.Client{Username: user, Password: opt.password}
		u.proxy = &digest.Client{Username: user, Password: opt.password}
	}
	u.layer, err = transaction.NewLayer(transaction.Config{
		Sender: transaction.SenderFunc(func(msg sip.Message, _ transaction.Addr) error {
			ctx, cancel := context.WithTimeout(context.Background(), waitTime)
			defer cancel()
			return sock.Send(ctx, msg.Bytes())
		}),
		Handler: transaction.HandlerFuncs{
			Request: func(st *transaction.Server, req *sip.Request) {
				st.SetHandler(transaction.ServerFuncs{ACK: func(_ *transaction.Server, ack *sip.Request) {
					u.incoming <- inbound{req: ack}
				}})
				u.incoming <- inbound{st: st, req: req}
			},
			Stray: func(msg sip.Message, _ transaction.Addr) {
				if req, ok := msg.(*sip.Request); ok {
					u.incoming <- inbound{req: req}
				}
			},
		},
		Post: u.post,
	})
	if err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithCancel(context.Background())
	u.cancel = rcancel
	u.wg.Add(2)
	go func() {
		defer u.wg.Done()
		for {
			select {
			case f := <-u.tasks:
				f()
			case <-u.quit:
				u.layer.Close()
				return
			}
		}
	}()
	go func() {
		defer u.wg.Done()
		for {
			data, err := sock.Read(rctx)
			if err != nil {
				return
			}
			msg, err := sip.Parse(data)
			if err != nil {
				t.Errorf("%s: unparseable message from the server: %v\n%s", user, err, data)
				continue
			}
			u.post(func() { u.layer.HandleMessage(msg, serverAddr{network}, sock.Reliable()) })
		}
	}()
	t.Cleanup(u.close)
	return u
}

func (u *ua) post(f func()) {
	select {
	case u.tasks <- f:
	case <-u.quit:
	}
}

// do runs f on the UA's loop and waits for it.
func (u *ua) do(f func()) {
	done := make(chan struct{})
	u.post(func() { f(); close(done) })
	select {
	case <-done:
	case <-u.quit:
	}
}

func (u *ua) close() {
	select {
	case <-u.quit:
		return
	default:
	}
	u.sock.Close()
	u.cancel()
	close(u.quit)
	u.wg.Wait()
}

// aor returns the UA's address of record.
func (u *ua) aor() string { return "sip:" + u.user + "@" + u.domain }

// newRequest builds an out-of-dialog request from the UA.
func (u *ua) newRequest(method, ruri, to string) *sip.Request {
	req := sip.NewRequest(method, sip.MustParseURI(ruri))
	h := req.Header()
	h.Add("Via", u.via)
	h.Add("Max-Forwards", "70")
	h.Add("From", "<"+u.aor()+">;tag="+sip.NewTag())
	h.Add("To", "<"+to+">")
	if method == "REGISTER" {
		h.Add("Call-ID", u.callID)
	} else {
		h.Add("Call-ID", sip.NewCallID())
	}
	u.cseq++
	h.Add("CSeq", strconv.FormatUint(uint64(u.cseq), 10)+" "+method)
	h.Add("Contact", u.contact)
	return req
}

// call is a client transaction of a test UA.
type call struct {
	u         *ua
	client    *transaction.Client
	req       *sip.Request
	responses chan *sip.Response
	errs      chan error
}

// start sends req in a new client transaction.
func (u *ua) start(req *sip.Request) *call {
	c := &call{u: u, req: req, responses: make(chan *sip.Response, 16), errs: make(chan error, 1)}
	var err error
	u.do(func() {
		c.client, err = u.layer.Request(req, serverAddr{u.network}, u.sock.Reliable(), transaction.ClientFuncs{
			Response: func(_ *transaction.Client, resp *sip.Response) { c.responses <- resp },
			Error:    func(_ *transaction.Client, err error) { c.errs <- err },
		})
	})
	if err != nil {
		u.t.Fatalf("%s: %v", u.user, err)
	}
	return c
}

// next returns the next response of the call.
func (c *call) next() *sip.Response {
	c.u.t.Helper()
	select {
	case r := <-c.responses:
		return r
	case err := <-c.errs:
		c.u.t.Fatalf("%s %s: %v", c.u.user, c.req.Method, err)
	case <-time.After(waitTime):
		c.u.t.Fatalf("%s %s: no response", c.u.user, c.req.Method)
	}
	return nil
}

// final returns the call's final response, skipping provisional ones.
func (c *call) final() *sip.Response {
	c.u.t.Helper()
	for {
		if r := c.next(); r.StatusCode >= 200 {
			return r
		}
	}
}

// send sends req and returns its final response, answering 401 and 407
// challenges when the UA has a password.
func (u *ua) send(req *sip.Request) *sip.Response {
	u.t.Helper()
	var xw, xp *digest.Exchange
	if u.www != nil {
		xw = u.www.NewExchange(req.Method, req.URI.String(), req.Body())
		xp = u.proxy.NewExchange(req.Method, req.URI.String(), req.Body())
	}
	for range 3 {
		resp := u.start(req.Clone()).final()
		var x *digest.Exchange
		var challenge, authz string
		switch resp.StatusCode {
		case 401:
			x, challenge, authz = xw, "WWW-Authenticate", "Authorization"
		case 407:
			x, challenge, authz = xp, "Proxy-Authenticate", "Proxy-Authorization"
		default:
			return resp
		}
		if x == nil {
			return resp
		}
		var chs []digest.Challenge
		for _, f := range resp.Header().Fields() {
			if strings.EqualFold(f.Name, challenge) {
				if ch, err := digest.ParseChallenge(f.Value); err == nil {
					chs = append(chs, ch)
				}
			}
		}
		creds, err := x.Challenged(chs)
		if err != nil {
			return resp
		}
		h := req.Header()
		h.Del(authz)
		for _, cr := range creds {
			h.Add(authz, cr.String())
		}
		u.cseq++
		cseq, _ := h.CSeq()
		h.Set("CSeq", strconv.FormatUint(uint64(u.cseq), 10)+" "+cseq.Method)
		h.Set("Via", u.via)
	}
	u.t.Fatalf("%s: challenged too often", u.user)
	return nil
}

// register registers the UA's contact for expires seconds.
func (u *ua) register(expires int) *sip.Response {
	u.t.Helper()
	req := u.newRequest("REGISTER", "sip:"+u.domain, u.aor())
	req.Header().Set("To", "<"+u.aor()+">")
	req.Header().Add("Expires", strconv.Itoa(expires))
	return u.send(req)
}

// expect returns the next request the UA receives.
func (u *ua) expect(method string) inbound {
	u.t.Helper()
	select {
	case in := <-u.incoming:
		if in.req.Method != method {
			u.t.Fatalf("%s: got %s, want %s:\n%s", u.user, in.req.Method, method, in.req)
		}
		return in
	case <-time.After(waitTime):
		u.t.Fatalf("%s: no %s arrived", u.user, method)
	}
	return inbound{}
}

// expectNothing checks that no request arrives for a while.
func (u *ua) expectNothing(d time.Duration) {
	u.t.Helper()
	select {
	case in := <-u.incoming:
		u.t.Fatalf("%s: unexpected %s", u.user, in.req.Method)
	case <-time.After(d):
	}
}

// respond answers an inbound request on the UA's loop.
func (u *ua) respond(in inbound, resp *sip.Response) {
	u.t.Helper()
	var err error
	u.do(func() { err = in.st.Respond(resp) })
	if err != nil {
		u.t.Fatalf("%s: respond %d: %v", u.user, resp.StatusCode, err)
	}
}

// reply answers an inbound request with code and the UA's Contact.
func (u *ua) reply(in inbound, code int, toTag string) *sip.Response {
	resp := sip.NewResponse(in.req, code, "")
	if toTag != "" {
		resp.SetToTag(toTag)
	}
	for _, rr := range in.req.Header().Values("Record-Route") {
		resp.Header().Add("Record-Route", rr)
	}
	resp.Header().Add("Contact", u.contact)
	u.respond(in, resp)
	return resp
}

// sendStateless sends a request outside any transaction (an ACK for a
// 2xx), with a fresh branch.
func (u *ua) sendStateless(req *sip.Request) {
	u.t.Helper()
	h := req.Header()
	h.Del("Via")
	h.Prepend("Via", u.via+";branch="+sip.NewBranch())
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	if err := u.sock.Send(ctx, req.Bytes()); err != nil {
		u.t.Fatal(err)
	}
}

// fakeClock returns a fake clock at a fixed date.
func fakeClock() *clock.Fake {
	return clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
}

// contacts returns the Contact values of a response.
func contacts(t testing.TB, resp *sip.Response) []sip.Address {
	t.Helper()
	cs, err := resp.Header().Contact()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func addrOf(t testing.TB, s string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

var _ = fmt.Sprint
