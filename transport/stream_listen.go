//go:build !js

package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// StreamListener accepts TCP or TLS connections, each as a [StreamSocket].
type StreamListener struct {
	network string
	tcp     *net.TCPListener
	tls     *tls.Config
	opts    Options
}

// ListenTCP listens for SIP over TCP on addr ("ip:port"; port 0 picks a
// free one). opts may be nil.
func ListenTCP(addr string, opts *Options) (*StreamListener, error) {
	return listenStream("tcp", addr, nil, opts)
}

// ListenTLS listens for SIP over TLS on addr. cfg must hold the server's
// certificate. opts may be nil.
func ListenTLS(addr string, cfg *tls.Config, opts *Options) (*StreamListener, error) {
	if cfg == nil || len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		return nil, errors.New("transport: ListenTLS needs a tls.Config with a certificate")
	}
	return listenStream("tls", addr, cfg.Clone(), opts)
}

func listenStream(network, addr string, cfg *tls.Config, opts *Options) (*StreamListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("transport: listen %s %s: %w", network, addr, err)
	}
	l := &StreamListener{network: network, tcp: ln.(*net.TCPListener), tls: cfg}
	if opts != nil {
		l.opts = *opts
	}
	return l, nil
}

// tlsHandshakeTimeout bounds the TLS handshake of an accepted connection;
// a client that has not finished by then is dropped.
const tlsHandshakeTimeout = 30 * time.Second

// Accept waits for the next connection and returns it as a *StreamSocket.
// For TLS the handshake runs in the background from Accept on; Read and
// Send wait for it and fail if it fails.
func (l *StreamListener) Accept(ctx context.Context) (Socket, error) {
	restore := watchContext(ctx, l.tcp.SetDeadline)
	c, err := l.tcp.Accept()
	restore()
	if err != nil {
		switch {
		case errors.Is(err, net.ErrClosed):
			err = ErrClosed
		case ctx.Err() != nil:
			err = ctx.Err()
		}
		return nil, fmt.Errorf("transport: accept %s on %s: %w", l.network, l.tcp.Addr(), err)
	}
	if l.tls != nil {
		tc := tls.Server(c, l.tls)
		// Handshake in the background, so that a slow client does not
		// hold up Accept; Read and Send wait for it.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), tlsHandshakeTimeout)
			defer cancel()
			tc.HandshakeContext(ctx)
		}()
		c = tc
	}
	s := newAcceptedStream(l.network, c, &l.opts)
	s.log.Debug("transport: accepted", "network", l.network, "remote", s.remote.String())
	return s, nil
}

// Addr returns the listening address.
func (l *StreamListener) Addr() netip.AddrPort { return addrPortOf(l.tcp.Addr()) }

// Close stops listening.
func (l *StreamListener) Close() error {
	if err := l.tcp.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("transport: close %s listener: %w", l.network, err)
	}
	return nil
}
