//go:build !js

package transport

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"time"
)

// Options configures UDP, TCP and TLS sockets and listeners. The zero
// value is ready to use.
type Options struct {
	// Logger receives connection events and, at Debug level, every SIP
	// message sent and received. Nil means slog.Default().
	Logger *slog.Logger

	// MaxMessageSize is the largest message accepted, in bytes. Zero
	// means sip.DefaultMaxMessageSize (64 KiB). A stream that carries a
	// larger one is closed; a larger datagram is dropped.
	MaxMessageSize int

	// LocalAddr is the local address to dial from, as "ip:port"; empty
	// lets the system choose.
	LocalAddr string
}

func (o *Options) logger() *slog.Logger {
	if o == nil {
		return slog.Default()
	}
	return loggerOr(o.Logger)
}

func (o *Options) maxSize() int {
	if o == nil {
		return maxSize(0)
	}
	return maxSize(o.MaxMessageSize)
}

// dialer returns a net.Dialer bound to LocalAddr on the given network.
func (o *Options) dialer(network string) (*net.Dialer, error) {
	d := &net.Dialer{}
	if o == nil || o.LocalAddr == "" {
		return d, nil
	}
	var err error
	switch network {
	case "udp":
		d.LocalAddr, err = net.ResolveUDPAddr("udp", o.LocalAddr)
	default:
		d.LocalAddr, err = net.ResolveTCPAddr("tcp", o.LocalAddr)
	}
	return d, err
}

// Listener accepts connections from clients for a server: each one a
// Socket on which the server reads requests and sends back responses, and
// requests too (RFC 5626 flows, RFC 7118 §5.3: a request to a ".invalid"
// WebSocket contact goes back over the connection the contact registered
// on).
type Listener interface {
	// Accept waits for the next connection. The returned Socket is
	// connected; its Dial returns ErrAccepted.
	Accept(ctx context.Context) (Socket, error)
	// Addr returns the address the listener is bound to.
	Addr() netip.AddrPort
	// Close stops listening. Accept returns an error wrapping ErrClosed.
	// Connections already accepted stay open.
	Close() error
}

// addrPortOf returns the IP address and port of a net.Addr.
func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	case nil:
		return netip.AddrPort{}
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

// longAgo returns a deadline in the past, to interrupt blocked I/O.
func longAgo() time.Time { return time.Unix(1, 0) }

// watchContext makes ctx's deadline and cancellation interrupt I/O through
// setDeadline, and returns a function that undoes it; that function waits
// for an interruption in progress, so the deadline it clears stays clear.
func watchContext(ctx context.Context, setDeadline func(time.Time) error) (restore func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	if d, ok := ctx.Deadline(); ok {
		setDeadline(d)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		setDeadline(longAgo())
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired
		}
		setDeadline(time.Time{})
	}
}
