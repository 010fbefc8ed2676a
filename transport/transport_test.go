package transport

import (
	"errors"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
)

var errRefused = errors.New("fake: connection refused")

// newTestTransport returns a started Transport over sockets on a fake
// clock, closed when the test ends. randN, when not nil, replaces the
// random source.
func newTestTransport(t *testing.T, clk *clock.Fake, randN func(int64) int64, cfg Config) *Transport {
	t.Helper()
	cfg.Clock = clk
	cfg.Logger = quietLogger()
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if randN != nil {
		tr.randN = randN
	}
	t.Cleanup(func() {
		tr.Close()
		for range tr.Events() {
		}
	})
	tr.Start()
	return tr
}

func TestBackoffBounds(t *testing.T) {
	for _, tc := range []struct {
		n        int
		min, max time.Duration
		lo, hi   time.Duration
	}{
		{1, 2 * time.Second, 30 * time.Second, 2 * time.Second, 2 * time.Second},
		{2, 2 * time.Second, 30 * time.Second, 2 * time.Second, 4 * time.Second},
		{3, 2 * time.Second, 30 * time.Second, 2 * time.Second, 8 * time.Second},
		{4, 2 * time.Second, 30 * time.Second, 2 * time.Second, 16 * time.Second},
		{5, 2 * time.Second, 30 * time.Second, 2 * time.Second, 30 * time.Second},
		{60, 2 * time.Second, 30 * time.Second, 2 * time.Second, 30 * time.Second},
		{3, time.Second, 3 * time.Second, time.Second, 3 * time.Second},
		{9, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second},
	} {
		lo, hi := backoffBounds(tc.n, tc.min, tc.max)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("backoffBounds(%d, %v, %v) = %v, %v; want %v, %v", tc.n, tc.min, tc.max, lo, hi, tc.lo, tc.hi)
		}
		if d := backoff(tc.n, tc.min, tc.max, func(int64) int64 { return 0 }); d != tc.lo {
			t.Errorf("backoff(%d) with the lowest draw = %v, want %v", tc.n, d, tc.lo)
		}
		if d := backoff(tc.n, tc.min, tc.max, func(k int64) int64 { return k - 1 }); d != tc.hi {
			t.Errorf("backoff(%d) with the highest draw = %v, want %v", tc.n, d, tc.hi)
		}
	}
}

// TestReconnectBackoff checks the exact delay of every reconnection round
// on the fake clock: the highest draw gives 2, 4, 8, 16, 30, 30 s.
func TestReconnectBackoff(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	s := newFake("a", clk)
	s.setDialErr(errRefused)
	tr := newTestTransport(t, clk, func(k int64) int64 { return k - 1 }, Config{
		Sockets: []WeightedSocket{{Socket: s}},
	})
	for i, want := range []time.Duration{2, 4, 8, 16, 30, 30} {
		want *= time.Second
		ev := nextEvent(t, tr, EventConnecting)
		if ev.Attempt != i+1 {
			t.Errorf("round %d: attempt = %d", i+1, ev.Attempt)
		}
		ev = nextEvent(t, tr, EventDisconnected)
		if !errors.Is(ev.Err, errRefused) {
			t.Errorf("round %d: err = %v", i+1, ev.Err)
		}
		if d, ok := clk.Next(); !ok || d != want {
			t.Fatalf("round %d: next timer in %v (%v), want %v", i+1, d, ok, want)
		}
		clk.Advance(want - 1)
		select {
		case ev := <-tr.Events():
			t.Fatalf("round %d: event %v before the backoff ended", i+1, ev.Kind)
		default:
		}
		clk.Advance(1)
	}
	// After a connection the rounds start again from the minimum.
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventDisconnected)
	s.setDialErr(nil)
	clk.Advance(30 * time.Second)
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	s.drop(errors.New("fake: reset"))
	nextEvent(t, tr, EventDisconnected)
	if d, _ := clk.Next(); d != 2*time.Second {
		t.Errorf("after a connection: next attempt in %v, want 2s", d)
	}
}

// TestReconnectBackoffRandom checks that real draws stay in the bounds.
func TestReconnectBackoffRandom(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	s := newFake("a", clk)
	s.setDialErr(errRefused)
	tr := newTestTransport(t, clk, nil, Config{
		Sockets:      []WeightedSocket{{Socket: s}},
		ReconnectMin: time.Second,
		ReconnectMax: 10 * time.Second,
	})
	for n := 1; n <= 8; n++ {
		nextEvent(t, tr, EventConnecting)
		nextEvent(t, tr, EventDisconnected)
		d, _ := clk.Next()
		lo, hi := backoffBounds(n, time.Second, 10*time.Second)
		if d < lo || d > hi {
			t.Errorf("round %d: delay %v outside [%v, %v]", n, d, lo, hi)
		}
		clk.Advance(d)
	}
}

// TestFailoverOrder checks that a round tries the sockets by weight,
// highest first, all of them, before the backoff.
func TestFailoverOrder(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	dials := make(chan string, 64)
	mk := func(name string) *fakeSocket {
		s := newFake(name, clk)
		s.log = dials
		s.setDialErr(errRefused)
		return s
	}
	low, high1, high2, mid := mk("low"), mk("high1"), mk("high2"), mk("mid")
	tr := newTestTransport(t, clk, nil, Config{Sockets: []WeightedSocket{
		{Socket: low, Weight: 1}, {Socket: high1, Weight: 10}, {Socket: mid, Weight: 5}, {Socket: high2, Weight: 10},
	}})
	seenFirst := map[string]bool{}
	for round := 1; round <= 20; round++ {
		var order []string
		for i := 0; i < 4; i++ {
			nextEvent(t, tr, EventConnecting)
			nextEvent(t, tr, EventDisconnected)
			order = append(order, recv(t, dials))
		}
		if !(order[0] == "high1" && order[1] == "high2" || order[0] == "high2" && order[1] == "high1") || order[2] != "mid" || order[3] != "low" {
			t.Fatalf("round %d: dial order %v", round, order)
		}
		seenFirst[order[0]] = true
		if _, ok := clk.Next(); !ok {
			t.Fatalf("round %d: no backoff timer", round)
		}
		if round < 20 {
			d, _ := clk.Next()
			clk.Advance(d)
		}
	}
	// Equal weights are chosen at random: over 20 rounds both lead
	// (the chance that one never does is 2^-19).
	if len(seenFirst) != 2 {
		t.Errorf("equal weights always in the same order: %v", seenFirst)
	}

	// The connection goes to the best socket that works; when it drops,
	// the next socket is tried at once.
	high1.setDialErr(nil)
	mid.setDialErr(nil)
	clk.Advance(30 * time.Second)
	for {
		ev := recv(t, tr.Events())
		if ev.Kind == EventConnected {
			if ev.Socket != high1 {
				t.Fatalf("connected to %v, want high1", ev.Socket)
			}
			break
		}
	}
	for len(dials) > 0 {
		<-dials
	}
	high1.drop(errors.New("fake: reset"))
	nextEvent(t, tr, EventDisconnected)
	var order []string
	for {
		ev := recv(t, tr.Events())
		if ev.Kind == EventConnecting {
			order = append(order, recv(t, dials))
		}
		if ev.Kind == EventConnected {
			break
		}
	}
	if got := order[len(order)-1]; got != "mid" || len(order) > 2 || order[0] == "high1" {
		t.Errorf("after the drop: dials %v, want high2 (if first) then mid, without waiting", order)
	}
	if tr.Socket() != mid {
		t.Errorf("Socket() = %v, want mid", tr.Socket())
	}
}

func TestConnectTimeout(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	s := newFake("slow", clk)
	s.setBlock(true)
	tr := newTestTransport(t, clk, nil, Config{
		Sockets:        []WeightedSocket{{Socket: s}},
		ConnectTimeout: 5 * time.Second,
	})
	nextEvent(t, tr, EventConnecting)
	if d, _ := clk.Next(); d != 5*time.Second {
		t.Fatalf("connect timer in %v, want 5s", d)
	}
	clk.Advance(5 * time.Second)
	ev := nextEvent(t, tr, EventDisconnected)
	if !errors.Is(ev.Err, ErrConnectTimeout) {
		t.Errorf("err = %v, want ErrConnectTimeout", ev.Err)
	}
}

// TestKeepAlive checks the ping schedule and that a missing pong ends the
// connection exactly KeepAliveTimeout after the ping.
func TestKeepAlive(t *testing.T) {
	start := time.Unix(1000, 0)
	clk := clock.NewFake(start)
	s := newFake("a", clk)
	tr := newTestTransport(t, clk, nil, Config{
		Sockets:           []WeightedSocket{{Socket: s}},
		KeepAliveInterval: 25 * time.Second,
		KeepAliveTimeout:  7 * time.Second,
	})
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	if d, _ := clk.Next(); d != 25*time.Second {
		t.Fatalf("first ping due in %v, want 25s", d)
	}
	for i := 1; i <= 3; i++ {
		clk.Advance(25 * time.Second)
		if at := s.waitPing(t); !at.Equal(start.Add(time.Duration(i) * 25 * time.Second)) {
			t.Errorf("ping %d at %v, want %v", i, at.Sub(start), time.Duration(i)*25*time.Second)
		}
		s.answerPing()
	}
	// Messages flow meanwhile.
	s.inbound() <- []byte("OPTIONS sip:a SIP/2.0\r\n\r\n")
	if in := recv(t, tr.Messages()); in.Socket != s || string(in.Data) != "OPTIONS sip:a SIP/2.0\r\n\r\n" {
		t.Errorf("inbound = %q from %v", in.Data, in.Socket)
	}

	// The fourth ping gets no pong.
	clk.Advance(25 * time.Second)
	s.waitPing(t)
	clk.Advance(7*time.Second - time.Millisecond)
	if !s.connected() || len(tr.Events()) != 0 {
		t.Fatal("connection ended before the keep-alive timeout")
	}
	clk.Advance(time.Millisecond)
	ev := nextEvent(t, tr, EventDisconnected)
	if !errors.Is(ev.Err, ErrNoPong) {
		t.Errorf("err = %v, want ErrNoPong", ev.Err)
	}
	// And the transport reconnects after the backoff.
	if d, _ := clk.Next(); d != 2*time.Second {
		t.Errorf("reconnect in %v, want 2s", d)
	}
	clk.Advance(2 * time.Second)
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
}

func TestKeepAliveOff(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	s := newFake("a", clk)
	tr := newTestTransport(t, clk, nil, Config{
		Sockets:           []WeightedSocket{{Socket: s}},
		KeepAliveInterval: -1,
	})
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	if n := clk.Pending(); n != 0 {
		t.Errorf("%d timers pending with keep-alives off", n)
	}
}

// TestDisconnectCodeReason checks that a WebSocket close code reaches the
// event.
func TestDisconnectCodeReason(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	s := newFake("a", clk)
	tr := newTestTransport(t, clk, nil, Config{Sockets: []WeightedSocket{{Socket: s}}})
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	s.drop(&CloseError{Code: 1001, Reason: "going away"})
	ev := nextEvent(t, tr, EventDisconnected)
	if ev.Code != 1001 || ev.Reason != "going away" || ev.Err == nil {
		t.Errorf("event = %+v", ev)
	}
}

func TestClose(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	s := newFake("a", clk)
	tr, err := New(Config{Sockets: []WeightedSocket{{Socket: s}}, Clock: clk, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	tr.Start()
	nextEvent(t, tr, EventConnecting)
	nextEvent(t, tr, EventConnected)
	if err := tr.Send(t.Context(), []byte("x")); err != nil {
		t.Errorf("Send: %v", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, tr, EventDisconnected)
	if ev.Err != nil {
		t.Errorf("disconnected by Close: err = %v, want nil", ev.Err)
	}
	if _, ok := <-tr.Events(); ok {
		t.Error("Events not closed")
	}
	if _, ok := <-tr.Messages(); ok {
		t.Error("Messages not closed")
	}
	if err := tr.Send(t.Context(), []byte("x")); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Send after Close: %v", err)
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("%d timers left after Close", n)
	}
}

func TestConfigErrors(t *testing.T) {
	s := newFake("a", clock.Real())
	for _, cfg := range []Config{
		{},
		{Sockets: []WeightedSocket{{}}},
		{Sockets: []WeightedSocket{{Socket: s}}, ReconnectMin: 5 * time.Second, ReconnectMax: time.Second},
		{Sockets: []WeightedSocket{{Socket: s}}, ReconnectMin: -1},
		{Sockets: []WeightedSocket{{Socket: s}}, KeepAliveInterval: 5 * time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) did not fail", cfg)
		}
	}
}

func TestNeedsStream(t *testing.T) {
	for _, tc := range []struct {
		n, mtu int
		want   bool
	}{
		{1300, 0, false}, {1301, 0, true}, {1300, 1500, false}, {1301, 1500, true},
		{8800, 9000, false}, {8801, 9000, true}, {600, 576, true}, {376, 576, false},
	} {
		if got := NeedsStream(tc.n, tc.mtu); got != tc.want {
			t.Errorf("NeedsStream(%d, %d) = %v", tc.n, tc.mtu, got)
		}
	}
}
