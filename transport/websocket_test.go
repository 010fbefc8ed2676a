//go:build !js

package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/sip"
)

// wsServer starts an httptest server with a Ringo WebSocketHandler.
func wsServer(t *testing.T, secure bool) (*httptest.Server, *WebSocketHandler) {
	t.Helper()
	h := NewWebSocketHandler(&WebSocketHandlerOptions{Logger: quietLogger()})
	var srv *httptest.Server
	if secure {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return srv, h
}

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func newWS(t *testing.T, url string, opts *WebSocketOptions) *WebSocket {
	t.Helper()
	if opts == nil {
		opts = &WebSocketOptions{}
	}
	opts.Logger = quietLogger()
	s, err := NewWebSocket(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWebSocketLoopback exchanges real SIP messages with Ringo's handler
// and checks the RFC 7118 naming: Via WS with a random .invalid host, URI
// transport=ws, and a request from the server back over the connection.
func TestWebSocketLoopback(t *testing.T) {
	srv, h := wsServer(t, false)
	c := newWS(t, wsURL(srv), nil)
	dial(t, c)
	s := accept(t, h)

	port := srv.Listener.Addr().(interface{ String() string }).String()
	if got, want := c.URI().String(), "sip:"+port+";transport=ws"; got != want {
		t.Errorf("URI = %q, want %q", got, want)
	}
	if c.ViaTransport() != "WS" || !c.Reliable() {
		t.Errorf("ViaTransport = %q, Reliable = %v", c.ViaTransport(), c.Reliable())
	}
	host, p := c.SentBy()
	if !strings.HasSuffix(host, ".invalid") || len(host) < len("x.invalid") || p != 0 {
		t.Errorf("SentBy = %q, %d; want <random>.invalid, 0", host, p)
	}
	if c2 := newWS(t, wsURL(srv), nil); func() string { h, _ := c2.SentBy(); return h }() == host {
		t.Error("two sockets share a Via host: it is not random")
	}

	req, resp := roundTrip(t, c, s)
	via, err := req.Header().TopVia()
	if err != nil {
		t.Fatal(err)
	}
	if via.Transport != "WS" || via.Host != host || via.Port != 0 {
		t.Errorf("server saw Via %q", via.String())
	}
	if via.Received() != "127.0.0.1" {
		t.Errorf("received = %q", via.Received())
	}
	if rp, _ := via.RPort(); rp == 0 || rp != int(s.RemoteAddr().Port()) {
		t.Errorf("rport = %d, want the client's port %d", rp, s.RemoteAddr().Port())
	}
	if rv, _ := resp.Header().TopVia(); rv.Received() != "127.0.0.1" {
		t.Errorf("response Via = %q", rv.String())
	}

	// RFC 7118 §5.3: the server reaches the .invalid contact over the
	// connection it came on.
	if s.ViaTransport() != "WS" || !s.RemoteAddr().IsValid() {
		t.Errorf("accepted socket: %q, %v", s.ViaTransport(), s.RemoteAddr())
	}
	back := newOptions(s)
	back.URI = sip.MustParseURI("sip:alice@" + host + ";transport=ws")
	if err := s.Send(testCtx(t), back.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := readRequest(t, c); got.Method != "OPTIONS" || got.URI.Host != host {
		t.Errorf("client got %q", got.StartLine())
	}

	// A message above the WebSocket library's 32 KiB default read limit.
	big := newOptions(c)
	big.SetBody("text/plain", []byte(strings.Repeat("x", 40<<10)))
	if err := c.Send(testCtx(t), big.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := readRequest(t, s); len(got.Body()) != 40<<10 {
		t.Errorf("big message body: %d bytes", len(got.Body()))
	}

	// Closing with a code reaches the peer (which must be reading to
	// answer the close handshake).
	readErr := make(chan error, 1)
	go func() { _, err := c.Read(context.Background()); readErr <- err }()
	if err := s.(*WebSocket).CloseWithStatus(4000, "bye"); err != nil {
		t.Fatal(err)
	}
	err = recv(t, readErr)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
		t.Errorf("read after the server closed: %v", err)
	}
}

// TestWebSocketFrames checks, against a plain coder/websocket server, that
// binary and text frames are both read, that sends are text frames, and
// that CRLF keep-alive frames are answered and not returned.
func TestWebSocketFrames(t *testing.T) {
	got := make(chan websocket.MessageType, 4)
	payload := make(chan string, 4)
	msg := "SIP/2.0 200 OK\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		c.Write(ctx, websocket.MessageBinary, []byte(msg))
		c.Write(ctx, websocket.MessageText, []byte("\r\n\r\n"))
		c.Write(ctx, websocket.MessageText, []byte(msg))
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			got <- typ
			payload <- string(b)
		}
	}))
	defer srv.Close()

	c := newWS(t, wsURL(srv), nil)
	dial(t, c)
	for range 2 {
		if resp := readResponse(t, c); resp.StatusCode != 200 {
			t.Errorf("got %q", resp.StartLine())
		}
	}
	// The ping was answered while reading.
	if typ, b := recv(t, got), recv(t, payload); typ != websocket.MessageText || b != "\r\n" {
		t.Errorf("answer to the ping: %v %q", typ, b)
	}
	if err := c.Send(testCtx(t), []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if typ, b := recv(t, got), recv(t, payload); typ != websocket.MessageText || b != msg {
		t.Errorf("sent frame: %v %q", typ, b)
	}
	// A body in ISO 8859-1 is not UTF-8: it goes in a binary frame,
	// byte for byte.
	latin1 := "MESSAGE sip:bob@x SIP/2.0\r\nContent-Type: text/plain;charset=iso-8859-1\r\nContent-Length: 5\r\n\r\nGr\xfc\xdf!"
	if err := c.Send(testCtx(t), []byte(latin1)); err != nil {
		t.Fatal(err)
	}
	if typ, b := recv(t, got), recv(t, payload); typ != websocket.MessageBinary || b != latin1 {
		t.Errorf("sent frame: %v %q", typ, b)
	}
}

// TestWebSocketSubprotocolRefused dials a server that does not agree to
// "sip".
func TestWebSocketSubprotocolRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.Read(r.Context())
		c.CloseNow()
	}))
	defer srv.Close()
	c := newWS(t, wsURL(srv), nil)
	err := c.Dial(testCtx(t))
	if !errors.Is(err, ErrSubprotocol) {
		t.Fatalf("Dial = %v, want ErrSubprotocol", err)
	}
	if !strings.Contains(err.Error(), `"sip" subprotocol`) {
		t.Errorf("error does not say what is missing: %v", err)
	}
	if _, err := c.Read(testCtx(t)); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Read after a refused Dial: %v", err)
	}
}

// TestWebSocketHandlerRequiresSIP checks that Ringo's handler refuses a
// client that does not offer "sip".
func TestWebSocketHandlerRequiresSIP(t *testing.T) {
	srv, _ := wsServer(t, false)
	_, resp, err := websocket.Dial(testCtx(t), wsURL(srv), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("dial without sip: err %v, response %v", err, resp)
	}
}

// TestWebSocketTLS checks that wss verifies the server's certificate by
// default, trusts a given CA pool, and skips verification only on request.
func TestWebSocketTLS(t *testing.T) {
	srv, h := wsServer(t, true)
	url := wsURL(srv)
	if !strings.HasPrefix(url, "wss://") {
		t.Fatalf("url %q", url)
	}

	err := newWS(t, url, nil).Dial(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Dial to a self-signed server without its CA = %v, want a certificate error", err)
	}

	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c := newWS(t, url, &WebSocketOptions{TLSConfig: &tlsConfig{RootCAs: pool}})
	dial(t, c)
	if c.ViaTransport() != "WSS" || c.URI().Params.Value("transport") != "ws" {
		t.Errorf("wss: Via %q, URI %q", c.ViaTransport(), c.URI().String())
	}
	s := accept(t, h)
	if s.ViaTransport() != "WSS" {
		t.Errorf("accepted wss socket: %q", s.ViaTransport())
	}
	roundTrip(t, c, s)

	insecure := newWS(t, url, &WebSocketOptions{InsecureSkipVerify: true})
	dial(t, insecure)
	accept(t, h)
}

// TestListenWebSocket runs the standalone listener, plain and with TLS.
func TestListenWebSocket(t *testing.T) {
	cert, pool := testpeer.Cert(t)
	for _, secure := range []bool{false, true} {
		var cfg *tlsConfig
		scheme := "ws://"
		if secure {
			cfg, scheme = &tlsConfig{Certificates: []tlsCertificate{cert}}, "wss://"
		}
		l, err := ListenWebSocket("127.0.0.1:0", cfg, &WebSocketHandlerOptions{Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		c := newWS(t, scheme+l.Addr().String()+"/sip", &WebSocketOptions{TLSConfig: &tlsConfig{RootCAs: pool}})
		dial(t, c)
		s := accept(t, l)
		roundTrip(t, c, s)
		if host, port := s.SentBy(); host != "127.0.0.1" || port != int(l.Addr().Port()) {
			t.Errorf("accepted socket SentBy = %s:%d, want %v", host, port, l.Addr())
		}
		l.Close()
		if _, err := l.Accept(testCtx(t)); !errors.Is(err, ErrClosed) {
			t.Errorf("Accept after Close: %v", err)
		}
		// The accepted connection outlives the listener.
		roundTrip(t, c, s)
	}
}

// TestWebSocketPing checks native WebSocket pings: answered while the
// peer reads, and a failure (closing the connection) when it does not.
func TestWebSocketPing(t *testing.T) {
	srv, h := wsServer(t, false)
	c := newWS(t, wsURL(srv), nil)
	dial(t, c)
	s := accept(t, h)
	readErr := make(chan error, 2)
	go func() { _, err := s.Read(context.Background()); readErr <- err }()
	go func() { _, err := c.Read(context.Background()); readErr <- err }()
	if err := c.Ping(testCtx(t)); err != nil {
		t.Fatalf("ping: %v", err)
	}

	// A peer that stops reading does not answer.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}})
		if err != nil {
			return
		}
		<-r.Context().Done()
		conn.CloseNow()
	}))
	defer srv2.Close()
	c2 := newWS(t, wsURL(srv2), nil)
	dial(t, c2)
	go func() { _, err := c2.Read(context.Background()); readErr <- err }()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if err := c2.Ping(ctx); err == nil {
		t.Fatal("ping to a silent peer succeeded")
	}
	if err := recv(t, readErr); err == nil {
		t.Error("connection still open after a failed ping")
	}
}

// TestTransportOverWebSocket runs a Transport over a real WebSocket: it
// connects, delivers messages, reports the peer's close code, and
// reconnects after the backoff on the fake clock.
func TestTransportOverWebSocket(t *testing.T) {
	srv, h := wsServer(t, false)
	clk := clock.NewFake(time.Unix(0, 0))
	ws := newWS(t, wsURL(srv), nil)
	tr := newTestTransport(t, clk, func(int64) int64 { return 0 }, Config{Sockets: []WeightedSocket{{Socket: ws, Weight: 1}}})
	nextEvent(t, tr, EventConnecting)
	if ev := nextEvent(t, tr, EventConnected); ev.Socket != ws {
		t.Fatalf("connected socket %v", ev.Socket)
	}
	s := accept(t, h)
	req := newOptions(tr.Socket())
	if err := tr.Send(testCtx(t), req.Bytes()); err != nil {
		t.Fatal(err)
	}
	answer(t, s)
	in := recv(t, tr.Messages())
	if resp := parseResponse(t, in.Data); resp.StatusCode != 200 || in.Socket != ws {
		t.Errorf("inbound %q on %v", resp.StartLine(), in.Socket)
	}

	s.(*WebSocket).CloseWithStatus(1001, "going away")
	ev := nextEvent(t, tr, EventDisconnected)
	if ev.Code != 1001 || ev.Reason != "going away" {
		t.Errorf("disconnected: code %d reason %q err %v", ev.Code, ev.Reason, ev.Err)
	}
	if d, _ := clk.Next(); d != 2*time.Second {
		t.Fatalf("reconnect in %v", d)
	}
	clk.Advance(2 * time.Second)
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	s = accept(t, h)
	if err := tr.Send(testCtx(t), newOptions(tr.Socket()).Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := answer(t, s); got.Method != "OPTIONS" {
		t.Errorf("after reconnecting the server got %q", got.StartLine())
	}
	recv(t, tr.Messages())
}

func TestNewWebSocketErrors(t *testing.T) {
	for _, u := range []string{"http://x", "ws://", "wss://h:99999", "::"} {
		if _, err := NewWebSocket(u, nil); err == nil {
			t.Errorf("NewWebSocket(%q) did not fail", u)
		}
	}
	s, err := NewWebSocket("wss://[::1]:8443/ws", &WebSocketOptions{ViaHost: "me.example"})
	if err != nil {
		t.Fatal(err)
	}
	if s.URI().String() != "sip:[::1]:8443;transport=ws" || s.ViaTransport() != "WSS" || s.RemoteAddr().String() != "[::1]:8443" {
		t.Errorf("URI %q, Via %q, remote %v", s.URI().String(), s.ViaTransport(), s.RemoteAddr())
	}
	if h, _ := s.SentBy(); h != "me.example" {
		t.Errorf("SentBy host %q", h)
	}
	_ = strconv.Itoa
}

// TestWebSocketReadContext checks what the context of Read does when a
// reader passes the same one to every Read, as Transport's reader does
// (the socket then watches it once instead of on every frame): ending it
// between Reads leaves the connection open, ending it during a Read ends
// the Read with the context's error and closes the connection, and a Read
// with a context that has ended fails at once.
func TestWebSocketReadContext(t *testing.T) {
	srv, h := wsServer(t, false)
	c := newWS(t, wsURL(srv), nil)
	dial(t, c)
	s := accept(t, h)
	send := func(from Socket) {
		t.Helper()
		if err := from.Send(testCtx(t), newOptions(from).Bytes()); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	read := func(ctx context.Context) {
		t.Helper()
		if _, err := c.Read(ctx); err != nil {
			t.Fatalf("read: %v", err)
		}
	}

	// Ended between Reads: the connection stays open.
	ctx1, cancel1 := context.WithCancel(context.Background())
	for range 3 {
		send(s)
		read(ctx1)
	}
	cancel1()
	time.Sleep(10 * time.Millisecond) // let the context's AfterFunc run
	send(s)
	read(context.Background())
	if _, err := c.Read(ctx1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with an ended context: %v", err)
	}

	// Ended during a Read: the Read ends and the connection closes.
	c2 := newWS(t, wsURL(srv), nil)
	dial(t, c2)
	s2 := accept(t, h)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	for range 3 {
		send(s2)
		if _, err := c2.Read(ctx2); err != nil {
			t.Fatal(err)
		}
	}
	readErr := make(chan error, 1)
	go func() { _, err := c2.Read(ctx2); readErr <- err }()
	time.Sleep(10 * time.Millisecond) // let the Read block
	cancel2()
	if err := recv(t, readErr); !errors.Is(err, context.Canceled) {
		t.Errorf("Read when its context ended: %v", err)
	}
	if _, err := s2.Read(testCtx(t)); err == nil {
		t.Error("the peer still reads after the context of a Read ended")
	}
}
