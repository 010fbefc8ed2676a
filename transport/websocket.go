package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/ringo-sip/ringo/sip"
)

// Subprotocol is the WebSocket subprotocol of SIP (RFC 7118 §4).
const Subprotocol = "sip"

// WebSocketOptions configures a [WebSocket]. The zero value is ready to use.
type WebSocketOptions struct {
	// Logger receives connection events and, at Debug level, every SIP
	// message sent and received. Nil means slog.Default().
	Logger *slog.Logger

	// MaxMessageSize is the largest message accepted in one frame, in
	// bytes. It raises the WebSocket library's 32 KiB read limit. Zero
	// means sip.DefaultMaxMessageSize (64 KiB).
	MaxMessageSize int

	// ViaHost is the host written in Via sent-by and Contact. Empty means
	// a random "<token>.invalid" name, as RFC 7118 §5.2 recommends for a
	// client that cannot be reached by a new connection.
	ViaHost string

	// TLSConfig configures wss connections: RootCAs to trust a test CA,
	// client certificates, ServerName. Nil means the system's roots and the
	// URL's host name. Certificates are always verified unless
	// InsecureSkipVerify is set. Ignored in browsers, where the browser
	// verifies.
	TLSConfig *tls.Config

	// InsecureSkipVerify turns off certificate verification for wss.
	// It exists for tests against throw-away servers; never set it
	// otherwise. Ignored in browsers.
	InsecureSkipVerify bool

	// Header holds extra HTTP headers for the opening handshake (for
	// example Origin or an authorization token). Ignored in browsers,
	// which do not let a page set them.
	Header http.Header
}

// WebSocket is a SIP over WebSocket socket (RFC 7118), on
// github.com/coder/websocket natively and on the browser's WebSocket in
// GOOS=js builds.
//
// It requires the peer to agree to the "sip" subprotocol, accepts text and
// binary frames, each holding one whole message, and sends text frames. It
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

// wsConn is one WebSocket connection of a WebSocket.
type wsConn struct {
	c *websocket.Conn
	// closed is set when this side closed the connection, so that the
	// read error can say so.
	closed atomic.Bool
	// broken is set when a read or ping failed: the connection is over
	// and Dial may replace it.
	broken atomic.Bool
	// rw watches the context that Read is called with, ww the context of
	// each write.
	rw readWatch
	ww writeWatch
}

func newWSConn(c *websocket.Conn) *wsConn { return &wsConn{c: c, ww: newWriteWatch()} }

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
		old.c.CloseNow()
	}
	defer func() {
		s.mu.Lock()
		s.dialing = false
		s.mu.Unlock()
	}()

	s.log.Debug("transport: dialling", "url", s.url)
	c, err := s.dialer.dial(ctx, s.url)
	if err != nil {
		return fmt.Errorf("transport: dial %s: %w", s.url, err)
	}
	if p := c.Subprotocol(); p != Subprotocol {
		c.Close(websocket.StatusProtocolError, "the sip subprotocol is required")
		if p == "" {
			return fmt.Errorf("%w: dial %s: the server chose no subprotocol", ErrSubprotocol, s.url)
		}
		return fmt.Errorf("%w: dial %s: the server chose %q", ErrSubprotocol, s.url, p)
	}
	c.SetReadLimit(s.limit)
	s.mu.Lock()
	s.conn = newWSConn(c)
	s.mu.Unlock()
	s.log.Debug("transport: connected", "url", s.url)
	return nil
}

func (s *WebSocket) current() *wsConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// Send writes msg as one text frame.
func (s *WebSocket) Send(ctx context.Context, msg []byte) error {
	c := s.current()
	if c == nil {
		return fmt.Errorf("transport: send to %s: %w", s.url, ErrNotConnected)
	}
	traceMessage(ctx, s.log, "send", s.url, msg)
	if err := c.ww.write(ctx, c.c, websocket.MessageText, msg); err != nil {
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
		rctx, watched := c.rw.begin(ctx, c.c)
		_, b, err := readMessage(rctx, c.c)
		if watched {
			c.rw.end()
		}
		if err != nil {
			c.rw.release()
			return nil, s.readError(ctx, c, err)
		}
		if isKeepAlive(b) {
			if string(b) == sip.KeepAlivePing {
				if err := c.ww.write(ctx, c.c, websocket.MessageText, []byte(sip.KeepAlivePong)); err != nil {
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
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: int(ce.Code), Reason: ce.Reason}
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
	if err := c.c.Ping(ctx); err != nil {
		c.broken.Store(true)
		c.c.CloseNow()
		return fmt.Errorf("transport: ping %s: %w", s.url, err)
	}
	return nil
}

// Close closes the connection with status 1000 (normal closure), waiting a
// few seconds at most for the peer's close frame.
func (s *WebSocket) Close() error {
	return s.CloseWithStatus(int(websocket.StatusNormalClosure), "")
}

// CloseWithStatus closes the connection with a WebSocket close code and
// reason (at most 123 bytes), as a server does with 1001 (going away) when
// it shuts down. The peer's Read returns a *CloseError holding them.
func (s *WebSocket) CloseWithStatus(code int, reason string) error {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	c.closed.Store(true)
	if err := c.c.Close(websocket.StatusCode(code), reason); err != nil && websocket.CloseStatus(err) == -1 {
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
