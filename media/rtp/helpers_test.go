//go:build !js

package rtp

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

// testEngine returns an engine on 127.0.0.1.
func testEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(Config{LocalIP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// collector is a Sink that keeps what it receives.
type collector struct {
	mu      sync.Mutex
	samples []int16
}

func (c *collector) WritePCM(p []int16) error {
	c.mu.Lock()
	c.samples = append(c.samples, p...)
	c.mu.Unlock()
	return nil
}

// len returns how many samples arrived.
func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.samples)
}

// last returns the last n samples.
func (c *collector) last(n int) []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.samples[max(0, len(c.samples)-n):]...)
}

// waitFor polls cond until it holds, failing the test if ctx ends first.
// Time is only the bound here: the condition is what is tested.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// pair makes two sessions, a playing toneA and b playing toneB, each
// collecting what it receives, and negotiates a's offer with b's answer.
func pair(ctx context.Context, t *testing.T, toneA, toneB float64) (a, b *Session, ca, cb *collector) {
	t.Helper()
	e := testEngine(t)
	ca, cb = &collector{}, &collector{}
	var err error
	a, err = e.NewSessionWith(ctx, SessionOptions{AudioSource: audio.NewTone(toneA, 0.5), AudioSink: ca})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = e.NewSessionWith(ctx, SessionOptions{AudioSource: audio.NewTone(toneB, 0.5), AudioSink: cb})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	negotiate(ctx, t, a, b)
	return a, b, ca, cb
}

// negotiate runs one offer/answer from a to b and returns the answer.
func negotiate(ctx context.Context, t *testing.T, a, b *Session) string {
	t.Helper()
	offer, err := a.CreateOffer(ctx, media.OfferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.CreateAnswer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRemoteAnswer(answer); err != nil {
		t.Fatal(err)
	}
	return answer
}
