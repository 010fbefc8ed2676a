//go:build unix

package ringo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media/audio"
)

// Numbers for calls with media, logged and never asserted:
//
//   - set-up time: from the caller making its media session and calling
//     Call (which gathers ICE for the offer) to the first RTP packet of the
//     callee's tone reaching the caller's sink, Ringo to Ringo on
//     127.0.0.1 through the embedded server (bob answers at once);
//   - memory per established call: the heap in use after a GC with N calls
//     up (both ends of each in this process: two UAs' sessions, two pion
//     peer connections), less the heap before, over N;
//   - how many concurrent calls one process carries before packets are
//     lost: N calls, each end playing a tone and counting the frames it
//     receives; over a window, the packets received against the 50 a
//     second each end should get, and the loss RTP sequence numbers show.
//
// The normal run is a smoke test of 10 calls with a 1 s window. The ramp
// runs with RINGO_LOAD=1: N = 10, 25, 50, 100, ... with a 3 s window,
// until more than 1% is lost or N reaches RINGO_LOAD_MAX (default 1000):
//
//	RINGO_LOAD=1 go test -run TestCallLoad -v -timeout 30m .
//
// The server runs in a child process (see load_test.go), so the memory and
// CPU measured here are the UAs' and the media's alone.

// callLoadSteps returns the numbers of calls to try and the window.
func callLoadSteps(t *testing.T) ([]int, time.Duration) {
	if os.Getenv("RINGO_LOAD") != "1" {
		return []int{10}, time.Second
	}
	limit := 1000
	if s := os.Getenv("RINGO_LOAD_MAX"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("RINGO_LOAD_MAX=%q is not a positive number", s)
		}
		limit = n
	}
	var steps []int
	for _, n := range []int{10, 25, 50, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000, 3000, 4000} {
		if n <= limit {
			steps = append(steps, n)
		}
	}
	return steps, 3 * time.Second
}

// cpuTime returns the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// percentile returns the p-th percentile (0-100) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// loadAnswerer answers every call bob gets with a tone of bobHz and keeps
// the callee legs.
type loadAnswerer struct {
	mu   sync.Mutex
	legs []*leg
	errs []error
}

func (la *loadAnswerer) run(t *testing.T, bob *phone, stop <-chan struct{}) {
	for {
		var l *leg
		select {
		case l = <-bob.incoming:
		case <-stop:
			return
		}
		go func() {
			m, rec, err := tryMedia(t, bob.engine, audio.NewTone(bobHz, toneLevel), false)
			if err == nil {
				l.m, l.rec = m, rec
				err = l.s.Answer(context.Background(), &ringo.AnswerOptions{Media: m})
			}
			la.mu.Lock()
			defer la.mu.Unlock()
			if err != nil {
				la.errs = append(la.errs, fmt.Errorf("%s: answer: %w", l.who, err))
				return
			}
			la.legs = append(la.legs, l)
		}()
	}
}

// wait waits until n calls have been answered or have failed to be, for
// 30 s at most.
func (la *loadAnswerer) wait(n int) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		la.mu.Lock()
		k := len(la.legs) + len(la.errs)
		la.mu.Unlock()
		if k >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// take returns the callee legs answered so far, and the errors, and
// forgets them.
func (la *loadAnswerer) take() ([]*leg, []error) {
	la.mu.Lock()
	defer la.mu.Unlock()
	legs, errs := la.legs, la.errs
	la.legs, la.errs = nil, nil
	return legs, errs
}

// loadCall places one call and waits for the first packet of bob's tone;
// it returns the caller's leg and the set-up time.
func loadCall(t *testing.T, alice *phone, target string, i int) (*leg, time.Duration, error) {
	a := &leg{who: fmt.Sprint("alice#", i), log: newEventLog()}
	start := time.Now()
	m, rec, err := tryMedia(t, alice.engine, audio.NewTone(aliceHz, toneLevel), false)
	if err != nil {
		return nil, 0, err
	}
	a.m, a.rec = m, rec
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := alice.ua.Call(ctx, target, &ringo.CallOptions{Media: m, Handlers: a.log.handlers()})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: Call: %w", a.who, err)
	}
	a.s = s
	select {
	case <-rec.got:
	case <-s.Done():
		return a, 0, fmt.Errorf("%s: the call ended before any audio", a.who)
	case <-ctx.Done():
		return a, 0, fmt.Errorf("%s: no audio within 30 s (state %v)", a.who, s.State())
	}
	return a, rec.firstFrame().Sub(start), nil
}

// rtpSnap is one leg's counters at one instant.
type rtpSnap struct {
	rx, tx uint64
	lost   int64
	frames int
	at     time.Time
}

func snapLeg(l *leg) rtpSnap {
	at := time.Now()
	st := l.m.Stats().Audio
	return rtpSnap{rx: st.Received.Packets, tx: st.Sent.Packets, lost: st.Received.Lost, frames: l.rec.frameCount(), at: at}
}

// loadAverage returns the first field of /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f, _, _ := strings.Cut(string(b), " ")
	return f
}

// TestCallLoad logs the set-up time of calls one at a time, then for each
// step of the ramp sets up N concurrent calls with audio both ways and
// logs the memory, goroutines and descriptors per call, the CPU used, and
// the packets received and lost over the window; the ramp stops at the
// first N that loses more than 1%. It fails only if a call cannot be set
// up, carries no audio or does not tear its media down.
func TestCallLoad(t *testing.T) {
	steps, window := callLoadSteps(t)
	if len(steps) == 1 {
		t.Parallel()
	}
	limit := raiseFileLimit(t)
	if need := uint64(steps[len(steps)-1])*6 + 100; limit < need {
		t.Fatalf("%d calls need about %d open files; the limit is %d (raise it with ulimit -n)", steps[len(steps)-1], need, limit)
	}
	srv := startLoadServer(t)
	ws := "ws://" + srv.ws
	alice := newPhone(t, ws, "sip:alice@ringo.test", "")
	bob := newPhone(t, ws, "sip:bob@ringo.test", "")
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	var answerer loadAnswerer
	go answerer.run(t, bob, stop)
	target := "sip:bob@ringo.test"

	// Set-up time, one call at a time.
	var setups []time.Duration
	for i := range 5 {
		a, d, err := loadCall(t, alice, target, i)
		if err != nil {
			t.Fatal(err)
		}
		setups = append(setups, d)
		answerer.wait(1)
		callees, errs := answerer.take()
		if len(errs) > 0 {
			t.Fatal(errors.Join(errs...))
		}
		hangUpAll(t, append(callees, a), []*leg{a})
	}
	t.Logf("set-up time, Call to first RTP packet at the caller, one call at a time: min %v, median %v, max %v (race detector %v)",
		slices.Min(setups).Round(100*time.Microsecond), percentile(setups, 50).Round(100*time.Microsecond),
		slices.Max(setups).Round(100*time.Microsecond), raceEnabled)

	for _, n := range steps {
		lost := loadStep(t, srv, alice, bob, &answerer, target, n, window)
		if t.Failed() || lost > 0.01 {
			t.Logf("stopping the ramp at N=%d: %.2f%% lost", n, lost*100)
			break
		}
	}
}

// loadStep sets up n calls, measures them, hangs them up, and returns the
// fraction of packets lost in the window: the largest of the packets sent
// but not received, the loss sequence numbers show, and the packets the
// senders fell behind the 50 a second they owe.
func loadStep(t *testing.T, srv *loadServer, alice, bob *phone, answerer *loadAnswerer, target string, n int, window time.Duration) float64 {
	t.Helper()
	before, srvBefore, fdBefore := readMem(), srv.stats(), openFiles()

	callers := make([]*leg, n)
	setups := make([]time.Duration, n)
	errs := make([]error, n)
	began := time.Now()
	forEach(n, 16, func(i int) { callers[i], setups[i], errs[i] = loadCall(t, alice, target, i) })
	took := time.Since(began)
	answerer.wait(n)
	callees, aerrs := answerer.take()
	errs = append(errs, aerrs...)
	var live []*leg
	for _, a := range callers {
		if a != nil {
			live = append(live, a)
		}
	}
	if err := errors.Join(errs...); err != nil {
		hangUpAll(t, append(live, callees...), live)
		t.Fatalf("N=%d: %v", n, err)
	}
	legs := append(slices.Clone(callers), callees...)
	for _, l := range callees {
		select {
		case <-l.rec.got:
		case <-time.After(30 * time.Second):
			t.Errorf("N=%d: %s got no audio", n, l.who)
		}
	}
	if len(callees) != n {
		t.Errorf("N=%d: bob answered %d calls", n, len(callees))
	}

	up, srvUp, fdUp := readMem(), srv.stats(), openFiles()
	cpu0 := cpuTime()
	snaps := make([]rtpSnap, len(legs))
	for i, l := range legs {
		snaps[i] = snapLeg(l)
	}
	time.Sleep(window)
	var rx, tx, frames uint64
	var lost int64
	var want float64
	for i, l := range legs {
		s := snapLeg(l)
		d := s.rx - snaps[i].rx
		if d == 0 {
			t.Errorf("N=%d: %s received nothing in %v", n, l.who, window)
		}
		rx += d
		tx += s.tx - snaps[i].tx
		lost += s.lost - snaps[i].lost
		frames += uint64(s.frames - snaps[i].frames)
		want += s.at.Sub(snaps[i].at).Seconds() * 50
	}
	cores := float64(cpuTime()-cpu0) / float64(window)
	// Every packet one leg sends is for another leg of the set, so the
	// totals compare: received against sent is what went missing on the
	// way (packets still in flight at the end of the window aside), and
	// sent against 50 a second is whether the senders kept time.
	missing := max(0, 1-float64(rx)/float64(tx))
	late := max(0, 1-float64(tx)/want)
	seqLoss := 0.0
	if lost > 0 {
		seqLoss = float64(lost) / float64(int64(rx)+lost)
	}
	t.Logf("N=%d calls (%d media sessions, race %v, load average %s): set up in %v (set-up time median %v, p95 %v); "+
		"per call: heap %.0f KiB, stack %.0f KiB, %.1f goroutines, %.1f fds; server heap %.1f KiB per call; "+
		"%v window: %d packets sent of %.0f due (%.2f%% behind), %d received (%.2f%% missing), %d lost by sequence (%.2f%%), %d frames to the sinks; CPU %.2f cores",
		n, 2*n, raceEnabled, loadAverage(), took.Round(time.Millisecond), percentile(setups, 50).Round(100*time.Microsecond),
		percentile(setups, 95).Round(100*time.Microsecond),
		float64(int64(up.heap)-int64(before.heap))/float64(n)/1024, float64(int64(up.stack)-int64(before.stack))/float64(n)/1024,
		float64(up.goroutines-before.goroutines)/float64(n), float64(fdUp-fdBefore)/float64(n),
		float64(int64(srvUp.heap)-int64(srvBefore.heap))/float64(n)/1024,
		window, tx, want, late*100, rx, missing*100, lost, seqLoss*100, frames, cores)

	hangUpAll(t, legs, callers)
	return max(missing, seqLoss, late)
}

// hangUpAll ends the calls of the callers and waits for every leg to end
// and close its media.
func hangUpAll(t *testing.T, legs, callers []*leg) {
	t.Helper()
	for _, a := range callers {
		if a.s != nil {
			a.s.Terminate(nil)
		}
	}
	deadline := time.After(30 * time.Second)
	for _, l := range legs {
		if l.s == nil {
			continue
		}
		select {
		case <-l.s.Done():
		case <-deadline:
			t.Fatalf("%s did not end within 30 s of the hang-up (state %v)", l.who, l.s.State())
		}
		if l.rec == nil {
			continue
		}
		select {
		case <-l.rec.closed:
		case <-deadline:
			t.Fatalf("%s: media not closed within 30 s of the hang-up", l.who)
		}
	}
}
