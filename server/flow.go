//go:build !js

package server

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// A flow is where a message came from and where messages to that peer go:
// a connection (WebSocket, TCP, TLS), or a UDP listener and a peer address.
// It is the transaction.Addr the server hands to its transaction layer.
// Flows are comparable: two flows are the same peer exactly when they are
// equal.
type flow struct {
	c    *conn
	u    *udpListener
	addr netip.AddrPort // the UDP peer
}

// Network names the transport: "udp", "tcp", "tls", "ws" or "wss".
func (f flow) Network() string {
	if f.c != nil {
		return strings.ToLower(f.c.transport)
	}
	return "udp"
}

// String describes the flow for logs.
func (f flow) String() string {
	if f.c != nil {
		return f.Network() + ":" + f.c.remote.String() + "#" + strconv.FormatUint(f.c.id, 10)
	}
	return "udp:" + f.addr.String()
}

func (f flow) reliable() bool { return f.c != nil }

// remote returns the peer's address, where it is known.
func (f flow) remote() netip.AddrPort {
	if f.c != nil {
		return f.c.remote
	}
	return f.addr
}

// side returns the Via transport token, host and port of the server's end
// of the flow.
func (f flow) side() (string, string, int) {
	if f.c != nil {
		return f.c.transport, f.c.host, f.c.port
	}
	return transport.ViaUDP, f.u.host, f.u.port
}

// A udpListener is one bound UDP listener.
type udpListener struct {
	idx  int
	l    *transport.UDPListener
	host string
	port int
}

// A listener is a bound stream or WebSocket listener, for Addrs and Close.
type listener interface{ Close() error }

// maxQueue bounds a connection's send queue: a peer that does not read
// is disconnected rather than let the queue grow.
const maxQueue = 256

// writeTimeout bounds each write to a connection.
const writeTimeout = 10 * time.Second

var errQueueFull = errors.New("server: send queue full, peer too slow")

// A conn is an accepted WebSocket, TCP or TLS connection.
type conn struct {
	s         *Server
	id        uint64
	sock      transport.Socket
	transport string // Via token: "WS", "WSS", "TCP", "TLS"
	host      string // the server's end, as written in Via and Record-Route
	port      int
	remote    netip.AddrPort
	token     string

	// bindings are the registrations made over the connection, some
	// perhaps since replaced; the loop owns it.
	bindings []*binding

	mu      sync.Mutex
	queue   [][]byte
	writing bool
	closed  bool
}

// send queues msg; a goroutine writes the queue out, so that the loop
// never waits for a peer. It fails if the connection is closed or its
// queue is full (the connection is then closed).
func (c *conn) send(msg []byte) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return transport.ErrClosed
	}
	if len(c.queue) >= maxQueue {
		c.mu.Unlock()
		c.s.log.Warn("server: closing a connection whose peer does not read", "flow", flow{c: c}.String())
		c.close()
		return errQueueFull
	}
	c.queue = append(c.queue, msg)
	if !c.writing {
		c.writing = true
		c.s.wg.Add(1)
		go c.write()
	}
	c.mu.Unlock()
	return nil
}

// write sends the queue until it is empty.
func (c *conn) write() {
	defer c.s.wg.Done()
	for {
		c.mu.Lock()
		if c.closed || len(c.queue) == 0 {
			c.writing = false
			c.queue = nil
			c.mu.Unlock()
			return
		}
		msg := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		err := c.sock.Send(ctx, msg)
		cancel()
		if err != nil {
			c.s.log.Debug("server: send failed, closing the connection", "flow", flow{c: c}.String(), "err", err)
			c.close()
		}
	}
}

// close marks the connection closed and closes its socket in the
// background (closing a WebSocket waits for the peer's close frame, and
// the loop must not wait); its reading goroutine then ends and tells the
// loop.
func (c *conn) close() {
	c.mu.Lock()
	was := c.closed
	c.closed = true
	c.mu.Unlock()
	if !was {
		c.s.wg.Add(1)
		go func() {
			defer c.s.wg.Done()
			c.sock.Close()
		}()
	}
}

// isClosed reports whether close was called.
func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// newConn wraps an accepted socket.
func (s *Server) newConn(sock transport.Socket) *conn {
	c := &conn{s: s, sock: sock, transport: sock.ViaTransport(), remote: sock.RemoteAddr()}
	c.host, c.port = sock.SentBy()
	if s.cfg.Host != "" {
		c.host = s.cfg.Host
	} else if ip, err := netip.ParseAddr(strings.Trim(c.host, "[]")); err == nil && ip.IsUnspecified() || c.host == "" {
		c.host = s.defaultHostName()
	}
	s.mu.Lock()
	s.nextID++
	c.id = s.nextID
	s.mu.Unlock()
	c.token = s.tokens.conn(c.id)
	return c
}

// serveConn reads messages from c until it ends.
func (s *Server) serveConn(ctx context.Context, c *conn) {
	defer s.wg.Done()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		c.close()
		return
	}
	s.conns[c.id] = c
	s.mu.Unlock()
	s.post(func() { s.names.ports[c.port] = true })
	s.log.Debug("server: connection opened", "flow", flow{c: c}.String())
	f := flow{c: c}
	for {
		data, err := c.sock.Read(ctx)
		if err != nil {
			s.log.Debug("server: connection closed", "flow", f.String(), "err", err)
			break
		}
		s.receive(data, f)
	}
	c.close()
	s.mu.Lock()
	delete(s.conns, c.id)
	s.mu.Unlock()
	s.post(func() { s.connClosed(c) })
}

// connByID returns the open connection with the given id, or nil.
func (s *Server) connByID(id uint64) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conns[id]
	if c != nil && c.isClosed() {
		return nil
	}
	return c
}

// alive reports whether messages can still be sent over f.
func (s *Server) alive(f flow) bool {
	if f.c != nil {
		return !f.c.isClosed()
	}
	return f.u != nil
}

// send sends msg over f; it is the transaction layer's Sender, and it is
// also used from reading goroutines for stateless answers. A response over
// UDP goes where its top Via says (RFC 3261 §18.2.2, RFC 3581).
func (s *Server) send(msg sip.Message, f flow) error {
	b := msg.Bytes()
	if f.c != nil {
		return f.c.send(b)
	}
	to := f.addr
	if resp, ok := msg.(*sip.Response); ok {
		if v, err := resp.Header().TopVia(); err == nil {
			if a, ok := transport.ResponseAddr(v); ok {
				to = a
			}
		}
	}
	return f.u.l.WriteTo(context.Background(), b, to)
}
