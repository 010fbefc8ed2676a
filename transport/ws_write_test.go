//go:build !js

package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// silentPeer starts a WebSocket server that accepts and never reads, so
// that writes to it block once the socket buffers are full.
func silentPeer(t *testing.T) *WebSocket {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}})
		if err != nil {
			return
		}
		<-r.Context().Done()
		conn.CloseNow()
	}))
	t.Cleanup(srv.Close)
	c := newWS(t, wsURL(srv), nil)
	dial(t, c)
	return c
}

// fill sends 1 MiB messages with contexts from newCtx until a send fails,
// and returns that error and how long the failing send took.
func fill(t *testing.T, c *WebSocket, newCtx func() (context.Context, context.CancelFunc)) (error, time.Duration) {
	t.Helper()
	big := []byte(strings.Repeat("x", 1<<20))
	for range 1000 {
		ctx, cancel := newCtx()
		start := time.Now()
		err := c.Send(ctx, big)
		cancel()
		if err != nil {
			return err, time.Since(start)
		}
	}
	t.Fatal("1000 MiB sent to a peer that does not read")
	return nil, 0
}

// TestWebSocketSendContext checks that a send stuck on a peer that does
// not read ends with its context, deadline or cancellation, and closes the
// connection, while a send that only waits for the stuck one ends with its
// context and leaves the connection open.
func TestWebSocketSendContext(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		c := silentPeer(t)
		err, took := fill(t, c, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		})
		if !errors.Is(err, context.DeadlineExceeded) || took > 2*time.Second {
			t.Errorf("stuck send: %v after %v", err, took)
		}
		if err := c.Send(context.Background(), []byte("OPTIONS")); err == nil {
			t.Error("the connection is still open after a send's deadline passed")
		}
	})
	t.Run("cancel", func(t *testing.T) {
		c := silentPeer(t)
		err, took := fill(t, c, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		})
		if !errors.Is(err, context.Canceled) || took > 2*time.Second {
			t.Errorf("stuck send: %v after %v", err, took)
		}
		if err := c.Send(context.Background(), []byte("OPTIONS")); err == nil {
			t.Error("the connection is still open after a send was cancelled")
		}
	})
	t.Run("waiting", func(t *testing.T) {
		c := silentPeer(t)
		stuck, cancelStuck := context.WithCancel(context.Background())
		defer cancelStuck()
		stuckErr := make(chan error, 1)
		go func() {
			err, _ := fill(t, c, func() (context.Context, context.CancelFunc) { return stuck, func() {} })
			stuckErr <- err
		}()
		time.Sleep(300 * time.Millisecond) // let it get stuck
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := c.Send(ctx, []byte("OPTIONS")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("send behind a stuck one: %v", err)
		}
		select {
		case err := <-stuckErr:
			t.Fatalf("the stuck send ended with the one behind it: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		cancelStuck()
		if err := recv(t, stuckErr); !errors.Is(err, context.Canceled) {
			t.Errorf("stuck send: %v", err)
		}
	})
}

// TestWebSocketConcurrentSends sends from several goroutines, each send
// bounded by a timeout as the UA bounds them, and checks that the peer
// reads every message whole.
func TestWebSocketConcurrentSends(t *testing.T) {
	srv, h := wsServer(t, false)
	c := newWS(t, wsURL(srv), nil)
	dial(t, c)
	s := accept(t, h)
	const senders, each = 8, 50
	msgs := make(map[string]bool)
	var wg sync.WaitGroup
	for i := range senders {
		for j := range each {
			msg := strings.Repeat(string(rune('a'+i)), 100+j)
			msgs[msg] = true
		}
		wg.Go(func() {
			for j := range each {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := c.Send(ctx, []byte(strings.Repeat(string(rune('a'+i)), 100+j)))
				cancel()
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range senders * each {
		b, err := s.Read(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if !msgs[string(b)] {
			t.Fatalf("unexpected message of %d bytes", len(b))
		}
		delete(msgs, string(b))
	}
	wg.Wait()
}

// BenchmarkWebSocketRoundTripTimeout is BenchmarkWebSocketRoundTrip with
// each send bounded by a timeout and each read under the reader's own
// context, as a user agent sends and reads.
func BenchmarkWebSocketRoundTripTimeout(b *testing.B) {
	l, err := ListenWebSocket("127.0.0.1:0", nil, &WebSocketHandlerOptions{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := NewWebSocket("ws://"+l.Addr().String()+"/", &WebSocketOptions{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Dial(b.Context()); err != nil {
		b.Fatal(err)
	}
	srv, err := l.Accept(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	readCtx, stop := context.WithCancel(context.Background())
	defer stop()
	send := func(s Socket, msg []byte) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.Send(ctx, msg)
	}
	req := newOptions(c).Bytes()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			msg, err := srv.Read(readCtx)
			if err != nil {
				return
			}
			if err := send(srv, msg); err != nil {
				return
			}
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		if err := send(c, req); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(readCtx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	c.Close()
	<-done
}
