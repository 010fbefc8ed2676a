package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Fake is a Clock for tests. Its time stands still until [Fake.Advance]
// moves it, and its timers fire only inside Advance, synchronously, on the
// goroutine that called it.
//
// A Fake is safe for concurrent use. Callbacks run without any lock of the
// Fake held, so a callback may read the time and create, stop or reset
// timers, including its own.
//
// The zero value is a Fake at the zero time, ready to use. A Fake must not be
// copied after first use.
type Fake struct {
	mu  sync.Mutex
	now time.Time
	// seq counts schedulings (AfterFunc and Reset); it orders timers that
	// share a deadline.
	seq uint64
	// queue holds the pending timers, earliest first. Every deadline in it
	// is at or after now.
	queue timerQueue
}

// NewFake returns a Fake whose time is start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start}
}

// Now returns the Fake's current time. Inside a timer's callback it is that
// timer's deadline.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// AfterFunc returns a Timer that calls fn inside the first [Fake.Advance]
// that reaches d after the current time. A duration of zero or less makes
// the timer due at the current time, so even Advance(0) fires it.
// AfterFunc panics if fn is nil.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	if fn == nil {
		panic("clock: Fake.AfterFunc called with a nil func")
	}
	t := &fakeTimer{fake: f, fn: fn, index: -1}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.schedule(t, d)
	return t
}

// Advance moves the Fake's time forward by d and fires every timer that
// falls due on the way.
//
// Timers fire one at a time, in deadline order; timers with the same
// deadline fire in the order they were scheduled by AfterFunc or last
// rescheduled by Reset. While a callback runs, Now returns its timer's
// deadline. A timer that a callback schedules (or reschedules) with a
// deadline within the advanced span fires in the same call, so a callback
// that keeps rescheduling itself with a zero duration makes Advance loop
// forever. When Advance returns, Now is the old time plus d.
//
// Advance panics if d is negative.
func (f *Fake) Advance(d time.Duration) {
	if d < 0 {
		panic("clock: Fake.Advance called with a negative duration")
	}
	f.mu.Lock()
	end := f.now.Add(d)
	for len(f.queue) > 0 && !f.queue[0].when.After(end) {
		t := heap.Pop(&f.queue).(*fakeTimer)
		f.now = t.when
		f.mu.Unlock()
		t.fn()
		f.mu.Lock()
	}
	// Another goroutine's Advance may already have gone past end.
	if end.After(f.now) {
		f.now = end
	}
	f.mu.Unlock()
}

// Pending returns the number of timers that have neither fired nor been
// stopped.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queue)
}

// Next returns how long after the current time the earliest pending timer is
// due, and true; or 0 and false if no timer is pending. Advance(d) with the
// returned d fires that timer.
func (f *Fake) Next() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return 0, false
	}
	return f.queue[0].when.Sub(f.now), true
}

// schedule queues t to fire d after the current time. f.mu must be held and
// t must not be queued.
func (f *Fake) schedule(t *fakeTimer, d time.Duration) {
	t.when = f.now.Add(max(d, 0))
	f.seq++
	t.seq = f.seq
	heap.Push(&f.queue, t)
}

// fakeTimer is the Timer returned by Fake.AfterFunc.
type fakeTimer struct {
	fake *Fake
	fn   func()
	// when, seq and index are guarded by fake.mu.
	when  time.Time
	seq   uint64
	index int // position in fake.queue, or -1 when not pending
}

// Stop removes t from the queue if it is pending.
func (t *fakeTimer) Stop() bool {
	f := t.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&f.queue, t.index)
	return true
}

// Reset reschedules t to fire d after the Fake's current time.
func (t *fakeTimer) Reset(d time.Duration) bool {
	f := t.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := t.index >= 0
	if pending {
		heap.Remove(&f.queue, t.index)
	}
	f.schedule(t, d)
	return pending
}

// timerQueue is a min-heap of timers by deadline, then scheduling order.
// It implements heap.Interface and keeps each timer's index up to date.
type timerQueue []*fakeTimer

func (q timerQueue) Len() int { return len(q) }

func (q timerQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if !a.when.Equal(b.when) {
		return a.when.Before(b.when)
	}
	return a.seq < b.seq
}

func (q timerQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}

func (q *timerQueue) Push(x any) {
	t := x.(*fakeTimer)
	t.index = len(*q)
	*q = append(*q, t)
}

func (q *timerQueue) Pop() any {
	old := *q
	n := len(old) - 1
	t := old[n]
	old[n] = nil
	t.index = -1
	*q = old[:n]
	return t
}
