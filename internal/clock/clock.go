package clock

import "time"

// Clock is a source of the current time and of timers.
//
// Implementations are safe for concurrent use by multiple goroutines.
type Clock interface {
	// Now returns the current time.
	Now() time.Time

	// AfterFunc waits for the duration d to elapse and then calls f.
	// A duration of zero or less makes the timer due at once.
	// The returned Timer can stop or reschedule the call.
	//
	// With the real clock, f runs on a goroutine of its own. With a Fake,
	// f runs inside Fake.Advance, on the goroutine that called Advance.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call created by [Clock.AfterFunc].
//
// Its methods have the semantics of the same methods on a [time.Timer]
// created by [time.AfterFunc].
type Timer interface {
	// Stop prevents the timer from firing. It reports whether the call
	// stopped the timer: false if the timer had already fired or been
	// stopped. Stop does not wait for a callback that is already running.
	Stop() bool

	// Reset changes the timer to fire after duration d, counted from now,
	// whether or not it has fired or been stopped before. It reports
	// whether the timer was pending before the call.
	Reset(d time.Duration) bool
}

// Real returns the Clock backed by the time package: Now is [time.Now] and
// AfterFunc is [time.AfterFunc].
func Real() Clock {
	return realClock{}
}

// realClock is the Clock returned by Real.
type realClock struct{}

// Now returns time.Now().
func (realClock) Now() time.Time {
	return time.Now()
}

// AfterFunc returns time.AfterFunc(d, f); a *time.Timer satisfies Timer.
func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
