package clock_test

import (
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
)

func TestRealNow(t *testing.T) {
	before := time.Now()
	now := clock.Real().Now()
	after := time.Now()
	if now.Before(before) || now.After(after) {
		t.Errorf("Real().Now() = %v, want between %v and %v", now, before, after)
	}
}

func TestRealAfterFuncFires(t *testing.T) {
	done := make(chan struct{})
	clock.Real().AfterFunc(time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("Real().AfterFunc callback did not run within a minute")
	}
}

func TestRealStopReset(t *testing.T) {
	tm := clock.Real().AfterFunc(time.Hour, func() { t.Error("stopped timer fired") })
	if !tm.Reset(2 * time.Hour) {
		t.Error("Reset of a pending timer = false, want true")
	}
	if !tm.Stop() {
		t.Error("Stop of a pending timer = false, want true")
	}
	if tm.Stop() {
		t.Error("second Stop = true, want false")
	}
}
