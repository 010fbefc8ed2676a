//go:build !js

package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ringo-sip/ringo/sip"
)

// StreamSocket is a SIP socket over TCP or TLS. Messages are cut out of the
// stream by their Content-Length (sip.Framer); a message without one closes
// the connection, since the stream cannot be resynchronized.
//
// It implements [Pinger] with RFC 5626 §3.5.1 keep-alives: Ping sends a
// double CRLF and waits for the single CRLF pong, which a concurrent Read
// receives. Read answers the peer's double-CRLF pings with a pong.
//
// A StreamSocket made by [NewTCPSocket] or [NewTLSSocket] is a client that
// can be dialled again after it closes; one made by a [Listener] cannot.
type StreamSocket struct {
	network  string // "tcp" or "tls"
	addr     string // host:port to dial, or the peer of an accepted connection
	uri      sip.URI
	tls      *tls.Config
	opts     Options
	parser   sip.Parser
	log      *slog.Logger
	accepted bool

	mu      sync.Mutex
	conn    *streamConn
	dialing bool
	// local and remote are the addresses of the latest connection.
	local, remote netip.AddrPort
}

// streamConn is one connection of a StreamSocket.
type streamConn struct {
	c  net.Conn
	fr *sip.Framer
	// wmu keeps whole messages and keep-alives from interleaving.
	wmu sync.Mutex
	// pong receives a token when Read sees a pong.
	pong chan struct{}
	// done is closed when the connection is closed.
	done      chan struct{}
	closeOnce sync.Once
	// closed is set when this side closed the connection on purpose.
	closed atomic.Bool
}

func newStreamConn(c net.Conn, p sip.Parser) *streamConn {
	return &streamConn{c: c, fr: sip.NewFramer(c, p), pong: make(chan struct{}, 1), done: make(chan struct{})}
}

func (c *streamConn) close() error {
	var err error
	c.closeOnce.Do(func() {
		err = c.c.Close()
		close(c.done)
	})
	return err
}

func (c *streamConn) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// write writes b whole, or closes the connection: a partly written message
// would corrupt the stream.
func (c *streamConn) write(ctx context.Context, b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	restore := watchContext(ctx, c.c.SetWriteDeadline)
	_, err := c.c.Write(b)
	restore()
	if err != nil {
		c.close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// NewTCPSocket returns a client socket for a TCP connection to addr
// ("host:port"). It does not connect; call Dial. opts may be nil.
func NewTCPSocket(addr string, opts *Options) (*StreamSocket, error) {
	return newStreamSocket("tcp", addr, nil, opts)
}

// NewTLSSocket returns a client socket for a TLS connection to addr
// ("host:port"). cfg may be nil: the system's roots are trusted and the
// server name is the host of addr. Certificates are verified unless cfg
// says otherwise. opts may be nil.
func NewTLSSocket(addr string, cfg *tls.Config, opts *Options) (*StreamSocket, error) {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	return newStreamSocket("tls", addr, cfg.Clone(), opts)
}

func newStreamSocket(network, addr string, cfg *tls.Config, opts *Options) (*StreamSocket, error) {
	host, port, err := splitAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("transport: %s address %q: %w", network, addr, err)
	}
	s := &StreamSocket{
		network: network,
		addr:    addr,
		uri:     sipURI(host, port, network),
		tls:     cfg,
		parser:  sip.Parser{MaxMessageSize: opts.maxSize()},
		log:     opts.logger(),
	}
	if opts != nil {
		s.opts = *opts
	}
	return s, nil
}

// newAcceptedStream wraps a connection that a listener accepted.
func newAcceptedStream(network string, c net.Conn, opts *Options) *StreamSocket {
	remote := addrPortOf(c.RemoteAddr())
	s := &StreamSocket{
		network:  network,
		addr:     remote.String(),
		uri:      sipURI(hostOf(remote.Addr()), int(remote.Port()), network),
		parser:   sip.Parser{MaxMessageSize: opts.maxSize()},
		log:      opts.logger(),
		accepted: true,
		local:    addrPortOf(c.LocalAddr()),
		remote:   remote,
	}
	s.conn = newStreamConn(c, s.parser)
	return s
}

// splitAddr splits "host:port" and returns the host in SIP form (IPv6 in
// brackets).
func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return hostOf(ip), port, nil
	}
	return host, port, nil
}

// URI returns "sip:host:port;transport=tcp" (or tls) for the peer.
func (s *StreamSocket) URI() sip.URI { return s.uri.Clone() }

// ViaTransport returns "TCP" or "TLS".
func (s *StreamSocket) ViaTransport() string {
	if s.network == "tls" {
		return ViaTLS
	}
	return ViaTCP
}

// Reliable returns true.
func (s *StreamSocket) Reliable() bool { return true }

// SentBy returns the local address of the latest connection; empty and 0
// before the first Dial.
func (s *StreamSocket) SentBy() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.local.IsValid() {
		return "", 0
	}
	return hostOf(s.local.Addr()), int(s.local.Port())
}

// RemoteAddr returns the peer's address of the latest connection.
func (s *StreamSocket) RemoteAddr() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote
}

// Dial connects to the socket's address, with a TLS handshake for a TLS
// socket. A socket whose previous connection failed is dialled anew.
func (s *StreamSocket) Dial(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.accepted:
		s.mu.Unlock()
		return ErrAccepted
	case s.dialing || s.conn != nil && !s.conn.isDone():
		s.mu.Unlock()
		return ErrAlreadyConnected
	}
	s.conn = nil
	s.dialing = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.dialing = false
		s.mu.Unlock()
	}()

	d, err := s.opts.dialer("tcp")
	if err != nil {
		return fmt.Errorf("transport: dial %s %s: local address: %w", s.network, s.addr, err)
	}
	var c net.Conn
	if s.tls != nil {
		c, err = (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(ctx, "tcp", s.addr)
	} else {
		c, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("transport: dial %s %s: %w", s.network, s.addr, err)
	}
	s.mu.Lock()
	s.conn = newStreamConn(c, s.parser)
	s.local, s.remote = addrPortOf(c.LocalAddr()), addrPortOf(c.RemoteAddr())
	s.mu.Unlock()
	s.log.Debug("transport: connected", "network", s.network, "addr", s.addr, "local", c.LocalAddr().String())
	return nil
}

func (s *StreamSocket) current() *streamConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// Send writes msg whole. If ctx ends in the middle of the write, the
// connection is closed, since the stream would be corrupt.
func (s *StreamSocket) Send(ctx context.Context, msg []byte) error {
	c := s.current()
	if c == nil {
		return fmt.Errorf("transport: send to %s %s: %w", s.network, s.addr, ErrNotConnected)
	}
	traceMessage(ctx, s.log, "send", s.addr, msg)
	if err := c.write(ctx, msg); err != nil {
		return s.ioError("send to", c, err)
	}
	return nil
}

// Read returns the next message of the stream. It answers double-CRLF
// pings with a pong and hands pongs to a waiting Ping. An error from the
// framer (a missing or bad Content-Length, a message above the size limit)
// closes the connection. Cancelling ctx closes the connection.
func (s *StreamSocket) Read(ctx context.Context) ([]byte, error) {
	c := s.current()
	if c == nil {
		return nil, fmt.Errorf("transport: read from %s %s: %w", s.network, s.addr, ErrNotConnected)
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { c.close() })
		defer stop()
	}
	for {
		b, err := c.fr.Next()
		if err != nil {
			c.close()
			if ctx.Err() != nil && !c.closed.Load() {
				err = ctx.Err()
			}
			return nil, s.ioError("read from", c, err)
		}
		switch string(b) {
		case sip.KeepAlivePing:
			if err := c.write(context.Background(), []byte(sip.KeepAlivePong)); err != nil {
				return nil, s.ioError("answer a ping from", c, err)
			}
			continue
		case sip.KeepAlivePong:
			select {
			case c.pong <- struct{}{}:
			default:
			}
			continue
		}
		traceMessage(ctx, s.log, "recv", s.addr, b)
		return b, nil
	}
}

func (s *StreamSocket) ioError(op string, c *streamConn, err error) error {
	if c.closed.Load() {
		err = ErrClosed
	}
	return fmt.Errorf("transport: %s %s %s: %w", op, s.network, s.addr, err)
}

// Ping sends an RFC 5626 double-CRLF ping and waits for the single-CRLF
// pong. If ctx ends first or the connection fails, Ping closes the
// connection and returns an error.
func (s *StreamSocket) Ping(ctx context.Context) error {
	c := s.current()
	if c == nil {
		return fmt.Errorf("transport: ping %s %s: %w", s.network, s.addr, ErrNotConnected)
	}
	select { // a late pong of an earlier ping does not answer this one
	case <-c.pong:
	default:
	}
	stop := context.AfterFunc(ctx, func() { c.close() })
	defer stop()
	c.fr.ExpectPong() // the next CRLF is the pong, not half of a ping
	if err := c.write(ctx, []byte(sip.KeepAlivePing)); err != nil {
		return s.ioError("ping", c, err)
	}
	select {
	case <-c.pong:
		return nil
	case <-ctx.Done():
		c.close() // already under way in the AfterFunc; done by return
		return s.ioError("ping", c, context.Cause(ctx))
	case <-c.done:
		if ctx.Err() != nil {
			return s.ioError("ping", c, context.Cause(ctx))
		}
		return s.ioError("ping", c, errors.New("connection closed while waiting for the pong"))
	}
}

// Close closes the connection.
func (s *StreamSocket) Close() error {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	c.closed.Store(true)
	if err := c.close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("transport: close %s %s: %w", s.network, s.addr, err)
	}
	return nil
}
