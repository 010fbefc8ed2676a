//go:build !js

package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/sip"
)

// pipeSocket returns a StreamSocket over one end of a net.Pipe and the
// other end, for tests of framing and keep-alives.
func pipeSocket(t *testing.T) (*StreamSocket, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return newAcceptedStream("tcp", a, &Options{Logger: quietLogger()}), b
}

const pipeMsg = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\nContent-Length: 5\r\n\r\nhello"

// TestStreamFraming feeds messages and keep-alives in odd chunks and checks
// that Read returns whole messages, answers pings, and hides pongs.
func TestStreamFraming(t *testing.T) {
	s, peer := pipeSocket(t)
	go func() {
		// A stray CRLF (ignored: this side sent no ping), a message cut
		// every 7 bytes, a ping in two writes (one ping, not two pongs:
		// the framer waits to see what follows a lone CRLF) and another
		// message.
		for _, part := range []string{"\r\n", pipeMsg, "\r\n", "\r\n", pipeMsg} {
			for i := 0; i < len(part); i += 7 {
				peer.Write([]byte(part[i:min(i+7, len(part))]))
			}
		}
	}()
	pong := make(chan string, 1)
	go func() {
		b := make([]byte, 2)
		io.ReadFull(peer, b)
		pong <- string(b)
	}()
	for i := range 2 {
		b, err := s.Read(testCtx(t))
		if err != nil || string(b) != pipeMsg {
			t.Fatalf("message %d: %q, %v", i, b, err)
		}
	}
	if got := recv(t, pong); got != sip.KeepAlivePong {
		t.Errorf("answer to the ping = %q", got)
	}
}

// TestStreamBadContentLength checks that a message without Content-Length
// closes the stream with an error wrapping sip.ErrBadContentLength.
func TestStreamBadContentLength(t *testing.T) {
	s, peer := pipeSocket(t)
	go peer.Write([]byte("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\n\r\n"))
	_, err := s.Read(testCtx(t))
	if !errors.Is(err, sip.ErrBadContentLength) {
		t.Fatalf("Read = %v, want ErrBadContentLength", err)
	}
	if _, err := peer.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after a framing error")
	}
}

// TestStreamPing checks RFC 5626 pings from our side: answered, and a
// timeout that closes the connection.
func TestStreamPing(t *testing.T) {
	s, peer := pipeSocket(t)
	go func() { // our read loop, which receives the pong
		for {
			if _, err := s.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	go func() { // the peer answers one ping, then reads silently
		r := bufio.NewReader(peer)
		b := make([]byte, 4)
		io.ReadFull(r, b)
		if string(b) == sip.KeepAlivePing {
			peer.Write([]byte(sip.KeepAlivePong))
		}
		io.Copy(io.Discard, r)
	}()
	if err := s.Ping(testCtx(t)); err != nil {
		t.Fatalf("answered ping: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := s.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unanswered ping = %v, want DeadlineExceeded", err)
	}
	if err := s.Send(testCtx(t), []byte(pipeMsg)); err == nil {
		t.Error("send after a failed ping worked: the connection should be closed")
	}
}

func TestTCPLoopback(t *testing.T) {
	l, err := ListenTCP("127.0.0.1:0", &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := NewTCPSocket(l.Addr().String(), &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.URI().String(), "sip:"+l.Addr().String()+";transport=tcp"; got != want {
		t.Errorf("URI = %q, want %q", got, want)
	}
	dial(t, c)
	s := accept(t, l)
	if c.ViaTransport() != "TCP" || !c.Reliable() {
		t.Errorf("Via %q reliable %v", c.ViaTransport(), c.Reliable())
	}
	host, port := c.SentBy()
	if host != "127.0.0.1" || port != int(s.RemoteAddr().Port()) {
		t.Errorf("SentBy = %s:%d, server sees %v", host, port, s.RemoteAddr())
	}
	req, _ := roundTrip(t, c, s)
	if via, _ := req.Header().TopVia(); via.Received() != "127.0.0.1" {
		t.Errorf("Via at the server: %q", via.String())
	}
	if err := c.Dial(testCtx(t)); !errors.Is(err, ErrAlreadyConnected) {
		t.Errorf("second Dial = %v", err)
	}
	if err := s.Dial(testCtx(t)); !errors.Is(err, ErrAccepted) {
		t.Errorf("Dial on an accepted socket = %v", err)
	}
}

// TestTCPKeepAliveBothWays pings from each side while the other reads.
func TestTCPKeepAliveBothWays(t *testing.T) {
	l, err := ListenTCP("127.0.0.1:0", &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, _ := NewTCPSocket(l.Addr().String(), &Options{Logger: quietLogger()})
	dial(t, c)
	s := accept(t, l)
	got := make(chan string, 2)
	for _, sock := range []Socket{c, s} {
		go func() {
			b, err := sock.Read(context.Background())
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(b)
		}()
	}
	if err := c.Ping(testCtx(t)); err != nil {
		t.Errorf("client ping: %v", err)
	}
	if err := s.(Pinger).Ping(testCtx(t)); err != nil {
		t.Errorf("server ping: %v", err)
	}
	// The reads are still waiting for a message: the keep-alives were
	// consumed, not returned.
	if len(got) != 0 {
		t.Errorf("Read returned %q for a keep-alive", <-got)
	}
	c.Send(testCtx(t), []byte(pipeMsg))
	s.Send(testCtx(t), []byte(pipeMsg))
	for range 2 {
		if m := recv(t, got); m != pipeMsg {
			t.Errorf("read %q", m)
		}
	}
}

func TestTLSLoopback(t *testing.T) {
	cert, pool := testpeer.Cert(t)
	l, err := ListenTLS("127.0.0.1:0", &tlsConfig{Certificates: []tlsCertificate{cert}}, &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	// The system roots do not trust the test certificate.
	bad, _ := NewTLSSocket(l.Addr().String(), nil, &Options{Logger: quietLogger()})
	go func() {
		if s, err := l.Accept(testCtx(t)); err == nil {
			s.Read(testCtx(t)) // fails with the handshake
			s.Close()
		}
	}()
	if err := bad.Dial(testCtx(t)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Dial without the CA = %v, want a certificate error", err)
	}

	c, err := NewTLSSocket(l.Addr().String(), &tlsConfig{RootCAs: pool}, &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if c.ViaTransport() != "TLS" || c.URI().Params.Value("transport") != "tls" {
		t.Errorf("Via %q URI %q", c.ViaTransport(), c.URI().String())
	}
	// Accept while dialling: the server's handshake starts at Accept.
	accepted := make(chan Socket, 1)
	go func() {
		s, err := l.Accept(testCtx(t))
		if err != nil {
			t.Error(err)
		}
		accepted <- s
	}()
	dial(t, c)
	s := recv(t, accepted)
	if s == nil {
		t.FailNow()
	}
	t.Cleanup(func() { closeLater(s) })
	roundTrip(t, c, s)
	if s.ViaTransport() != "TLS" {
		t.Errorf("accepted: %q", s.ViaTransport())
	}
}

// TestUDPRport sends a request whose Via names a wrong port and asks for
// rport: the server stamps received and rport, and the response reaches
// the client at its real address.
func TestUDPRport(t *testing.T) {
	l, err := ListenUDP("127.0.0.1:0", &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := NewUDPSocket(l.Addr().String(), &Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	dial(t, c)
	if c.Reliable() || c.ViaTransport() != "UDP" || c.URI().String() != "sip:"+l.Addr().String()+";transport=udp" {
		t.Errorf("reliable %v, Via %q, URI %q", c.Reliable(), c.ViaTransport(), c.URI().String())
	}
	host, port := c.SentBy()
	req := newOptions(c)
	// As behind a NAT: the Via names an address that is not the source.
	req.Header().Set("Via", "SIP/2.0/UDP 192.0.2.1:5999;branch="+sip.NewBranch()+";rport")
	if err := c.Send(testCtx(t), req.Bytes()); err != nil {
		t.Fatal(err)
	}
	b, src, err := l.ReadFrom(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if src.String() != host+":"+strconv.Itoa(port) {
		t.Errorf("source %v, client SentBy %s:%d", src, host, port)
	}
	m, err := sip.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*sip.Request)
	if err := StampVia(got, src); err != nil {
		t.Fatal(err)
	}
	via, _ := got.Header().TopVia()
	if via.Received() != "127.0.0.1" || via.Params.Value("rport") != strconv.Itoa(port) {
		t.Fatalf("stamped Via %q", via.String())
	}
	to, ok := ResponseAddr(via)
	if !ok || to != src {
		t.Fatalf("ResponseAddr = %v, %v; want %v", to, ok, src)
	}
	if err := l.WriteTo(testCtx(t), sip.NewResponse(got, 200, "").Bytes(), to); err != nil {
		t.Fatal(err)
	}
	resp := readResponse(t, c)
	rv, _ := resp.Header().TopVia()
	if resp.StatusCode != 200 || rv.Received() != "127.0.0.1" {
		t.Errorf("response %q, Via %q", resp.StartLine(), rv.String())
	}

	// Keep-alive datagrams are skipped.
	l.WriteTo(testCtx(t), []byte("\r\n\r\n"), src)
	l.WriteTo(testCtx(t), []byte(pipeMsg), src)
	if b, err := c.Read(testCtx(t)); err != nil || string(b) != pipeMsg {
		t.Errorf("read %q, %v", b, err)
	}

	// A cancelled read returns the context's error and leaves the
	// socket usable.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Read = %v", err)
	}
	l.WriteTo(testCtx(t), []byte(pipeMsg), src)
	if b, err := c.Read(testCtx(t)); err != nil || string(b) != pipeMsg {
		t.Errorf("read after a cancelled read: %q, %v", b, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(testCtx(t), []byte(pipeMsg)); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Send after Close = %v", err)
	}
}

// TestTransportTCPDeadPeer runs a Transport over real TCP to a peer that
// reads but never answers pings: on the fake clock, the connection is
// declared dead KeepAliveTimeout after the first ping.
func TestTransportTCPDeadPeer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pings := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		b := make([]byte, 4)
		io.ReadFull(c, b)
		pings <- string(b)
		io.Copy(io.Discard, c)
	}()
	clk := clock.NewFake(time.Unix(0, 0))
	s, _ := NewTCPSocket(ln.Addr().String(), &Options{Logger: quietLogger()})
	tr := newTestTransport(t, clk, nil, Config{Sockets: []WeightedSocket{{Socket: s}}})
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	clk.Advance(DefaultKeepAliveInterval)
	if got := recv(t, pings); got != "\r\n\r\n" {
		t.Fatalf("peer got %q, want a double-CRLF ping", got)
	}
	clk.Advance(DefaultKeepAliveTimeout)
	ev := nextEvent(t, tr, EventDisconnected)
	if !errors.Is(ev.Err, ErrNoPong) {
		t.Errorf("err = %v, want ErrNoPong", ev.Err)
	}
}
