package ringo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

// notifierFor makes the UA answer each new SUBSCRIBE with a Notifier of
// text/plain bodies, created with opts, watched, and started with body on
// a goroutine; the Notifiers, their logs and Start's results come out of
// the returned channel.
type startedNotifier struct {
	n     *Notifier
	log   *eventLog
	start chan error
}

func notifierFor(ua *UA, opts *NotifierOptions, body string) chan startedNotifier {
	out := make(chan startedNotifier, 4)
	ua.OnNewSubscribe(func(r *IncomingSubscribe) {
		n, err := ua.Notify(r, "text/plain", opts)
		if err != nil {
			panic(err)
		}
		sn := startedNotifier{n: n, log: watchNotifier(n)}
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		sn.start = goErr(func() error { return n.Start(context.Background(), b) })
		out <- sn
	})
	return out
}

func nextNotifier(t *testing.T, ch chan startedNotifier) startedNotifier {
	t.Helper()
	select {
	case sn := <-ch:
		return sn
	case <-time.After(10 * time.Second):
		t.Fatal("no new subscription")
		return startedNotifier{}
	}
}

func TestNotifierLifecycle(t *testing.T) {
	p, ua, clk := subscriberUA(t)
	ch := notifierFor(ua, &NotifierOptions{Pending: true, AllowEvents: "presence", ExtraHeaders: []string{"X-Test: 1"}}, "closed")
	r := subscribeUA(p, "presence", "Expires: 600")
	sn := nextNotifier(t, ch)
	n, log := sn.n, sn.log
	resp := r.accepted(t, "600")
	if resp.Header().Get("Contact") == "" {
		t.Error("200 without Contact")
	}
	notify := r.nextNotify(t, "pending;expires=600", "closed")
	h := notify.Header()
	if h.Get("Allow-Events") != "presence" || h.Get("X-Test") != "1" || !strings.Contains(h.Get("Contact"), ".invalid;transport=ws") || notify.URI.User != "bob" {
		t.Errorf("NOTIFY %s Allow-Events %q X-Test %q Contact %q", notify.StartLine(), h.Get("Allow-Events"), h.Get("X-Test"), h.Get("Contact"))
	}
	p.reply(notify, 200)
	if err := result(t, sn.start); err != nil {
		t.Fatal(err)
	}
	log.wait(t, "subscribe unsubscribe=false ")
	if n.State() != SubscriptionPending || n.ID().RemoteTag != r.tag || n.ID().LocalTag != r.uaTag {
		t.Errorf("state %v ID %v", n.State(), n.ID())
	}

	// Authorized: active, with the remaining interval.
	if err := n.SetActiveState(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * time.Second)
	done := goErr(func() error { return n.Notify(context.Background(), []byte("open")) })
	p.reply(r.nextNotify(t, "active;expires=500", "open"), 200)
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}

	// One NOTIFY in flight at a time (RFC 6665 §4.2.2): the second waits
	// for the answer to the first, so they arrive in order.
	first := goErr(func() error { return n.Notify(context.Background(), []byte("one")) })
	n1 := r.nextNotify(t, "active;expires=500", "one")
	second := goErr(func() error { return n.Notify(context.Background(), []byte("two")) })
	select {
	case m := <-p.in:
		t.Fatalf("second NOTIFY before the first was answered: %s", m.StartLine())
	case <-time.After(100 * time.Millisecond):
	}
	p.reply(n1, 200)
	n2 := r.nextNotify(t, "active;expires=500", "two")
	p.reply(n2, 200)
	if err := errors.Join(result(t, first), result(t, second)); err != nil {
		t.Fatal(err)
	}
	c1, _ := n1.Header().CSeq()
	c2, _ := n2.Header().CSeq()
	if c2.Seq != c1.Seq+1 {
		t.Errorf("CSeq %d then %d", c1.Seq, c2.Seq)
	}

	// A refresh gets 200 and a NOTIFY with the full (last) state.
	p.send(r.request("SUBSCRIBE", "", "Expires: 600"))
	if resp := p.nextResponse(); resp.StatusCode != 200 || resp.Header().Get("Expires") != "600" {
		t.Fatalf("refresh answered %d Expires %q", resp.StatusCode, resp.Header().Get("Expires"))
	}
	p.reply(r.nextNotify(t, "active;expires=600", "two"), 200)
	log.wait(t, "subscribe unsubscribe=false ")

	// A refresh for another event is refused.
	p.send(r.request("SUBSCRIBE", "", "Event: dialog"))
	if resp := p.nextResponse(); resp.StatusCode != 489 {
		t.Fatalf("refresh for another event answered %d, want 489", resp.StatusCode)
	}

	// Unsubscribe: 200 with Expires 0, then the final NOTIFY.
	p.send(r.request("SUBSCRIBE", "", "Expires: 0"))
	if resp := p.nextResponse(); resp.StatusCode != 200 || resp.Header().Get("Expires") != "0" {
		t.Fatalf("unsubscribe answered %d Expires %q", resp.StatusCode, resp.Header().Get("Expires"))
	}
	p.reply(r.nextNotify(t, "terminated;reason=timeout", ""), 200)
	log.wait(t, "subscribe unsubscribe=true ")
	log.wait(t, "terminated RECEIVE_UNSUBSCRIBE")
	if n.State() != SubscriptionTerminated {
		t.Errorf("state %v", n.State())
	}
	if err := n.Notify(context.Background(), []byte("x")); !errors.Is(err, ErrSubscriptionTerminated) {
		t.Errorf("Notify after the end: %v", err)
	}
	// The dialog is gone.
	p.send(r.request("SUBSCRIBE", "", "Expires: 600"))
	if resp := p.nextResponse(); resp.StatusCode != 481 {
		t.Errorf("SUBSCRIBE after the end answered %d, want 481", resp.StatusCode)
	}
	log.quiet(t)
}

// TestNotifierRecordRoute: the 200 to the initial SUBSCRIBE carries its
// Record-Route (RFC 3261 §12.1.1), so that the subscriber's refreshes
// follow the proxies; the NOTIFYs take the same route.
func TestNotifierRecordRoute(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	ch := notifierFor(ua, nil, "")
	want := []string{"<sip:p1.invalid;lr>", "<sip:p2.invalid;lr>"}
	r := subscribeUA(p, "presence", "Expires: 600", "Record-Route: "+strings.Join(want, ", "))
	sn := nextNotifier(t, ch)
	resp := r.accepted(t, "600")
	rr, err := resp.Header().RecordRoute()
	if err != nil || len(rr) != 2 || rr[0].String() != want[0] || rr[1].String() != want[1] {
		t.Errorf("200 Record-Route %q (%v), want %q", resp.Header().Values("Record-Route"), err, want)
	}
	notify := r.nextNotify(t, "active;expires=600", "")
	route, err := notify.Header().Addresses("Route")
	if err != nil || len(route) != 2 || route[0].String() != want[0] || route[1].String() != want[1] {
		t.Errorf("NOTIFY Route %q (%v), want %q", notify.Header().Values("Route"), err, want)
	}
	p.reply(notify, 200)
	if err := result(t, sn.start); err != nil {
		t.Fatal(err)
	}
}

func TestNotifierExpiry(t *testing.T) {
	p, ua, clk := subscriberUA(t)
	ch := notifierFor(ua, nil, "")
	r := subscribeUA(p, "dialog;id=3")
	sn := nextNotifier(t, ch)
	r.accepted(t, "900") // DefaultExpires: 900 s
	p.reply(r.nextNotify(t, "active;expires=900", ""), 200)
	result(t, sn.start)
	sn.log.wait(t, "subscribe unsubscribe=false ")
	clk.Advance(899 * time.Second)
	sn.log.quiet(t)
	clk.Advance(time.Second)
	sn.log.wait(t, "expired")
	sn.log.wait(t, "terminated SUBSCRIPTION_EXPIRED")
	p.reply(r.nextNotify(t, "terminated;reason=timeout", ""), 200)
}

func TestNotifierTerminate(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	ch := notifierFor(ua, &NotifierOptions{DefaultExpires: 120 * time.Second}, "x")
	r := subscribeUA(p, "presence", "Expires:")
	sn := nextNotifier(t, ch)
	r.accepted(t, "120")
	p.reply(r.nextNotify(t, "active;expires=120", "x"), 200)
	result(t, sn.start)
	done := goErr(func() error {
		return sn.n.Terminate(context.Background(), []byte("gone"), "noresource", 30*time.Second)
	})
	p.reply(r.nextNotify(t, "terminated;reason=noresource;retry-after=30", "gone"), 200)
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}
	sn.log.wait(t, "subscribe unsubscribe=false ")
	sn.log.wait(t, "terminated SEND_FINAL_NOTIFY")
	if err := sn.n.Terminate(context.Background(), nil, "", 0); err != nil {
		t.Errorf("second Terminate: %v", err)
	}
}

func TestNotifierNotifyRejected(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	ch := notifierFor(ua, nil, "x")
	r := subscribeUA(p, "presence")
	sn := nextNotifier(t, ch)
	r.accepted(t, "900")
	p.reply(r.nextNotify(t, "active;expires=900", "x"), 200)
	result(t, sn.start)
	done := goErr(func() error { return sn.n.Notify(context.Background(), []byte("y")) })
	p.reply(r.nextNotify(t, "active;expires=900", "y"), 481)
	var e *Error
	if err := result(t, done); !errors.As(err, &e) || e.StatusCode != 481 {
		t.Fatalf("Notify: %v", err)
	}
	sn.log.wait(t, "subscribe unsubscribe=false ")
	sn.log.wait(t, "terminated NOTIFY_NON_OK_RESPONSE")
}

func TestNotifierFetch(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	ch := notifierFor(ua, nil, "now")
	r := subscribeUA(p, "presence", "Expires: 0")
	sn := nextNotifier(t, ch)
	r.accepted(t, "0")
	p.reply(r.nextNotify(t, "terminated;reason=timeout", "now"), 200)
	if err := result(t, sn.start); err != nil {
		t.Fatal(err)
	}
	sn.log.wait(t, "subscribe unsubscribe=true ")
	sn.log.wait(t, "terminated RECEIVE_UNSUBSCRIBE")
}

func TestIncomingSubscribeChecks(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	// Without a handler: no event package is served.
	subscribeUA(p, "presence")
	if resp := p.nextResponse(); resp.StatusCode != 489 {
		t.Fatalf("SUBSCRIBE without a handler answered %d, want 489", resp.StatusCode)
	}
	got := make(chan *IncomingSubscribe, 4)
	ua.OnNewSubscribe(func(r *IncomingSubscribe) {
		got <- r
		switch r.Event.Type {
		case "presence":
			r.Reject(403, "Not Allowed", "X-Why: test")
			if err := r.Reject(404, ""); err == nil {
				t.Error("second Reject accepted")
			}
			if _, err := ua.Notify(r, "text/plain", nil); err == nil {
				t.Error("Notify after Reject accepted")
			}
		}
	})
	tests := []struct {
		name    string
		event   string
		headers []string
		want    int
	}{
		{"rejected by the application", "presence", []string{"Expires: 60"}, 403},
		{"left unanswered", "dialog", nil, 489},
		{"no Event", "", []string{"Event:"}, 400},
		{"no Contact", "presence", []string{"Contact:"}, 400},
		{"bad Expires", "presence", []string{"Expires: soon"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subscribeUA(p, tt.event, tt.headers...)
			resp := p.nextResponse()
			if resp.StatusCode != tt.want {
				t.Fatalf("answered %d %s, want %d", resp.StatusCode, resp.Reason, tt.want)
			}
		})
	}
	r := <-got
	if e, ok := r.Expires(); !ok || e != time.Minute || r.From().URI.User != "bob" || r.Event.Type != "presence" {
		t.Errorf("IncomingSubscribe: expires %v %v from %v event %v", e, ok, r.From(), r.Event)
	}
}

func TestSIPEventAndUnknownSubscriptions(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	events := make(chan *SIPEvent, 2)
	ua.OnSIPEvent(func(e *SIPEvent) {
		events <- e
		if strings.Contains(string(e.Body()), "reject") {
			e.Reject(488, "")
		}
	})
	// An unsolicited message-summary NOTIFY (RFC 3842), as Asterisk sends.
	mwi := func(body string) *sip.Response {
		r := &remoteSub{p: p, callID: sip.NewCallID(), tag: sip.NewTag(),
			self:   sip.Address{URI: sip.MustParseURI("sip:voicemail@ringo.test")},
			ua:     sip.Address{URI: sip.MustParseURI("sip:alice@ringo.test")},
			target: sip.MustParseURI("sip:alice@ringo.test"), event: "message-summary",
			contact: "<sip:voicemail@peer.invalid>"}
		return r.notify(t, "active", body)
	}
	if resp := mwi("Messages-Waiting: yes"); resp.StatusCode != 200 {
		t.Fatalf("unsolicited NOTIFY answered %d", resp.StatusCode)
	}
	e := <-events
	if e.Event.Type != "message-summary" || string(e.Body()) != "Messages-Waiting: yes" || e.From().URI.User != "voicemail" {
		t.Errorf("SIP event %v %q from %v", e.Event, e.Body(), e.From())
	}
	if resp := mwi("reject"); resp.StatusCode != 488 {
		t.Fatalf("rejected NOTIFY answered %d", resp.StatusCode)
	}
	// NOTIFY and SUBSCRIBE in dialogs the UA does not know: 481.
	for _, method := range []string{"NOTIFY", "SUBSCRIBE"} {
		r := &remoteSub{p: p, callID: sip.NewCallID(), tag: "x", uaTag: "gone",
			self:   sip.Address{URI: sip.MustParseURI("sip:bob@ringo.test")},
			ua:     sip.Address{URI: sip.MustParseURI("sip:alice@ringo.test")},
			target: sip.MustParseURI("sip:alice@ringo.test"), event: "presence", contact: "<sip:bob@peer.invalid>"}
		p.send(r.request(method, "", "Subscription-State: active"))
		if resp := p.nextResponse(); resp.StatusCode != 481 {
			t.Errorf("%s in an unknown dialog answered %d, want 481", method, resp.StatusCode)
		}
	}
}

func TestNotifierStopSendsFinalNotify(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	ch := notifierFor(ua, nil, "x")
	r := subscribeUA(p, "presence")
	sn := nextNotifier(t, ch)
	r.accepted(t, "900")
	p.reply(r.nextNotify(t, "active;expires=900", "x"), 200)
	result(t, sn.start)
	stopped := goErr(func() error { return ua.Stop(context.Background()) })
	p.reply(r.nextNotify(t, "terminated", ""), 200)
	result(t, stopped)
	sn.log.wait(t, "subscribe unsubscribe=false ")
	sn.log.wait(t, "terminated SEND_FINAL_NOTIFY")
}
