package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ringo-sip/ringo/sip"
)

// Subprotocol is the WebSocket subprotocol of SIP (RFC 7118 §4).
const Subprotocol = "sip"

// wsNormalClosure is the WebSocket close code of a normal closure.
const wsNormalClosure = 1000

// WebSocket is a SIP over WebSocket socket (RFC 7118), on
// github.com/coder/websocket natively and on the browser's WebSocket in
// GOOS=js builds.
//
// It requires the peer to agree to the "sip" subprotocol, accepts text and
// binary frames, each holding one whole message, and sends text frames, or
// binary frames for messages that are not UTF-8 (RFC 7118 §5.1 allows
// both; a text frame must be UTF-8). It
// implements [Pinger] with WebSocket ping frames (natively; in browsers,
// which cannot send pings, Ping returns nil at once).
//
// A WebSocket made by [NewWebSocket] is a client that can be dialled
// again after it closes. One made by [WebSocketHandler] for an accepted
// connection cannot be dialled.
type WebSocket struct {
	url      string
	secure   bool
	uri      sip.URI
	sentBy   string
	sentPort int
	remote   netip.AddrPort
	limit    int64
	log      *slog.Logger
	accepted bool
	dialer   wsDialer

	mu      sync.Mutex
	conn    *wsConn
	dialing bool
}

// wsConn is one WebSocket connection of a WebSocket: a wsLink, which is
// coder/websocket natively and the JavaScript WebSocket in GOOS=js builds,
// and its state.
type wsConn struct {
	*wsLink
	// closed is set when this side closed the connection, so that the
	// read error can say so.
	closed atomic.Bool
	// broken is set when a read or ping failed: the connection is over
	// and Dial may replace it.
	broken atomic.Bool
}

// NewWebSocket returns a WebSocket client for a ws:// or wss:// URL. It
// does not connect; call Dial. opts may be nil.
func NewWebSocket(rawURL string, opts *WebSocketOptions) (*WebSocket, error) {
	if opts == nil {
		opts = &WebSocketOptions{}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("transport: WebSocket URL %q: %w", rawURL, err)
	}
	var secure bool
	switch strings.ToLower(u.Scheme) {
	case "ws":
	case "wss":
		secure = true
	default:
		return nil, fmt.Errorf("transport: WebSocket URL %q: scheme must be ws or wss", rawURL)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("transport: WebSocket URL %q has no host", rawURL)
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := 0
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("transport: WebSocket URL %q: bad port %q", rawURL, p)
		}
	}
	s := &WebSocket{
		url:    rawURL,
		secure: secure,
		// RFC 7118 §5.2: the URI transport parameter is "ws" for ws and
		// wss alike; the Via transport tells them apart.
		uri:    sipURI(host, port, "ws"),
		sentBy: opts.ViaHost,
		limit:  int64(maxSize(opts.MaxMessageSize)),
		log:    loggerOr(opts.Logger),
	}
	if s.sentBy == "" {
		s.sentBy = sip.NewTag() + ".invalid"
	}
	if s.dialer, err = newWSDialer(secure, opts); err != nil {
		return nil, fmt.Errorf("transport: WebSocket %s: %w", rawURL, err)
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && port != 0 {
		s.remote = netip.AddrPortFrom(ip, uint16(port))
	}
	return s, nil
}

// URL returns the URL the WebSocket dials, or for an accepted connection
// the address of the peer.
func (s *WebSocket) URL() string { return s.url }

// URI returns "sip:host:port;transport=ws" for the server (for an
// accepted connection, for the client's address).
func (s *WebSocket) URI() sip.URI { return s.uri.Clone() }

// ViaTransport returns "WS", or "WSS" for a secure WebSocket.
func (s *WebSocket) ViaTransport() string {
	if s.secure {
		return ViaWSS
	}
	return ViaWS
}

// Reliable returns true.
func (s *WebSocket) Reliable() bool { return true }

// SentBy returns the random "<token>.invalid" host (or
// WebSocketOptions.ViaHost) and port 0 for a client; for an accepted
// connection, the server's local address.
func (s *WebSocket) SentBy() (string, int) { return s.sentBy, s.sentPort }

// RemoteAddr returns the peer's address when it is known: for an accepted
// connection the client's address, for a client the server's when the URL
// holds an IP address and port.
func (s *WebSocket) RemoteAddr() netip.AddrPort { return s.remote }

// Dial opens the WebSocket and checks that the server agreed to the "sip"
// subprotocol: if it did not, Dial closes the connection and returns an
// error wrapping ErrSubprotocol.
func (s *WebSocket) Dial(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.accepted:
		s.mu.Unlock()
		return ErrAccepted
	case s.dialing || s.conn != nil && !s.conn.broken.Load():
		s.mu.Unlock()
		return ErrAlreadyConnected
	}
	old := s.conn
	s.conn = nil
	s.dialing = true
	s.mu.Unlock()
	if old != nil {
		old.closed.Store(true)
		old.closeNow()
	}
	defer func() {
		s.mu.Lock()
		s.dialing = false
		s.mu.Unlock()
	}()

	s.log.Debug("transport: dialling", "url", s.url)
	l, err := s.dialer.dial(ctx, s.url, s.limit)
	if err != nil {
		return fmt.Errorf("transport: dial %s: %w", s.url, err)
	}
	if p := l.subprotocol(); p != Subprotocol {
		l.refuse("the sip subprotocol is required")
		if p == "" {
			return fmt.Errorf("%w: dial %s: the server chose no subprotocol", ErrSubprotocol, s.url)
		}
		return fmt.Errorf("%w: dial %s: the server chose %q", ErrSubprotocol, s.url, p)
	}
	s.mu.Lock()
	s.conn = &wsConn{wsLink: l}
	s.mu.Unlock()
	s.log.Debug("transport: connected", "url", s.url)
	return nil
}

func (s *WebSocket) current() *wsConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// Send writes msg as one frame: text, or binary when msg is not UTF-8.
func (s *WebSocket) Send(ctx context.Context, msg []byte) error {
	c := s.current()
	if c == nil {
		return fmt.Errorf("transport: send to %s: %w", s.url, ErrNotConnected)
	}
	traceMessage(ctx, s.log, "send", s.url, msg)
	if err := c.send(ctx, msg); err != nil {
		if c.closed.Load() {
			return fmt.Errorf("transport: send to %s: %w", s.url, ErrClosed)
		}
		return fmt.Errorf("transport: send to %s: %w", s.url, err)
	}
	return nil
}

// Read returns the next message: the payload of the next text or binary
// frame. Frames holding only CR and LF are keep-alives: a double CRLF is
// answered with a single one, and neither is returned.
func (s *WebSocket) Read(ctx context.Context) ([]byte, error) {
	c := s.current()
	if c == nil {
		return nil, fmt.Errorf("transport: read from %s: %w", s.url, ErrNotConnected)
	}
	for {
		b, err := c.read(ctx)
		if err != nil {
			return nil, s.readError(ctx, c, err)
		}
		if isKeepAlive(b) {
			if string(b) == sip.KeepAlivePing {
				if err := c.send(ctx, []byte(sip.KeepAlivePong)); err != nil {
					return nil, s.readError(ctx, c, err)
				}
			}
			continue
		}
		traceMessage(ctx, s.log, "recv", s.url, b)
		return b, nil
	}
}

func (s *WebSocket) readError(ctx context.Context, c *wsConn, err error) error {
	c.broken.Store(true)
	if c.closed.Load() {
		return fmt.Errorf("transport: read from %s: %w", s.url, ErrClosed)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("transport: read from %s: %w", s.url, ctx.Err())
	}
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce
	}
	return fmt.Errorf("transport: read from %s: %w", s.url, err)
}

// Ping sends a WebSocket ping and waits for the pong, which a concurrent
// Read receives. If ctx ends first, Ping closes the connection. In browsers
// Ping returns nil at once.
func (s *WebSocket) Ping(ctx context.Context) error {
	c := s.current()
	if c == nil {
		return fmt.Errorf("transport: ping %s: %w", s.url, ErrNotConnected)
	}
	if err := c.ping(ctx); err != nil {
		c.broken.Store(true)
		c.closeNow()
		return fmt.Errorf("transport: ping %s: %w", s.url, err)
	}
	return nil
}

// Close closes the connection with status 1000 (normal closure), waiting a
// few seconds at most for the peer's close frame.
func (s *WebSocket) Close() error {
	return s.CloseWithStatus(wsNormalClosure, "")
}

// CloseWithStatus closes the connection with a WebSocket close code and
// reason (at most 123 bytes), as a server does with 1001 (going away) when
// it shuts down. The peer's Read returns a *CloseError holding them.
// Browsers let a page send only 1000 and 3000–4999; other codes are sent
// as 1000 there.
func (s *WebSocket) CloseWithStatus(code int, reason string) error {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	c.closed.Store(true)
	if err := c.close(code, reason); err != nil {
		return fmt.Errorf("transport: close %s: %w", s.url, err)
	}
	return nil
}

// loggerOr returns l, or slog.Default() if l is nil.
func loggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// traceMessage logs a SIP message at Debug level, without converting it
// unless Debug is enabled.
func traceMessage(ctx context.Context, log *slog.Logger, dir, peer string, msg []byte) {
	if log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "transport: "+dir, slog.String("peer", peer), slog.String("msg", string(msg)))
	}
}
