//go:build !js

package webrtc

import (
	"context"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media"
)

// testConfig returns a Config whose candidates are on 127.0.0.1 only, so
// that tests send nothing off the machine.
func testConfig() Config {
	return Config{
		IncludeLoopback:  true,
		IPFilter:         func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil },
		DisableMDNS:      true,
		GatheringTimeout: 2 * time.Second,
		Logger:           slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}
}

// newSession makes a session of an engine with cfg and closes it when the
// test ends.
func newSession(t testing.TB, cfg Config, o SessionOptions) *Session {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSessionWith(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// negotiate runs one offer/answer from a to b and returns the SDPs.
func negotiate(t testing.TB, a, b *Session, opts media.OfferOptions) (offer, answer string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := a.CreateOffer(ctx, opts)
	if err != nil {
		t.Fatalf("CreateOffer: %v", err)
	}
	answer, err = b.CreateAnswer(ctx, offer)
	if err != nil {
		t.Fatalf("CreateAnswer: %v", err)
	}
	if err := a.SetRemoteAnswer(answer); err != nil {
		t.Fatalf("SetRemoteAnswer: %v", err)
	}
	return offer, answer
}

// connect negotiates from a to b and waits until both are connected.
func connect(t testing.TB, a, b *Session) {
	t.Helper()
	negotiate(t, a, b, media.OfferOptions{})
	waitConnected(t, a, b)
}

// waitConnected waits for sessions to connect.
func waitConnected(t testing.TB, ss ...*Session) {
	t.Helper()
	for _, s := range ss {
		select {
		case <-s.Connected():
		case <-time.After(10 * time.Second):
			t.Fatal("not connected after 10 s")
		}
	}
}

// frameCounter is an audio sink that counts frames and keeps their levels.
type frameCounter struct {
	mu     sync.Mutex
	frames int
	loud   int // frames with audible energy
}

// WritePCM counts one frame.
func (c *frameCounter) WritePCM(p []int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames++
	peak := 0
	for _, s := range p {
		peak = max(peak, int(s), -int(s))
	}
	if peak > 300 {
		c.loud++
	}
	return nil
}

// counts returns the frames and loud frames so far.
func (c *frameCounter) counts() (frames, loud int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames, c.loud
}

// flow measures how many frames and loud frames c gets during d.
func flow(c *frameCounter, d time.Duration) (frames, loud int) {
	f0, l0 := c.counts()
	time.Sleep(d)
	f1, l1 := c.counts()
	return f1 - f0, l1 - l0
}
