package testpeer

import (
	"context"
	"time"
)

// The methods below fail the test (t.Fatal, or t.Errorf for
// WaitDirection) instead of returning an error; call them from the test's
// goroutine.

// MustSend is Send that fails the test on error.
func (p *BrowserPhone) MustSend(cmd map[string]any) {
	p.b.t.Helper()
	if err := p.Send(cmd); err != nil {
		p.b.t.Fatal(err)
	}
}

// ExpectFrom is Expect for an event with the given originator ("" for
// any), skipping events of the same name from the other side (JsSIP
// reports some events for both).
func (p *BrowserPhone) ExpectFrom(ctx context.Context, event, originator string) map[string]any {
	p.b.t.Helper()
	for {
		ev := p.Expect(ctx, event)
		if originator == "" || ev["originator"] == originator {
			return ev
		}
	}
}

// MustStats is Stats that fails the test on error.
func (p *BrowserPhone) MustStats(ctx context.Context) BrowserStats {
	p.b.t.Helper()
	st, err := p.Stats(ctx)
	if err != nil {
		p.b.t.Fatal(err)
	}
	return st
}

// WaitDirection polls the phone's audio direction until it is want, for
// up to 5 s: the transceiver changes when a re-INVITE's answer is
// applied, after JsSIP's hold and unhold events.
func (p *BrowserPhone) WaitDirection(ctx context.Context, want string) {
	p.b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = p.MustStats(ctx).Direction; got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.b.t.Errorf("%s: audio direction %q, want %q", p.Name(), got, want)
}
