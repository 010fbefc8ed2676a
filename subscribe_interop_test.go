package ringo_test

// Subscriptions (RFC 6665) against real peers: Ringo Subscribers and
// Notifiers through Kamailio with digest auth, and against JsSIP 3.13 in
// Node.js both ways.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
)

// subEvents is a Subscriber's or a Notifier's events as lines, in the
// order the UA delivered them: "accepted 200", "pending", "active",
// "notify final=false open", "terminated FINAL_NOTIFY_RECEIVED noresource"
// for a Subscriber; "subscribe unsubscribe=false", "terminated
// RECEIVE_UNSUBSCRIBE" for a Notifier.
type subEvents struct {
	who string
	ch  chan string
}

func newSubEvents(who string) *subEvents { return &subEvents{who: who, ch: make(chan string, 64)} }

func (l *subEvents) add(format string, args ...any) {
	select {
	case l.ch <- fmt.Sprintf(format, args...):
	default:
		panic(l.who + ": too many subscription events unread")
	}
}

// next returns the next event, failing after waitTime.
func (l *subEvents) next(t *testing.T) string {
	t.Helper()
	select {
	case e := <-l.ch:
		return e
	case <-time.After(waitTime):
		t.Fatalf("%s: no subscription event within %v", l.who, waitTime)
		return ""
	}
}

// expect checks that the next events are want, in order.
func (l *subEvents) expect(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := l.next(t); got != w {
			t.Fatalf("%s: event %q, want %q", l.who, got, w)
		}
	}
}

// expectAnyOrder checks that the next len(want) events are want in some
// order, for events whose order the network decides (the 200 to a
// SUBSCRIBE and the first NOTIFY race through the proxy), and returns
// them in the order they came.
func (l *subEvents) expectAnyOrder(t *testing.T, want ...string) []string {
	t.Helper()
	var got []string
	for range want {
		got = append(got, l.next(t))
	}
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(g, w) {
		t.Fatalf("%s: events %q, want %q in any order", l.who, got, want)
	}
	return got
}

// unroutedSubscribes counts the in-dialog SUBSCRIBEs of the dialog with
// callID that Kamailio's log shows it routed without its Route (on the
// Request-URI: the route set was empty).
func unroutedSubscribes(log, callID string) int {
	targets := map[string]bool{}
	for _, line := range strings.Split(log, "\n") {
		// "REQ SUBSCRIBE <R-URI> from ... cid=<Call-ID>"
		_, rest, ok := strings.Cut(line, "REQ SUBSCRIBE ")
		if ok && strings.HasSuffix(line, "cid="+callID) {
			ruri, _, _ := strings.Cut(rest, " ")
			targets[ruri] = true
		}
	}
	n := 0
	for _, line := range strings.Split(log, "\n") {
		_, ruri, ok := strings.Cut(line, "in-dialog SUBSCRIBE without our Route: routing on ")
		if ok && targets[ruri] {
			n++
		}
	}
	return n
}

// quiet checks that no event comes for a little while.
func (l *subEvents) quiet(t *testing.T) {
	t.Helper()
	select {
	case e := <-l.ch:
		t.Fatalf("%s: unexpected event %q", l.who, e)
	case <-time.After(200 * time.Millisecond):
	}
}

func watchSub(who string, s *ringo.Subscriber) *subEvents {
	l := newSubEvents(who)
	s.OnAccepted(func(e ringo.SubscriberAcceptedEvent) { l.add("accepted %d", e.Response.StatusCode) })
	s.OnPending(func(*ringo.Subscriber) { l.add("pending") })
	s.OnActive(func(*ringo.Subscriber) { l.add("active") })
	s.OnNotify(func(e ringo.NotifyEvent) {
		if e.ContentType != "text/plain" {
			l.add("notify with Content-Type %q", e.ContentType)
		}
		l.add("notify final=%v %s", e.Final, e.Body)
	})
	s.OnTerminated(func(e ringo.SubscriberTerminatedEvent) {
		l.add("terminated %s %s", e.Code, e.Reason)
	})
	return l
}

// subscribed is a Notifier that a served SUBSCRIBE made, started.
type subscribed struct {
	n     *ringo.Notifier
	ev    *subEvents
	start chan error // Start's result
}

// serveSubs makes ua a Notifier for every SUBSCRIBE to event, pending
// first, sending first as the first NOTIFY's body. Each Notifier comes on
// the channel once Start was called.
func serveSubs(ua *ringo.UA, event, first string) chan subscribed {
	ch := make(chan subscribed, 8)
	ua.OnNewSubscribe(func(r *ringo.IncomingSubscribe) {
		if r.Event.Type != event {
			r.Reject(489, "")
			return
		}
		n, err := ua.Notify(r, "text/plain", &ringo.NotifierOptions{Pending: true})
		if err != nil {
			panic(err)
		}
		l := newSubEvents("notifier " + r.From().URI.String())
		n.OnSubscribe(func(e ringo.NotifierSubscribeEvent) { l.add("subscribe unsubscribe=%v", e.Unsubscribe) })
		n.OnExpired(func(*ringo.Notifier) { l.add("expired") })
		n.OnTerminated(func(e ringo.NotifierTerminatedEvent) { l.add("terminated %s", e.Code) })
		sn := subscribed{n: n, ev: l, start: make(chan error, 1)}
		// Start waits for the first NOTIFY's answer: not on the event
		// goroutine.
		go func() { sn.start <- n.Start(context.Background(), []byte(first)) }()
		ch <- sn
	})
	return ch
}

func nextSubscribed(t *testing.T, ch chan subscribed) subscribed {
	t.Helper()
	select {
	case sn := <-ch:
		select {
		case err := <-sn.start:
			if err != nil {
				t.Fatalf("Notifier.Start: %v", err)
			}
		case <-time.After(waitTime):
			t.Fatal("Notifier.Start did not return")
		}
		return sn
	case <-time.After(waitTime):
		t.Fatal("no SUBSCRIBE reached the notifier")
		return subscribed{}
	}
}

// TestSubscribeKamailio: Ringo Subscribers and Notifiers on different
// transports through Kamailio, which challenges the SUBSCRIBE and
// record-routes it: a subscription goes pending, active, gets its
// notifications in order and is ended by the notifier; a second one,
// asked for 4 s, is refreshed through the proxy by its route set and
// ended by the subscriber with an un-SUBSCRIBE, which the notifier
// answers with a final NOTIFY.
func TestSubscribeKamailio(t *testing.T) {
	t.Parallel()
	pairs := []struct{ sub, notifier string }{{"ws", "udp"}, {"tcp", "ws"}}
	users := map[string]string{}
	for i := range pairs {
		users[fmt.Sprintf("alice%d", i)] = fmt.Sprintf("alice%d-pw", i)
		users[fmt.Sprintf("bob%d", i)] = fmt.Sprintf("bob%d-pw", i)
	}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})
	for i, p := range pairs {
		t.Run(p.sub+"-"+p.notifier, func(t *testing.T) {
			t.Parallel()
			ctx := kamailioCtx(t, 30*time.Second)
			an, bn := fmt.Sprintf("alice%d", i), fmt.Sprintf("bob%d", i)
			alice := startAgent(t, agentConfig{server: kamailioServer(t, k, p.sub), uri: k.URI(an), password: users[an]})
			bob := startAgent(t, agentConfig{server: kamailioServer(t, k, p.notifier), uri: k.URI(bn), password: users[bn]})
			alice.rec.wait(t, "registered")
			bob.rec.wait(t, "registered")
			k.WaitRegistered(ctx, bn)
			notifiers := serveSubs(bob.ua, "ringo-test", "closed")

			// Pending, active, notifications, ended by the notifier.
			s, err := alice.ua.Subscribe(k.URI(bn), "ringo-test", "text/plain", &ringo.SubscribeOptions{Expires: 120 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			sub := watchSub(an, s)
			if err := s.Subscribe(ctx, nil); err != nil {
				t.Fatalf("Subscribe: %v", err)
			}
			sn := nextSubscribed(t, notifiers)
			sn.ev.expect(t, "subscribe unsubscribe=false")
			sub.expectAnyOrder(t, "accepted 200", "pending", "notify final=false closed")
			if s.State() != ringo.SubscriptionPending || sn.n.State() != ringo.SubscriptionPending {
				t.Errorf("states %v and %v, want pending", s.State(), sn.n.State())
			}
			if id, nid := s.ID(), sn.n.ID(); id.CallID != nid.CallID || id.LocalTag != nid.RemoteTag || id.RemoteTag != nid.LocalTag {
				t.Fatalf("dialogs differ: subscriber %+v, notifier %+v", id, nid)
			}
			if err := sn.n.SetActiveState(); err != nil {
				t.Fatal(err)
			}
			bodies := []string{"open", "away", "busy", "open again"}
			for _, b := range bodies {
				if err := sn.n.Notify(ctx, []byte(b)); err != nil {
					t.Fatalf("Notify(%q): %v", b, err)
				}
			}
			sub.expect(t, "active")
			for _, b := range bodies {
				sub.expect(t, "notify final=false "+b)
			}
			if err := sn.n.Terminate(ctx, []byte("bye"), "noresource", 0); err != nil {
				t.Fatalf("Notifier.Terminate: %v", err)
			}
			sn.ev.expect(t, "terminated SEND_FINAL_NOTIFY")
			sub.expect(t, "notify final=true bye", "terminated FINAL_NOTIFY_RECEIVED noresource")
			if s.State() != ringo.SubscriptionTerminated {
				t.Errorf("subscriber state %v", s.State())
			}

			// Refreshed through the proxy, ended by the subscriber.
			s2, _ := alice.ua.Subscribe(k.URI(bn), "ringo-test", "text/plain", &ringo.SubscribeOptions{Expires: 4 * time.Second})
			sub2 := watchSub(an, s2)
			if err := s2.Subscribe(ctx, nil); err != nil {
				t.Fatalf("Subscribe: %v", err)
			}
			sn2 := nextSubscribed(t, notifiers)
			sn2.ev.expect(t, "subscribe unsubscribe=false")
			first := sub2.expectAnyOrder(t, "accepted 200", "pending", "notify final=false closed")
			sn2.n.SetActiveState()
			if err := sn2.n.Notify(ctx, []byte("here")); err != nil {
				t.Fatal(err)
			}
			sub2.expect(t, "active", "notify final=false here")
			// The refresh comes 2 s in; the notifier answers it with the
			// full state.
			sn2.ev.expect(t, "subscribe unsubscribe=false")
			sub2.expect(t, "notify final=false here")
			if err := s2.Terminate(ctx, nil); err != nil {
				t.Fatalf("Subscriber.Terminate: %v", err)
			}
			sn2.ev.expect(t, "subscribe unsubscribe=true", "terminated RECEIVE_UNSUBSCRIBE")
			sub2.expect(t, "terminated FINAL_NOTIFY_RECEIVED timeout")
			sub.quiet(t)
			sn.ev.quiet(t)
			if want := "AUTH ok SUBSCRIBE " + an; !strings.Contains(k.Log(), want) {
				t.Errorf("Kamailio's log lacks %q: the SUBSCRIBE was not challenged", want)
			}
			// The refresh and the un-SUBSCRIBE followed the route set
			// that the notifier's 200 gave back. When the first NOTIFY
			// came first, it made the dialog (RFC 6665 §4.1.2.4) with its
			// route set, and Kamailio does not record-route NOTIFYs.
			if n := unroutedSubscribes(k.Log(), s2.ID().CallID); first[0] == "accepted 200" && n != 0 {
				t.Errorf("Kamailio routed %d in-dialog SUBSCRIBEs without its Route", n)
			} else if first[0] != "accepted 200" {
				t.Logf("the first NOTIFY came before the 200; %d in-dialog SUBSCRIBEs went without Route", n)
			}
		})
	}
}

// TestSubscribeJsSIP: JsSIP 3.13 in Node.js and a Ringo UA, both on
// WebSocket through Kamailio with auth, subscribe to each other. A JsSIP
// Subscriber against a Ringo Notifier, and a Ringo Subscriber against a
// JsSIP Notifier: pending, then active, every NOTIFY body arrives in
// order, and a final NOTIFY ends both sides, whether the notifier ends
// the subscription or the subscriber unsubscribes.
func TestSubscribeJsSIP(t *testing.T) {
	t.Parallel()
	ctx := kamailioCtx(t, 40*time.Second)
	users := map[string]string{"alice": "alice-pw", "bob": "bob-pw"}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})
	js := testpeer.StartJsSIP(t, ctx, testpeer.JsSIPOptions{WSURL: k.WSURL(), URI: k.URI("alice"), Password: users["alice"]})
	bob := startAgent(t, agentConfig{server: k.WSURL(), uri: k.URI("bob"), password: users["bob"]})
	bob.rec.wait(t, "registered")
	k.WaitRegistered(ctx, "bob")
	notifiers := serveSubs(bob.ua, "ringo-test", "closed")

	// JsSIP's terminated codes, by number: final NOTIFY received (6) on
	// its Subscriber; final NOTIFY sent (4) on its Notifier, or
	// subscription expired (6) when the final NOTIFY's reason is
	// "timeout".
	const jsFinalNotifyReceived, jsFinalNotifySent, jsSubscriptionExpired = 6, 4, 6
	jsNotify := func(id, body string, final bool) {
		t.Helper()
		ev := js.Expect(ctx, "subscriber_notify")
		if ev["id"] != id || ev["body"] != body || ev["is_final"] != final || ev["content_type"] != "text/plain" {
			t.Fatalf("JsSIP subscriber_notify %v, want %s body %q final %v text/plain", ev, id, body, final)
		}
	}
	jsTerminated := func(id, reason string) {
		t.Helper()
		ev := js.Expect(ctx, "subscriber_terminated")
		if ev["id"] != id || ev["code"] != float64(jsFinalNotifyReceived) || ev["reason"] != reason {
			t.Fatalf("JsSIP subscriber_terminated %v, want %s code %d reason %q", ev, id, jsFinalNotifyReceived, reason)
		}
	}

	t.Run("JsSIP subscriber, Ringo notifier", func(t *testing.T) {
		// Ended by the notifier.
		js.Send(map[string]any{"cmd": "subscribe", "id": "s1", "target": k.URI("bob"), "event": "ringo-test", "accept": "text/plain", "expires": 120})
		sn := nextSubscribed(t, notifiers)
		sn.ev.expect(t, "subscribe unsubscribe=false")
		if got := sn.n.Subscribe().Request.Header().Get("Accept"); got != "text/plain" {
			t.Errorf("SUBSCRIBE Accept %q", got)
		}
		js.Expect(ctx, "subscriber_accepted")
		js.Expect(ctx, "subscriber_pending")
		jsNotify("s1", "closed", false)
		sn.n.SetActiveState()
		bodies := []string{"one", "two", "three", "four"}
		for _, b := range bodies {
			if err := sn.n.Notify(ctx, []byte(b)); err != nil {
				t.Fatalf("Notify(%q): %v", b, err)
			}
		}
		js.Expect(ctx, "subscriber_active")
		for _, b := range bodies {
			jsNotify("s1", b, false)
		}
		if err := sn.n.Terminate(ctx, []byte("bye"), "noresource", 0); err != nil {
			t.Fatal(err)
		}
		sn.ev.expect(t, "terminated SEND_FINAL_NOTIFY")
		jsNotify("s1", "bye", true)
		jsTerminated("s1", "noresource")

		// Ended by the subscriber: the final NOTIFY (reason timeout, no
		// body) ends JsSIP's side.
		js.Send(map[string]any{"cmd": "subscribe", "id": "s2", "target": k.URI("bob"), "event": "ringo-test", "accept": "text/plain", "expires": 120})
		sn2 := nextSubscribed(t, notifiers)
		sn2.ev.expect(t, "subscribe unsubscribe=false")
		jsNotify("s2", "closed", false)
		sn2.n.SetActiveState()
		if err := sn2.n.Notify(ctx, []byte("five")); err != nil {
			t.Fatal(err)
		}
		jsNotify("s2", "five", false)
		js.Send(map[string]any{"cmd": "unsubscribe", "id": "s2"})
		sn2.ev.expect(t, "subscribe unsubscribe=true", "terminated RECEIVE_UNSUBSCRIBE")
		jsTerminated("s2", "timeout")
		if want := "AUTH ok SUBSCRIBE alice"; !strings.Contains(k.Log(), want) {
			t.Errorf("Kamailio's log lacks %q", want)
		}
	})

	t.Run("Ringo subscriber, JsSIP notifier", func(t *testing.T) {
		// jsAccept answers the next SUBSCRIBE at JsSIP with a pending
		// Notifier and returns its id.
		jsAccept := func(extra map[string]any) any {
			t.Helper()
			ev := js.Expect(ctx, "subscribe")
			if ev["event_package"] != "ringo-test" || ev["from"] != k.URI("bob") || ev["accept"] != "text/plain" || ev["expires"] != float64(120) {
				t.Fatalf("JsSIP subscribe event %v", ev)
			}
			cmd := map[string]any{"cmd": "notifier", "id": ev["id"], "content_type": "text/plain", "pending": true}
			for k, v := range extra {
				cmd[k] = v
			}
			js.Send(cmd)
			if ev := js.Expect(ctx, "notifier_subscribe"); ev["is_unsubscribe"] != false {
				t.Fatalf("JsSIP notifier_subscribe %v, want the initial SUBSCRIBE", ev)
			}
			return ev["id"]
		}
		subscribe := func() (*ringo.Subscriber, *subEvents, chan error) {
			s, err := bob.ua.Subscribe(k.URI("alice"), "ringo-test", "text/plain", &ringo.SubscribeOptions{Expires: 120 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			l := watchSub("bob", s)
			// JsSIP answers once its app made a Notifier.
			done := make(chan error, 1)
			go func() { done <- s.Subscribe(ctx, nil) }()
			return s, l, done
		}
		waitErr := func(ch chan error) {
			t.Helper()
			select {
			case err := <-ch:
				if err != nil {
					t.Fatalf("Subscribe: %v", err)
				}
			case <-time.After(waitTime):
				t.Fatal("Subscribe did not return")
			}
		}

		// Ended by the notifier. JsSIP's Start sends no NOTIFY: the
		// first comes from its notify.
		s, sub, done := subscribe()
		id := jsAccept(nil)
		waitErr(done)
		sub.expect(t, "accepted 200")
		js.Send(map[string]any{"cmd": "notify", "id": id, "body": "one"})
		sub.expect(t, "pending", "notify final=false one")
		js.Send(map[string]any{"cmd": "notify_active", "id": id})
		bodies := []string{"two", "three", "four", "five"}
		for _, b := range bodies {
			js.Send(map[string]any{"cmd": "notify", "id": id, "body": b})
		}
		sub.expect(t, "active")
		for _, b := range bodies {
			sub.expect(t, "notify final=false "+b)
		}
		js.Send(map[string]any{"cmd": "notify_terminate", "id": id, "body": "bye", "reason": "noresource"})
		sub.expect(t, "notify final=true bye", "terminated FINAL_NOTIFY_RECEIVED noresource")
		if ev := js.Expect(ctx, "notifier_terminated"); ev["id"] != id || ev["code"] != float64(jsFinalNotifySent) {
			t.Errorf("JsSIP notifier_terminated %v, want %v code %d", ev, id, jsFinalNotifySent)
		}
		if s.State() != ringo.SubscriptionTerminated {
			t.Errorf("subscriber state %v", s.State())
		}

		// Ended by the subscriber: JsSIP's app answers the un-SUBSCRIBE
		// (sent without Route, since JsSIP's 200 had no Record-Route)
		// with a final NOTIFY.
		s2, sub2, done2 := subscribe()
		id2 := jsAccept(map[string]any{"on_unsubscribe": map[string]any{"body": "gone", "reason": "timeout"}})
		waitErr(done2)
		sub2.expect(t, "accepted 200")
		js.Send(map[string]any{"cmd": "notify_active", "id": id2})
		js.Send(map[string]any{"cmd": "notify", "id": id2, "body": "six"})
		sub2.expect(t, "active", "notify final=false six")
		if err := s2.Terminate(ctx, nil); err != nil {
			t.Fatalf("Subscriber.Terminate: %v", err)
		}
		if ev := js.Expect(ctx, "notifier_subscribe"); ev["id"] != id2 || ev["is_unsubscribe"] != true {
			t.Errorf("JsSIP notifier_subscribe %v, want the un-SUBSCRIBE", ev)
		}
		sub2.expect(t, "notify final=true gone", "terminated FINAL_NOTIFY_RECEIVED timeout")
		if ev := js.Expect(ctx, "notifier_terminated"); ev["id"] != id2 || ev["code"] != float64(jsSubscriptionExpired) {
			t.Errorf("JsSIP notifier_terminated %v, want %v code %d", ev, id2, jsSubscriptionExpired)
		}
		if want := "AUTH ok SUBSCRIBE bob"; !strings.Contains(k.Log(), want) {
			t.Errorf("Kamailio's log lacks %q", want)
		}
	})
	// JsSIP's un-SUBSCRIBE to the Ringo Notifier followed the route set
	// from the Notifier's 200 (JsSIP makes its dialog from the 200 only:
	// it answers an earlier NOTIFY 481); Ringo's un-SUBSCRIBE to JsSIP's
	// Notifier, whose 200 has no Record-Route, could not.
	if n := strings.Count(k.Log(), "in-dialog SUBSCRIBE without our Route"); n != 1 {
		t.Errorf("Kamailio routed %d in-dialog SUBSCRIBEs without its Route, want 1 (to JsSIP's Notifier)", n)
	}
	for _, ev := range js.Pending() {
		if ev["event"] == "error" {
			t.Errorf("JsSIP error: %v", ev)
		}
	}
	js.Stop(ctx)
}
