package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
)

// fakeSocket is an in-memory Socket and Pinger for Transport tests.
type fakeSocket struct {
	name string
	clk  clock.Clock
	log  chan<- string // receives name on every Dial, if set

	mu sync.Mutex
	// dialErr, when set, fails every Dial; block makes Dial wait for
	// its context.
	dialErr error
	block   bool
	// conn is the current connection: closed ends it.
	conn *fakeConn
	// pings receives the clock time of every Ping; a send on pong (which
	// waits for the Ping) answers one.
	pings chan time.Time
	pong  chan struct{}
}

type fakeConn struct {
	in     chan []byte
	closed chan struct{}
	err    error // what Read returns once closed
	once   sync.Once
}

func (c *fakeConn) end(err error) {
	c.once.Do(func() {
		c.err = err
		close(c.closed)
	})
}

func newFake(name string, clk clock.Clock) *fakeSocket {
	return &fakeSocket{name: name, clk: clk, pings: make(chan time.Time, 16), pong: make(chan struct{})}
}

func (s *fakeSocket) Dial(ctx context.Context) error {
	if s.log != nil {
		s.log <- s.name
	}
	s.mu.Lock()
	err, block := s.dialErr, s.block
	s.mu.Unlock()
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.conn = &fakeConn{in: make(chan []byte, 16), closed: make(chan struct{})}
	s.mu.Unlock()
	return nil
}

func (s *fakeSocket) current() *fakeConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

func (s *fakeSocket) Send(ctx context.Context, msg []byte) error {
	if s.current() == nil {
		return ErrNotConnected
	}
	return nil
}

func (s *fakeSocket) Read(ctx context.Context) ([]byte, error) {
	c := s.current()
	if c == nil {
		return nil, ErrNotConnected
	}
	select {
	case b := <-c.in:
		return b, nil
	case <-c.closed:
		return nil, c.err
	case <-ctx.Done():
		c.end(ctx.Err())
		return nil, ctx.Err()
	}
}

func (s *fakeSocket) Ping(ctx context.Context) error {
	c := s.current()
	if c == nil {
		return ErrNotConnected
	}
	s.pings <- s.clk.Now()
	select {
	case <-s.pong:
		return nil
	case <-ctx.Done():
		c.end(errors.New("fake: closed by a failed ping"))
		return context.Cause(ctx)
	case <-c.closed:
		return ErrClosed
	}
}

func (s *fakeSocket) Close() error {
	if c := s.current(); c != nil {
		c.end(ErrClosed)
	}
	return nil
}

// drop ends the current connection as if the peer had gone.
func (s *fakeSocket) drop(err error) { s.current().end(err) }

func (s *fakeSocket) URI() sip.URI                    { return sip.URI{Scheme: "sip", Host: s.name + ".test"} }
func (s *fakeSocket) ViaTransport() string            { return ViaTCP }
func (s *fakeSocket) Reliable() bool                  { return true }
func (s *fakeSocket) SentBy() (string, int)           { return "client.test", 0 }
func (s *fakeSocket) RemoteAddr() netip.AddrPort      { return netip.AddrPort{} }
func (s *fakeSocket) setDialErr(err error)            { s.mu.Lock(); s.dialErr = err; s.mu.Unlock() }
func (s *fakeSocket) setBlock(b bool)                 { s.mu.Lock(); s.block = b; s.mu.Unlock() }
func (s *fakeSocket) String() string                  { return s.name }
func (s *fakeSocket) inbound() chan<- []byte          { return s.current().in }
func (s *fakeSocket) connected() bool                 { return s.current() != nil }
func (s *fakeSocket) answerPing()                     { s.pong <- struct{}{} }
func (s *fakeSocket) waitPing(t *testing.T) time.Time { t.Helper(); return recv(t, s.pings) }

// recv waits for a value on ch, failing the test after 10 s.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		var zero T
		t.Fatalf("timed out waiting for a %T", zero)
		return zero
	}
}

// nextEvent waits for the next event of tr and checks its kind.
func nextEvent(t *testing.T, tr *Transport, want EventKind) Event {
	t.Helper()
	ev := recv(t, tr.Events())
	if ev.Kind != want {
		t.Fatalf("event = %v (socket %v, err %v), want %v", ev.Kind, ev.Socket, ev.Err, want)
	}
	return ev
}

// quietLogger discards logs; run with -v and change it to see them.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
