//go:build !js

package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/coder/websocket"
)

// WebSocketHandlerOptions configures a [WebSocketHandler]. The zero value
// is ready to use.
type WebSocketHandlerOptions struct {
	// Logger receives connection events and, at Debug level, every SIP
	// message. Nil means slog.Default().
	Logger *slog.Logger

	// MaxMessageSize is the largest message accepted in one frame. Zero
	// means sip.DefaultMaxMessageSize (64 KiB).
	MaxMessageSize int

	// OriginPatterns lists the hosts (path.Match patterns, such as
	// "*.example.com") whose pages may connect from a browser, besides the
	// handler's own host. A browser's request from any other Origin is
	// refused with 403.
	OriginPatterns []string
}

// WebSocketHandler is an http.Handler that accepts SIP over WebSocket
// connections (RFC 7118) and hands each over as a [WebSocket] through
// Accept. Mount it on a path of an existing HTTP server, or use
// [ListenWebSocket] for a standalone one.
//
// A client that does not offer the "sip" subprotocol is refused with 400.
type WebSocketHandler struct {
	opts  WebSocketHandlerOptions
	log   *slog.Logger
	conns chan *WebSocket
	done  chan struct{}
	once  sync.Once
}

// NewWebSocketHandler returns a handler. opts may be nil.
func NewWebSocketHandler(opts *WebSocketHandlerOptions) *WebSocketHandler {
	h := &WebSocketHandler{conns: make(chan *WebSocket), done: make(chan struct{})}
	if opts != nil {
		h.opts = *opts
	}
	h.log = loggerOr(h.opts.Logger)
	return h
}

// ServeHTTP upgrades the request to a WebSocket with the "sip" subprotocol
// and waits until Accept takes the connection (or the handler or the
// request ends).
func (h *WebSocketHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-h.done:
		http.Error(w, "SIP WebSocket server closed", http.StatusServiceUnavailable)
		return
	default:
	}
	if !offersSIP(r) {
		http.Error(w, "the sip WebSocket subprotocol (RFC 7118) is required", http.StatusBadRequest)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:   []string{Subprotocol},
		OriginPatterns: h.opts.OriginPatterns,
	})
	if err != nil {
		h.log.Debug("transport: WebSocket upgrade refused", "remote", r.RemoteAddr, "err", err)
		return // Accept has written the HTTP error.
	}
	s := newAcceptedWebSocket(c, r, &h.opts)
	select {
	case h.conns <- s:
		h.log.Debug("transport: accepted", "network", "ws", "remote", r.RemoteAddr)
	case <-h.done:
		c.Close(websocket.StatusGoingAway, "server closed")
	case <-r.Context().Done():
		c.CloseNow()
	}
}

// offersSIP reports whether the upgrade request offers the sip subprotocol.
func offersSIP(r *http.Request) bool {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), Subprotocol) {
				return true
			}
		}
	}
	return false
}

// newAcceptedWebSocket wraps an accepted connection.
func newAcceptedWebSocket(c *websocket.Conn, r *http.Request, opts *WebSocketHandlerOptions) *WebSocket {
	remote, _ := netip.ParseAddrPort(r.RemoteAddr)
	scheme := "ws://"
	if r.TLS != nil {
		scheme = "wss://"
	}
	s := &WebSocket{
		url:      scheme + r.RemoteAddr,
		secure:   r.TLS != nil,
		uri:      sipURI(hostOf(remote.Addr()), int(remote.Port()), "ws"),
		remote:   remote,
		limit:    int64(maxSize(opts.MaxMessageSize)),
		log:      loggerOr(opts.Logger),
		accepted: true,
	}
	s.conn = &wsConn{wsLink: newWSLink(c, s.limit)}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap := addrPortOf(la); ap.IsValid() {
			s.sentBy, s.sentPort = hostOf(ap.Addr()), int(ap.Port())
		}
	}
	return s
}

// Accept waits for the next connection and returns it as a *WebSocket.
func (h *WebSocketHandler) Accept(ctx context.Context) (Socket, error) {
	select {
	case s := <-h.conns:
		return s, nil
	case <-h.done:
		return nil, fmt.Errorf("transport: accept ws: %w", ErrClosed)
	case <-ctx.Done():
		return nil, fmt.Errorf("transport: accept ws: %w", ctx.Err())
	}
}

// Close makes Accept return ErrClosed and ServeHTTP refuse new
// connections with 503. Accepted connections stay open.
func (h *WebSocketHandler) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

// WebSocketListener is a standalone SIP over WebSocket server: an HTTP
// server on its own address whose every path leads to a
// [WebSocketHandler].
type WebSocketListener struct {
	h   *WebSocketHandler
	srv *http.Server
	ln  net.Listener
}

// ListenWebSocket serves SIP over WebSocket on addr ("ip:port"; port 0
// picks a free one): ws, or wss when cfg is not nil (it must hold the
// certificate). opts may be nil.
func ListenWebSocket(addr string, cfg *tls.Config, opts *WebSocketHandlerOptions) (*WebSocketListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("transport: listen ws %s: %w", addr, err)
	}
	h := NewWebSocketHandler(opts)
	l := &WebSocketListener{h: h, ln: ln, srv: &http.Server{Handler: h, ErrorLog: slog.NewLogLogger(h.log.Handler(), slog.LevelDebug)}}
	serve := l.srv.Serve
	if cfg != nil {
		cfg = cfg.Clone()
		cfg.NextProtos = []string{"http/1.1"}
		l.srv.TLSConfig = cfg
		serve = func(ln net.Listener) error { return l.srv.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			h.log.Error("transport: WebSocket server stopped", "addr", addr, "err", err)
		}
	}()
	return l, nil
}

// Handler returns the listener's handler.
func (l *WebSocketListener) Handler() *WebSocketHandler { return l.h }

// Accept waits for the next connection and returns it as a *WebSocket.
func (l *WebSocketListener) Accept(ctx context.Context) (Socket, error) { return l.h.Accept(ctx) }

// Addr returns the listening address.
func (l *WebSocketListener) Addr() netip.AddrPort { return addrPortOf(l.ln.Addr()) }

// Close stops the HTTP server and the handler. Accepted connections stay
// open (they are hijacked from the HTTP server).
func (l *WebSocketListener) Close() error {
	l.h.Close()
	if err := l.srv.Close(); err != nil {
		return fmt.Errorf("transport: close ws listener: %w", err)
	}
	return nil
}
