package ringo

import (
	"context"
	"testing"
	"time"
)

// TestStopEndsCalls: Stop hangs up a call in progress, so neither side is
// left confirmed with its media running (JsSIP's stop() does the same).
func TestStopEndsCalls(t *testing.T) {
	alice, bob := callPair(t)
	aLog, bLog := newCallLog(), newCallLog()
	answerWith(t, bob, bLog, func(s *Session) { s.Answer(context.Background(), nil) })
	s, err := alice.Call(context.Background(), "bob", &CallOptions{Handlers: aLog.handlers()})
	if err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "progress remote 180", "accepted remote", "confirmed local")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := alice.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Stop returned with the call still up")
	}
	bLog.expect(t, "progress local 180", "accepted local", "confirmed remote", "ended remote Terminated")
}
