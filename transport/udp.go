//go:build !js

package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"github.com/ringo-sip/ringo/sip"
)

// UDPSocket is a SIP socket over UDP to one server (an outbound proxy or
// registrar): the socket is connected, so it receives only what that
// server sends. Every datagram is one message. For requests from anyone
// (peer-to-peer), use [ListenUDP].
//
// UDP is unreliable: Reliable returns false, and the transaction layer
// retransmits. RFC 3581 rport tells the server to answer to the source
// port; see [StampVia] and [ResponseAddr]. See [NeedsStream] for the size
// rule.
type UDPSocket struct {
	addr  string
	uri   sip.URI
	opts  Options
	limit int
	log   *slog.Logger

	mu            sync.Mutex
	conn          *udpConn
	local, remote netip.AddrPort
}

// udpConn is one connected UDP socket of a UDPSocket.
type udpConn struct {
	c *net.UDPConn
	// rmu guards buf, the read buffer.
	rmu    sync.Mutex
	buf    []byte
	closed sync.Once
	// byUs is set when Close closed it.
	byUs bool
}

// NewUDPSocket returns a socket for UDP to addr ("host:port"). It does not
// bind until Dial. opts may be nil.
func NewUDPSocket(addr string, opts *Options) (*UDPSocket, error) {
	host, port, err := splitAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("transport: udp address %q: %w", addr, err)
	}
	s := &UDPSocket{addr: addr, uri: sipURI(host, port, "udp"), limit: opts.maxSize(), log: opts.logger()}
	if opts != nil {
		s.opts = *opts
	}
	return s, nil
}

// URI returns "sip:host:port;transport=udp" for the server.
func (s *UDPSocket) URI() sip.URI { return s.uri.Clone() }

// ViaTransport returns "UDP".
func (s *UDPSocket) ViaTransport() string { return ViaUDP }

// Reliable returns false.
func (s *UDPSocket) Reliable() bool { return false }

// SentBy returns the local address of the socket, once dialled.
func (s *UDPSocket) SentBy() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.local.IsValid() {
		return "", 0
	}
	return hostOf(s.local.Addr()), int(s.local.Port())
}

// RemoteAddr returns the server's address, once dialled.
func (s *UDPSocket) RemoteAddr() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote
}

// Dial resolves the server's address and binds a local port. Nothing is
// sent.
func (s *UDPSocket) Dial(ctx context.Context) error {
	s.mu.Lock()
	if s.conn != nil {
		s.mu.Unlock()
		return ErrAlreadyConnected
	}
	s.mu.Unlock()
	d, err := s.opts.dialer("udp")
	if err != nil {
		return fmt.Errorf("transport: dial udp %s: local address: %w", s.addr, err)
	}
	c, err := d.DialContext(ctx, "udp", s.addr)
	if err != nil {
		return fmt.Errorf("transport: dial udp %s: %w", s.addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		c.Close()
		return ErrAlreadyConnected
	}
	s.conn = &udpConn{c: c.(*net.UDPConn), buf: make([]byte, maxDatagram)}
	s.local, s.remote = addrPortOf(c.LocalAddr()), addrPortOf(c.RemoteAddr())
	return nil
}

func (s *UDPSocket) current() *udpConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// Send sends msg as one datagram, whatever its size: see [NeedsStream].
func (s *UDPSocket) Send(ctx context.Context, msg []byte) error {
	c := s.current()
	if c == nil {
		return fmt.Errorf("transport: send to udp %s: %w", s.addr, ErrNotConnected)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("transport: send to udp %s: %w", s.addr, err)
	}
	traceMessage(ctx, s.log, "send", s.addr, msg)
	// A datagram write does not block for long: no deadline needed.
	if _, err := c.c.Write(msg); err != nil {
		return fmt.Errorf("transport: send to udp %s: %w", s.addr, s.ioError(ctx, c, err))
	}
	return nil
}

// Read returns the next datagram from the server. Datagrams holding only
// CR and LF (keep-alives) are skipped, as are datagrams above the size
// limit and ICMP port-unreachable reports, which are logged.
func (s *UDPSocket) Read(ctx context.Context) ([]byte, error) {
	c := s.current()
	if c == nil {
		return nil, fmt.Errorf("transport: read from udp %s: %w", s.addr, ErrNotConnected)
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	restore := watchContext(ctx, c.c.SetReadDeadline)
	defer restore()
	for {
		n, err := c.c.Read(c.buf)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				s.log.Debug("transport: udp port unreachable", "addr", s.addr)
				continue
			}
			return nil, fmt.Errorf("transport: read from udp %s: %w", s.addr, s.ioError(ctx, c, err))
		}
		b := c.buf[:n]
		if isKeepAlive(b) {
			continue
		}
		if n > s.limit {
			s.log.Warn("transport: dropped an oversized datagram", "addr", s.addr, "size", n, "limit", s.limit)
			continue
		}
		traceMessage(ctx, s.log, "recv", s.addr, b)
		return append([]byte(nil), b...), nil
	}
}

func (s *UDPSocket) ioError(ctx context.Context, c *udpConn, err error) error {
	s.mu.Lock()
	byUs := c.byUs
	s.mu.Unlock()
	switch {
	case byUs:
		return ErrClosed
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return err
}

// Close releases the local port. The socket can be dialled again.
func (s *UDPSocket) Close() error {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	if c != nil {
		c.byUs = true
	}
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	if err := c.c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("transport: close udp %s: %w", s.addr, err)
	}
	return nil
}

// UDPListener receives SIP datagrams from anyone on one local address and
// sends datagrams to any address: the server side of UDP, and a user agent
// that accepts requests directly.
type UDPListener struct {
	c     *net.UDPConn
	limit int
	log   *slog.Logger
	// rmu serializes ReadFrom, which uses the read deadline and buf.
	rmu sync.Mutex
	buf []byte
}

// ListenUDP listens on addr ("ip:port"; port 0 picks a free one). opts may
// be nil.
func ListenUDP(addr string, opts *Options) (*UDPListener, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("transport: listen udp %s: %w", addr, err)
	}
	c, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("transport: listen udp %s: %w", addr, err)
	}
	return &UDPListener{c: c, limit: opts.maxSize(), log: opts.logger(), buf: make([]byte, maxDatagram)}, nil
}

// Addr returns the listening address; Via sent-by for messages sent from
// it.
func (l *UDPListener) Addr() netip.AddrPort { return addrPortOf(l.c.LocalAddr()) }

// ReadFrom returns the next datagram and its source address, skipping
// keep-alives and oversized datagrams. The slice is the caller's.
// Concurrent calls take turns.
func (l *UDPListener) ReadFrom(ctx context.Context) ([]byte, netip.AddrPort, error) {
	l.rmu.Lock()
	defer l.rmu.Unlock()
	buf := l.buf
	restore := watchContext(ctx, l.c.SetReadDeadline)
	defer restore()
	for {
		n, src, err := l.c.ReadFromUDPAddrPort(buf[:])
		if err != nil {
			switch {
			case errors.Is(err, net.ErrClosed):
				err = ErrClosed
			case ctx.Err() != nil:
				err = ctx.Err()
			}
			return nil, netip.AddrPort{}, fmt.Errorf("transport: read udp on %s: %w", l.c.LocalAddr(), err)
		}
		b := buf[:n]
		if isKeepAlive(b) {
			continue
		}
		if n > l.limit {
			l.log.Warn("transport: dropped an oversized datagram", "from", src.String(), "size", n, "limit", l.limit)
			continue
		}
		traceMessage(ctx, l.log, "recv", src.String(), b)
		return append([]byte(nil), b...), src, nil
	}
}

// WriteTo sends msg as one datagram to addr. It may be called from several
// goroutines.
func (l *UDPListener) WriteTo(ctx context.Context, msg []byte, addr netip.AddrPort) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("transport: send udp to %s: %w", addr, err)
	}
	traceMessage(ctx, l.log, "send", addr.String(), msg)
	if _, err := l.c.WriteToUDPAddrPort(msg, addr); err != nil {
		return fmt.Errorf("transport: send udp to %s: %w", addr, err)
	}
	return nil
}

// Close stops listening; ReadFrom returns an error wrapping ErrClosed.
func (l *UDPListener) Close() error {
	if err := l.c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("transport: close udp listener: %w", err)
	}
	return nil
}
