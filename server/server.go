//go:build !js

package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
	"github.com/ringo-sip/ringo/transport"
)

// Addrs are the addresses a Server listens on; a zero AddrPort is a
// listener that is off.
type Addrs struct {
	WS, WSS, UDP, TCP, TLS netip.AddrPort
}

// Server is an embedded registrar and stateful proxy. Make one with New,
// then Start it (or ListenAndServe) and Close it when done. Its methods
// are safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	clk    clock.Clock
	users  map[string]string
	auth   *digest.Server // nil when authentication is off
	realm  string
	tokens tokens
	wsh    *transport.WebSocketHandler

	minExp, maxExp, defExp uint32

	mu          sync.Mutex
	started     bool
	closing     bool
	conns       map[uint64]*conn
	nextID      uint64
	addrs       Addrs
	listeners   []listener
	cancel      context.CancelFunc
	stopOnDone  func() bool
	defaultHost string

	tasks    chan func()
	done     chan struct{} // closed by Close: the loop stops
	loopDone chan struct{}
	closeMu  sync.Mutex // serializes Close
	wg       sync.WaitGroup

	// Owned by the loop once started.
	layer   *transaction.Layer
	reg     *registrar
	proxies map[*transaction.Server]*proxyTx
	udps    []*udpListener
	names   localNames
	sweep   clock.Timer

	// relayTo, when set, limits the IP addresses outside the server's
	// domain that requests may be forwarded to (the fuzz test keeps them
	// on loopback).
	relayTo func(netip.Addr) bool
}

// sweepInterval is how often expired bindings are dropped from memory.
// A binding counts as gone from the moment it expires, swept or not.
const sweepInterval = 30 * time.Second

// New checks cfg and returns a Server that is not yet listening. Errors
// name the bad field.
func New(cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	users, err := cfg.users()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		clk:      cfg.Clock,
		users:    users,
		conns:    make(map[uint64]*conn),
		tasks:    make(chan func(), 1024),
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
		proxies:  make(map[*transaction.Server]*proxyTx),
		minExp:   uint32(or(cfg.MinExpires, DefaultMinExpires) / time.Second),
		maxExp:   uint32(or(cfg.MaxExpires, DefaultMaxExpires) / time.Second),
		defExp:   uint32(or(cfg.DefaultExpires, DefaultExpires) / time.Second),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.clk == nil {
		s.clk = clock.Real()
	}
	s.realm = cfg.Realm
	if s.realm == "" {
		s.realm = cfg.Domain
	}
	if s.realm == "" {
		s.realm = DefaultRealm
	}
	key := make([]byte, 32)
	rand.Read(key)
	s.tokens = tokens{key: key}
	if len(users) > 0 {
		secret := make([]byte, 32)
		rand.Read(secret)
		s.auth = &digest.Server{Realm: s.realm, Secret: secret, Clock: s.clk.Now, Algorithms: cfg.DigestAlgorithms}
	}
	s.reg = newRegistrar(s)
	s.wsh = transport.NewWebSocketHandler(&transport.WebSocketHandlerOptions{
		Logger:         s.log,
		OriginPatterns: cfg.WSOriginPatterns,
	})
	s.layer, err = transaction.NewLayer(transaction.Config{
		Sender: transaction.SenderFunc(func(msg sip.Message, dest transaction.Addr) error {
			return s.send(msg, dest.(flow))
		}),
		Handler: transaction.HandlerFuncs{Request: s.onRequest, Stray: s.onStray},
		Clock:   s.clk,
		Post:    func(f func()) { s.post(f) },
		Logger:  s.log,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the http.Handler that accepts SIP over WebSocket
// connections, to mount on a path of another HTTP server. Connections it
// accepts are served once the server is started.
func (s *Server) Handler() http.Handler { return s.wsh }

// Addrs returns the addresses the server listens on, once started.
func (s *Server) Addrs() Addrs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrs
}

// ListenAndServe starts the server and serves until ctx ends or Close is
// called; it then closes the server and returns nil. It returns the error
// of Start if the server cannot start.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-s.done:
	}
	return s.Close()
}

// Start opens the listeners and serves in the background until Close is
// called or ctx ends. A Server can be started once.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started || s.closing {
		s.mu.Unlock()
		return errors.New("server: already started or closed")
	}
	s.started = true
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	if err := s.listen(runCtx); err != nil {
		cancel()
		s.closeListeners()
		return err
	}
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	s.names = s.localNames()
	s.wg.Add(2)
	go s.run()
	go s.accept(runCtx, s.wsh)
	s.post(func() { s.sweep = s.clk.AfterFunc(sweepInterval, s.onSweep) })
	stop := context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Lock()
	s.stopOnDone = stop
	s.mu.Unlock()
	a := s.Addrs()
	s.log.Info("server: listening", "ws", a.WS, "wss", a.WSS, "udp", a.UDP, "tcp", a.TCP, "tls", a.TLS,
		"domain", s.cfg.Domain, "auth", s.auth != nil)
	return nil
}

// listen binds every configured listener and starts serving it.
func (s *Server) listen(ctx context.Context) error {
	ws, wss, udp, tcp, tlsAddr := s.cfg.listenAddrs()
	opts := &transport.Options{Logger: s.log}
	var a Addrs
	if udp != "" {
		l, err := transport.ListenUDP(udp, opts)
		if err != nil {
			return fmt.Errorf("server: UDP: %w", err)
		}
		s.addListener(l)
		a.UDP = l.Addr()
		u := &udpListener{idx: len(s.udps), l: l, host: s.hostFor(a.UDP.Addr()), port: int(a.UDP.Port())}
		s.udps = append(s.udps, u)
		s.wg.Add(1)
		go s.readUDP(ctx, u)
	}
	for _, st := range []struct {
		addr string
		dst  *netip.AddrPort
		tls  bool
	}{{tcp, &a.TCP, false}, {tlsAddr, &a.TLS, true}} {
		if st.addr == "" {
			continue
		}
		var l *transport.StreamListener
		var err error
		if st.tls {
			l, err = transport.ListenTLS(st.addr, s.cfg.TLSConfig, opts)
		} else {
			l, err = transport.ListenTCP(st.addr, opts)
		}
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		s.addListener(l)
		*st.dst = l.Addr()
		s.wg.Add(1)
		go s.accept(ctx, l)
	}
	for _, w := range []struct {
		addr string
		dst  *netip.AddrPort
		tls  bool
	}{{ws, &a.WS, false}, {wss, &a.WSS, true}} {
		if w.addr == "" {
			continue
		}
		ap, err := s.serveHTTP(w.addr, w.tls)
		if err != nil {
			return err
		}
		*w.dst = ap
	}
	s.mu.Lock()
	s.addrs = a
	s.mu.Unlock()
	return nil
}

// serveHTTP runs an HTTP server for the WebSocket handler on addr.
func (s *Server) serveHTTP(addr string, secure bool) (netip.AddrPort, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("server: WebSocket: %w", err)
	}
	hs := &http.Server{
		Handler:           s.wsh,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	serve := hs.Serve
	if secure {
		cfg := s.cfg.TLSConfig.Clone()
		cfg.NextProtos = []string{"http/1.1"}
		hs.TLSConfig = cfg
		serve = func(ln net.Listener) error { return hs.ServeTLS(ln, "", "") }
	}
	s.addListener(hs)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server: WebSocket listener stopped", "addr", addr, "err", err)
		}
	}()
	ap, _ := netip.ParseAddrPort(ln.Addr().String())
	return ap, nil
}

func (s *Server) addListener(l listener) {
	s.mu.Lock()
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
}

// hostFor returns the host to advertise for a listener bound to ip.
func (s *Server) hostFor(ip netip.Addr) string {
	if s.cfg.Host != "" {
		return s.cfg.Host
	}
	if ip.IsUnspecified() {
		return s.defaultHostName()
	}
	if ip.Is6() && !ip.Is4In6() {
		return "[" + ip.String() + "]"
	}
	return ip.Unmap().String()
}

// defaultHostName returns the first non-loopback IPv4 address of the host,
// or 127.0.0.1; it is the host advertised for unspecified addresses.
func (s *Server) defaultHostName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.defaultHost != "" {
		return s.defaultHost
	}
	s.defaultHost = "127.0.0.1"
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				s.defaultHost = n.IP.String()
				break
			}
		}
	}
	return s.defaultHost
}

// accepter is a transport listener or the WebSocket handler.
type accepter interface {
	Accept(ctx context.Context) (transport.Socket, error)
}

// accept serves the connections of l until it is closed.
func (s *Server) accept(ctx context.Context, l accepter) {
	defer s.wg.Done()
	for {
		sock, err := l.Accept(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, transport.ErrClosed) {
				return
			}
			s.log.Warn("server: accept failed", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		c := s.newConn(sock)
		s.wg.Add(1)
		go s.serveConn(ctx, c)
	}
}

// readUDP reads datagrams from u until it is closed.
func (s *Server) readUDP(ctx context.Context, u *udpListener) {
	defer s.wg.Done()
	for {
		data, src, err := u.l.ReadFrom(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, transport.ErrClosed) {
				return
			}
			s.log.Warn("server: UDP read failed", "err", err)
			continue
		}
		s.receive(data, flow{u: u, addr: src})
	}
}

// receive parses and checks one inbound message on a reading goroutine,
// answers what is malformed, and posts the rest to the loop.
func (s *Server) receive(data []byte, f flow) {
	msg, err := sip.Parse(data)
	if err != nil {
		s.log.Debug("server: unparseable message", "flow", f.String(), "err", err)
		if resp := sip.ResponseFor(err); resp != nil {
			s.send(resp, f)
		}
		return
	}
	switch m := msg.(type) {
	case *sip.Request:
		err := s.stamp(m, f)
		if err == nil {
			err = sip.CheckProxyRequest(m)
		}
		if err != nil {
			s.log.Debug("server: bad request", "flow", f.String(), "err", err)
			if resp := sip.ResponseFor(err); resp != nil {
				s.send(resp, f)
			}
			return
		}
	case *sip.Response:
		if err := sip.CheckResponse(m); err != nil {
			s.log.Debug("server: bad response dropped", "flow", f.String(), "err", err)
			return
		}
	}
	s.post(func() { s.layer.HandleMessage(msg, f, f.reliable()) })
}

// stamp records the request's source in its top Via.
func (s *Server) stamp(req *sip.Request, f flow) error {
	src := f.remote()
	if !src.IsValid() {
		return nil
	}
	if err := transport.StampVia(req, src); err != nil {
		return &sip.RequestError{StatusCode: 400, Err: err, Request: req}
	}
	return nil
}

// post runs f on the loop, later and in order. It reports false if the
// server is closed.
func (s *Server) post(f func()) bool {
	select {
	case s.tasks <- f:
		return true
	case <-s.done:
		return false
	}
}

// call runs f on the loop and waits for it; false if the server is not
// running.
func (s *Server) call(f func()) bool {
	s.mu.Lock()
	started := s.started && s.cancel != nil
	s.mu.Unlock()
	if !started {
		return false
	}
	ch := make(chan struct{})
	if !s.post(func() { f(); close(ch) }) {
		return false
	}
	select {
	case <-ch:
		return true
	case <-s.loopDone:
		return false
	}
}

// run is the loop.
func (s *Server) run() {
	defer s.wg.Done()
	defer close(s.loopDone)
	for {
		select {
		case f := <-s.tasks:
			f()
		case <-s.done:
			s.layer.Close()
			if s.sweep != nil {
				s.sweep.Stop()
			}
			return
		}
	}
}

// onSweep drops expired bindings and schedules the next sweep.
func (s *Server) onSweep() {
	s.post(func() {
		s.reg.sweep(s.clk.Now())
		s.sweep.Reset(sweepInterval)
	})
}

// Close stops the listeners, closes every connection (WebSockets with
// status 1001, going away), stops the loop and waits for the server's
// goroutines. Registrations are forgotten. Closing a closed server does
// nothing.
func (s *Server) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	started := s.cancel != nil
	stop := s.stopOnDone
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	s.wsh.Close()
	s.closeListeners()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.mu.Lock()
			was := c.closed
			c.closed = true
			c.mu.Unlock()
			if was {
				return
			}
			if ws, ok := c.sock.(*transport.WebSocket); ok {
				ws.CloseWithStatus(1001, "server shutting down")
				return
			}
			c.sock.Close()
		}()
	}
	wg.Wait()
	if started {
		s.cancel()
	}
	close(s.done)
	s.wg.Wait()
	s.log.Info("server: closed")
	return nil
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	ls := s.listeners
	s.listeners = nil
	s.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
}

// localNames are the hosts and ports under which peers reach the server.
type localNames struct {
	hosts map[string]bool // lower case, IPv6 in brackets
	ports map[int]bool
	// loose: listening on an unspecified address, so any local address
	// counts as ours.
	loose bool
}

// localNames collects the server's names once the listeners are bound.
func (s *Server) localNames() localNames {
	n := localNames{hosts: make(map[string]bool), ports: make(map[int]bool)}
	add := func(h string) {
		if h != "" {
			n.hosts[strings.ToLower(h)] = true
		}
	}
	add(s.cfg.Host)
	add(s.cfg.Domain)
	a := s.Addrs()
	for _, ap := range []netip.AddrPort{a.WS, a.WSS, a.UDP, a.TCP, a.TLS} {
		if !ap.IsValid() {
			continue
		}
		n.ports[int(ap.Port())] = true
		ip := ap.Addr().Unmap()
		if ip.IsUnspecified() {
			n.loose = true
			continue
		}
		add(hostString(ip))
		if ip.IsLoopback() {
			add("localhost")
		}
	}
	if n.loose {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					if ip, ok := netip.AddrFromSlice(ipn.IP); ok {
						add(hostString(ip.Unmap()))
					}
				}
			}
		}
		add("localhost")
	}
	return n
}

func hostString(ip netip.Addr) string {
	if ip.Is6() {
		return "[" + ip.String() + "]"
	}
	return ip.String()
}
