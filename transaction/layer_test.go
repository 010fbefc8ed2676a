package transaction_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

func TestNewLayerErrors(t *testing.T) {
	send := transaction.SenderFunc(func(sip.Message, transaction.Addr) error { return nil })
	h := transaction.HandlerFuncs{}
	fake := clock.NewFake(time.Time{})
	for _, tc := range []struct {
		cfg  transaction.Config
		want string
	}{
		{transaction.Config{Handler: h, Clock: fake}, "Config.Sender"},
		{transaction.Config{Sender: send, Clock: fake}, "Config.Handler"},
		{transaction.Config{Sender: send, Handler: h, Clock: fake, T1: -1}, "Config.T1"},
		{transaction.Config{Sender: send, Handler: h, Clock: fake, T4: -1}, "Config.T4"},
		{transaction.Config{Sender: send, Handler: h, Clock: fake, T1: 5 * time.Second}, "Config.T2"},
		{transaction.Config{Sender: send, Handler: h}, "Config.Post"},
	} {
		if _, err := transaction.NewLayer(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
	if _, err := transaction.NewLayer(transaction.Config{Sender: send, Handler: h, Post: func(f func()) { go f() }}); err != nil {
		t.Errorf("real clock with Post: %v", err)
	}
}

// After Close nothing is sent or reported, and the transactions refuse
// work.
func TestClose(t *testing.T) {
	e := &clientEnv{env: newEnv(t)}
	e.start("INVITE")(e.env)
	se := &serverEnv{env: e.env, method: "OPTIONS"}
	se.recv()(e.env)
	s := e.servers[0]
	e.l.Close()
	e.l.Close()
	if e.clk.Pending() != 0 || e.l.Len() != 0 {
		t.Fatalf("after Close: %d timers, %d transactions", e.clk.Pending(), e.l.Len())
	}
	n, m := len(e.sent), len(e.events)
	e.clk.Advance(time.Minute)
	e.reply(200)(e.env)
	se.recv()(e.env)
	if err := s.Respond(response(s.Request(), 200, "x")); !errors.Is(err, transaction.ErrTerminated) {
		t.Errorf("Respond after Close: %v", err)
	}
	if len(e.sent) != n || len(e.events) != m {
		t.Errorf("after Close: sent %v, events %v", e.sends()[n:], e.events[m:])
	}
	if e.c.State() != transaction.Terminated || s.State() != transaction.Terminated {
		t.Errorf("states %v %v", e.c.State(), s.State())
	}
}

// With Config.Post, a timer expiry reaches the state machines only when the
// loop runs the posted function; a timer stopped in between does nothing.
func TestPostedTimers(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var queue []func()
	var sent []string
	l, err := transaction.NewLayer(transaction.Config{
		Sender: transaction.SenderFunc(func(m sip.Message, _ transaction.Addr) error {
			sent = append(sent, m.StartLine())
			return nil
		}),
		Handler: transaction.HandlerFuncs{},
		Clock:   clk,
		Post:    func(f func()) { queue = append(queue, f) },
	})
	if err != nil {
		t.Fatal(err)
	}
	run := func() {
		for len(queue) > 0 {
			f := queue[0]
			queue = queue[1:]
			f()
		}
	}
	c, err := l.Request(request(t, "OPTIONS", "z9hG4bKp"), peer, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(500 * time.Millisecond) // Timer E is due; its expiry is posted
	if len(sent) != 1 || len(queue) != 1 {
		t.Fatalf("before the loop ran: sent %d, queued %d", len(sent), len(queue))
	}
	run()
	if len(sent) != 2 {
		t.Fatalf("the posted expiry did not retransmit: %v", sent)
	}
	clk.Advance(time.Second)                                      // Timer E again, posted...
	l.HandleMessage(response(c.Request(), 200, "t"), peer, false) // ...but a 200 came first
	run()
	if len(sent) != 2 || c.State() != transaction.Completed {
		t.Fatalf("a stopped timer fired: sent %v, state %v", sent, c.State())
	}
	for range 10 {
		clk.Advance(time.Second)
		run()
	}
	if c.State() != transaction.Terminated || l.Len() != 0 || clk.Pending() != 0 {
		t.Errorf("Timer K: state %v, %d transactions, %d timers", c.State(), l.Len(), clk.Pending())
	}
}

func TestSendACKErrors(t *testing.T) {
	e := &clientEnv{env: newEnv(t)}
	e.start("INVITE")(e.env)
	ack := request(t, "ACK", "z9hG4bKa")
	if err := e.c.SendACK(ack, peer); err == nil {
		t.Error("SendACK in Calling accepted")
	}
	if err := e.c.SendACK(request(t, "BYE", "z9hG4bKb"), peer); err == nil {
		t.Error("SendACK of a BYE accepted")
	}
	e.reply(200)(e.env)
	e.sendErr = errors.New("down")
	if err := e.c.SendACK(ack, peer); !errors.Is(err, transaction.ErrTransport) {
		t.Errorf("SendACK with a failing Sender: %v", err)
	}
	if _, err := e.l.Request(request(t, "OPTIONS", "z9hG4bKo"), peer, true, nil); err == nil {
		t.Fatal("Request with a failing Sender succeeded")
	}
	e.sendErr = nil
	opt, err := e.l.Request(request(t, "OPTIONS", "z9hG4bKo"), peer, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.SendACK(ack, peer); err == nil {
		t.Error("SendACK on a non-INVITE accepted")
	}
	if _, err := opt.Cancel(nil); err == nil {
		t.Error("Cancel of a non-INVITE accepted")
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&transaction.Error{StatusCode: 408, Timer: "B", Err: transaction.ErrTimeout},
			"transaction: Timer B expired: transaction: timed out (408)"},
		{&transaction.Error{StatusCode: 503, Err: transaction.ErrTransport},
			"transaction: transport error (503)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if !errors.Is(transaction.ErrNoACK, transaction.ErrTimeout) {
		t.Error("ErrNoACK does not wrap ErrTimeout")
	}
	for s, want := range map[transaction.State]string{
		transaction.Calling: "Calling", transaction.Accepted: "Accepted", transaction.State(42): "State(42)",
	} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
}
