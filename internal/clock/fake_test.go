package clock_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// firing records one callback: the timer's name and Now()-start when it ran.
type firing struct {
	name string
	at   time.Duration
}

func TestFakeAdvance(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name string
		// setup schedules timers; fire(name) returns a callback that records
		// a firing.
		setup       func(t *testing.T, f *clock.Fake, fire func(string) func())
		advance     []time.Duration
		want        []firing
		wantPending int
	}{
		{
			name: "deadline order",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				f.AfterFunc(3*s, fire("c"))
				f.AfterFunc(1*s, fire("a"))
				f.AfterFunc(2*s, fire("b"))
			},
			advance: []time.Duration{5 * s},
			want:    []firing{{"a", 1 * s}, {"b", 2 * s}, {"c", 3 * s}},
		},
		{
			name: "ties fire in creation order",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				f.AfterFunc(2*s, fire("x"))
				f.AfterFunc(1*s, fire("a"))
				f.AfterFunc(1*s, fire("b"))
				f.AfterFunc(1*s, fire("c"))
			},
			advance: []time.Duration{2 * s},
			want:    []firing{{"a", 1 * s}, {"b", 1 * s}, {"c", 1 * s}, {"x", 2 * s}},
		},
		{
			name: "only due timers fire",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				f.AfterFunc(1*s, fire("a"))
				f.AfterFunc(3*s, fire("b"))
			},
			advance:     []time.Duration{2 * s, 999 * time.Millisecond},
			want:        []firing{{"a", 1 * s}},
			wantPending: 1,
		},
		{
			name: "successive advances",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				f.AfterFunc(1*s, fire("a"))
				f.AfterFunc(3*s, fire("b"))
			},
			advance: []time.Duration{2 * s, 1 * s},
			want:    []firing{{"a", 1 * s}, {"b", 3 * s}},
		},
		{
			name: "zero and negative durations are due at once",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				f.AfterFunc(0, fire("zero"))
				f.AfterFunc(-time.Hour, fire("negative"))
			},
			advance: []time.Duration{0},
			want:    []firing{{"zero", 0}, {"negative", 0}},
		},
		{
			name: "stop",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				f.AfterFunc(1*s, fire("a"))
				b := f.AfterFunc(2*s, fire("b"))
				if !b.Stop() {
					t.Error("Stop of a pending timer = false, want true")
				}
				if b.Stop() {
					t.Error("second Stop = true, want false")
				}
			},
			advance: []time.Duration{5 * s},
			want:    []firing{{"a", 1 * s}},
		},
		{
			name: "reset a pending timer",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				a := f.AfterFunc(1*s, fire("a"))
				f.AfterFunc(2*s, fire("b"))
				if !a.Reset(3 * s) {
					t.Error("Reset of a pending timer = false, want true")
				}
			},
			advance: []time.Duration{5 * s},
			want:    []firing{{"b", 2 * s}, {"a", 3 * s}},
		},
		{
			name: "reset moves a timer behind its ties",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				a := f.AfterFunc(1*s, fire("a"))
				f.AfterFunc(1*s, fire("b"))
				a.Reset(1 * s)
			},
			advance: []time.Duration{1 * s},
			want:    []firing{{"b", 1 * s}, {"a", 1 * s}},
		},
		{
			name: "reset a stopped timer",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				a := f.AfterFunc(1*s, fire("a"))
				a.Stop()
				if a.Reset(2 * s) {
					t.Error("Reset of a stopped timer = true, want false")
				}
			},
			advance: []time.Duration{5 * s},
			want:    []firing{{"a", 2 * s}},
		},
		{
			name: "reset a fired timer counts from now",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				a := f.AfterFunc(1*s, fire("a"))
				f.Advance(2 * s)
				if a.Reset(1 * s) {
					t.Error("Reset of a fired timer = true, want false")
				}
			},
			advance: []time.Duration{5 * s},
			want:    []firing{{"a", 3 * s}},
		},
		{
			name: "callback schedules a timer inside the window",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				outer := fire("outer")
				f.AfterFunc(1*s, func() {
					outer()
					f.AfterFunc(1*s, fire("inner"))
				})
				f.AfterFunc(2500*time.Millisecond, fire("later"))
			},
			advance: []time.Duration{3 * s},
			want:    []firing{{"outer", 1 * s}, {"inner", 2 * s}, {"later", 2500 * time.Millisecond}},
		},
		{
			name: "callback schedules a timer beyond the window",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				outer := fire("outer")
				f.AfterFunc(1*s, func() {
					outer()
					f.AfterFunc(5*s, fire("inner"))
				})
			},
			advance:     []time.Duration{3 * s},
			want:        []firing{{"outer", 1 * s}},
			wantPending: 1,
		},
		{
			name: "callback with zero duration fires after earlier ties",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				outer := fire("outer")
				f.AfterFunc(1*s, func() {
					outer()
					f.AfterFunc(0, fire("inner"))
				})
				f.AfterFunc(1*s, fire("tie"))
			},
			advance: []time.Duration{1 * s},
			want:    []firing{{"outer", 1 * s}, {"tie", 1 * s}, {"inner", 1 * s}},
		},
		{
			name: "callback stops a due timer",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				var b clock.Timer
				first := fire("a")
				f.AfterFunc(1*s, func() {
					first()
					if !b.Stop() {
						t.Error("Stop from a callback = false, want true")
					}
				})
				b = f.AfterFunc(2*s, fire("b"))
			},
			advance: []time.Duration{5 * s},
			want:    []firing{{"a", 1 * s}},
		},
		{
			name: "callback resets its own timer",
			setup: func(t *testing.T, f *clock.Fake, fire func(string) func()) {
				var tick clock.Timer
				record := fire("tick")
				tick = f.AfterFunc(1*s, func() {
					record()
					if tick.Stop() {
						t.Error("Stop of the firing timer = true, want false")
					}
					tick.Reset(1 * s)
				})
			},
			advance:     []time.Duration{3500 * time.Millisecond},
			want:        []firing{{"tick", 1 * s}, {"tick", 2 * s}, {"tick", 3 * s}},
			wantPending: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := clock.NewFake(start)
			var got []firing
			fire := func(name string) func() {
				return func() { got = append(got, firing{name, f.Now().Sub(start)}) }
			}
			tt.setup(t, f, fire)
			got = nil // firings caused by setup itself are not under test
			for _, d := range tt.advance {
				base := f.Now()
				f.Advance(d)
				if now := f.Now(); !now.Equal(base.Add(d)) {
					t.Errorf("after Advance(%v) from %v: Now = %v, want %v", d, base, now, base.Add(d))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("firings = %v, want %v", got, tt.want)
			}
			if p := f.Pending(); p != tt.wantPending {
				t.Errorf("Pending = %d, want %d", p, tt.wantPending)
			}
		})
	}
}

func TestFakeNext(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *clock.Fake)
		want   time.Duration
		wantOK bool
	}{
		{
			name:  "no timers",
			setup: func(f *clock.Fake) {},
		},
		{
			name: "earliest of several",
			setup: func(f *clock.Fake) {
				f.AfterFunc(3*time.Second, func() {})
				f.AfterFunc(2*time.Second, func() {})
			},
			want:   2 * time.Second,
			wantOK: true,
		},
		{
			name: "counts from the current time",
			setup: func(f *clock.Fake) {
				f.AfterFunc(3*time.Second, func() {})
				f.Advance(time.Second)
			},
			want:   2 * time.Second,
			wantOK: true,
		},
		{
			name: "due now",
			setup: func(f *clock.Fake) {
				f.AfterFunc(-time.Second, func() {})
			},
			want:   0,
			wantOK: true,
		},
		{
			name: "stopped timers do not count",
			setup: func(f *clock.Fake) {
				f.AfterFunc(time.Second, func() {}).Stop()
			},
		},
		{
			name: "fired timers do not count",
			setup: func(f *clock.Fake) {
				f.AfterFunc(time.Second, func() {})
				f.AfterFunc(5*time.Second, func() {})
				f.Advance(2 * time.Second)
			},
			want:   3 * time.Second,
			wantOK: true,
		},
		{
			name: "after reset",
			setup: func(f *clock.Fake) {
				f.AfterFunc(time.Second, func() {}).Reset(time.Minute)
			},
			want:   time.Minute,
			wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := clock.NewFake(start)
			tt.setup(f)
			d, ok := f.Next()
			if d != tt.want || ok != tt.wantOK {
				t.Errorf("Next() = %v, %v; want %v, %v", d, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestFakeNextThenAdvanceFires(t *testing.T) {
	f := clock.NewFake(start)
	fired := 0
	f.AfterFunc(1500*time.Millisecond, func() { fired++ })
	d, ok := f.Next()
	if !ok {
		t.Fatal("Next() reported no pending timer")
	}
	f.Advance(d)
	if fired != 1 {
		t.Errorf("after Advance(Next()): fired %d times, want 1", fired)
	}
}

func TestFakeZeroValue(t *testing.T) {
	var f clock.Fake
	if !f.Now().IsZero() {
		t.Errorf("zero Fake: Now = %v, want the zero time", f.Now())
	}
	fired := false
	f.AfterFunc(time.Second, func() { fired = true })
	f.Advance(time.Second)
	if !fired {
		t.Error("zero Fake: timer did not fire")
	}
}

func TestFakePanics(t *testing.T) {
	tests := []struct {
		name string
		call func(f *clock.Fake)
	}{
		{"AfterFunc with nil func", func(f *clock.Fake) { f.AfterFunc(time.Second, nil) }},
		{"negative Advance", func(f *clock.Fake) { f.Advance(-time.Nanosecond) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.call(clock.NewFake(start))
		})
	}
}

// TestFakeConcurrent exercises the Fake from many goroutines at once; its
// value is in running under -race.
func TestFakeConcurrent(t *testing.T) {
	const workers, perWorker = 8, 200
	f := clock.NewFake(start)
	var (
		mu      sync.Mutex
		fired   int
		stopped int
		rearmed int // Resets of timers that had already fired: they fire twice
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				d := time.Duration(w*perWorker+i) * time.Millisecond
				tm := f.AfterFunc(d, func() {
					mu.Lock()
					fired++
					mu.Unlock()
				})
				switch i % 3 {
				case 1:
					if tm.Stop() {
						mu.Lock()
						stopped++
						mu.Unlock()
					}
				case 2:
					if !tm.Reset(d / 2) {
						mu.Lock()
						rearmed++
						mu.Unlock()
					}
				}
				_ = f.Now()
				_ = f.Pending()
				_, _ = f.Next()
			}
		})
	}
	for range workers {
		wg.Go(func() {
			for range perWorker {
				f.Advance(time.Millisecond)
			}
		})
	}
	wg.Wait()
	f.Advance(time.Hour)

	if p := f.Pending(); p != 0 {
		t.Errorf("Pending = %d after advancing past every deadline, want 0", p)
	}
	if want := workers*perWorker - stopped + rearmed; fired != want {
		t.Errorf("fired %d times, want %d (%d timers - %d stopped + %d re-armed after firing)",
			fired, want, workers*perWorker, stopped, rearmed)
	}
}
