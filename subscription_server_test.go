package ringo

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/transport"
)

// This file runs Ringo Subscribers against Ringo Notifiers through the
// embedded server, all on one fake clock.

// serverUsers starts the embedded server and one registered UA per name
// on it (a name may repeat: two phones of one user).
func serverUsers(t *testing.T, clk clock.Clock, names ...string) []*UA {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Config{WS: "127.0.0.1:0", UDP: server.Off, TCP: server.Off, Logger: quiet, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var uas []*UA
	for _, name := range names {
		ws, err := transport.NewWebSocket("ws://"+srv.Addrs().WS.String(), &transport.WebSocketOptions{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		ua, err := newUA(Config{
			Sockets:           []transport.WeightedSocket{{Socket: ws}},
			URI:               "sip:" + name + "@ringo.test",
			ManualRegister:    true,
			KeepAliveInterval: -1,
			Logger:            quiet,
		}, clk)
		if err != nil {
			t.Fatal(err)
		}
		start(t, ua)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := ua.Register(ctx); err != nil {
			t.Fatalf("%s: register: %v", name, err)
		}
		cancel()
		uas = append(uas, ua)
	}
	return uas
}

// collect returns the next n events in sorted order, for events whose
// order the network decides.
func (l *eventLog) collect(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case e := <-l.ch:
			got = append(got, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("events %q, want %d", got, n)
		}
	}
	slices.Sort(got)
	return got
}

// serveSubscriptions makes ua a Notifier for every SUBSCRIBE, pending at
// first, with body as its first state.
func serveSubscriptions(t *testing.T, ua *UA, pending bool, body string) chan startedNotifier {
	t.Helper()
	return notifierFor(ua, &NotifierOptions{Pending: pending}, body)
}

func TestSubscriptionThroughServer(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	uas := serverUsers(t, clk, "alice", "bob")
	alice, bob := uas[0], uas[1]
	notifiers := serveSubscriptions(t, bob, true, "closed")
	ctx := context.Background()

	s, err := alice.Subscribe("bob", "presence", "text/plain", &SubscribeOptions{Expires: 120 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	log := watchSubscriber(s)
	if err := s.Subscribe(ctx, nil); err != nil {
		t.Fatal(err)
	}
	sn := nextNotifier(t, notifiers)
	n := sn.n
	if err := result(t, sn.start); err != nil {
		t.Fatal(err)
	}
	log.wait(t, "accepted 200")
	log.wait(t, "pending")
	log.wait(t, "notify final=false text/plain closed")
	sn.log.wait(t, "subscribe unsubscribe=false ")
	if s.ID().CallID != n.ID().CallID || s.ID().LocalTag != n.ID().RemoteTag || s.ID().RemoteTag != n.ID().LocalTag {
		t.Fatalf("dialog IDs differ: %v and %v", s.ID(), n.ID())
	}

	// Authorized, then notifications in order.
	if err := n.SetActiveState(); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"open", "away", "busy"} {
		if err := n.Notify(ctx, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	log.wait(t, "active")
	for _, body := range []string{"open", "away", "busy"} {
		log.wait(t, "notify final=false text/plain "+body)
	}

	// The refresh comes 5 s before the 120 s run out, through the proxy
	// by the route set; the notifier answers it with the full state.
	for range 115 {
		clk.Advance(time.Second)
		alice.do(ctx, func() {})
		bob.do(ctx, func() {})
	}
	sn.log.wait(t, "subscribe unsubscribe=false ")
	log.wait(t, "notify final=false text/plain busy")

	// The subscriber ends it.
	if err := s.Terminate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	sn.log.wait(t, "subscribe unsubscribe=true ")
	sn.log.wait(t, "terminated RECEIVE_UNSUBSCRIBE")
	log.wait(t, "terminated FINAL_NOTIFY_RECEIVED timeout -1")

	// A second subscription, ended by the notifier.
	s2, _ := alice.Subscribe("bob", "presence", "text/plain", nil)
	log2 := watchSubscriber(s2)
	if err := s2.Subscribe(ctx, nil); err != nil {
		t.Fatal(err)
	}
	sn2 := nextNotifier(t, notifiers)
	result(t, sn2.start)
	log2.wait(t, "accepted 200")
	log2.wait(t, "pending")
	log2.wait(t, "notify final=false text/plain closed")
	if err := sn2.n.Terminate(ctx, []byte("bye"), "noresource", 0); err != nil {
		t.Fatal(err)
	}
	sn2.log.wait(t, "subscribe unsubscribe=false ")
	sn2.log.wait(t, "terminated SEND_FINAL_NOTIFY")
	log2.wait(t, "notify final=true text/plain bye")
	log2.wait(t, "terminated FINAL_NOTIFY_RECEIVED noresource -1")
}

func TestSubscriptionForkedThroughServer(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	uas := serverUsers(t, clk, "alice", "bob", "bob")
	alice := uas[0]
	n1 := serveSubscriptions(t, uas[1], false, "phone 1")
	n2 := serveSubscriptions(t, uas[2], false, "phone 2")
	ctx := context.Background()

	s, _ := alice.Subscribe("bob", "dialog", "text/plain", nil)
	log := watchSubscriber(s)
	forks := make(chan *Subscriber, 1)
	s.OnFork(func(f *Subscriber) { log.record("fork"); forks <- f })
	if err := s.Subscribe(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The proxy forks the SUBSCRIBE to both phones; each NOTIFY makes its
	// own subscription (the order is the network's).
	a, b := nextNotifier(t, n1), nextNotifier(t, n2)
	want := []string{
		"accepted 200", "active", "active", "fork",
		"notify final=false text/plain phone 1", "notify final=false text/plain phone 2",
	}
	if got := log.collect(t, len(want)); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	f := <-forks
	if f.ID() == s.ID() || f.ID().CallID != s.ID().CallID {
		t.Fatalf("fork %v, original %v", f.ID(), s.ID())
	}
	for _, sub := range []*Subscriber{s, f} {
		if err := sub.Terminate(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	want = []string{"terminated FINAL_NOTIFY_RECEIVED timeout -1", "terminated FINAL_NOTIFY_RECEIVED timeout -1"}
	if got := log.collect(t, 2); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	for _, sn := range []startedNotifier{a, b} {
		sn.log.wait(t, "subscribe unsubscribe=false ")
		sn.log.wait(t, "subscribe unsubscribe=true ")
		sn.log.wait(t, "terminated RECEIVE_UNSUBSCRIBE")
	}
}
