package ringo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

func TestSubscriberLifecycle(t *testing.T) {
	p, ua, clk := subscriberUA(t)
	s, err := ua.Subscribe("bob", "presence", "application/pidf+xml", &SubscribeOptions{
		Expires:      600 * time.Second,
		ContentType:  "text/plain",
		AllowEvents:  "presence, dialog",
		Params:       sip.Params{{Name: "id", Value: "7"}},
		ExtraHeaders: []string{"X-Test: 1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	log := watchSubscriber(s)
	if s.State() != SubscriptionInit || s.ID().CallID != "" {
		t.Fatalf("new Subscriber: state %v ID %v", s.State(), s.ID())
	}
	done := goErr(func() error { return s.Subscribe(context.Background(), []byte("filter")) })

	sub := p.nextRequest("SUBSCRIBE")
	h := sub.Header()
	if got := sub.StartLine(); got != "SUBSCRIBE sip:bob@ringo.test SIP/2.0" {
		t.Errorf("start line %q", got)
	}
	for name, want := range map[string]string{
		"Event": "presence;id=7", "Expires": "600", "Accept": "application/pidf+xml",
		"Allow-Events": "presence, dialog", "X-Test": "1", "Content-Type": "text/plain",
	} {
		if got := strings.Join(h.Values(name), ", "); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if string(sub.Body()) != "filter" || !strings.Contains(h.Get("Contact"), ".invalid;transport=ws") {
		t.Errorf("body %q Contact %q", sub.Body(), h.Get("Contact"))
	}
	r := acceptSubscribe(t, p, sub, 600)
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}
	log.wait(t, "accepted 200")
	if s.State() != SubscriptionNotifyWait {
		t.Errorf("state after 200: %v", s.State())
	}
	if id := s.ID(); id.CallID != h.CallID() || id.RemoteTag != r.tag || id.LocalTag != r.uaTag {
		t.Errorf("ID %v", id)
	}

	if resp := r.notify(t, "pending;expires=600", ""); resp.StatusCode != 200 {
		t.Fatalf("NOTIFY answered %d", resp.StatusCode)
	}
	log.wait(t, "pending")
	r.notify(t, "active;expires=600", "open")
	log.wait(t, "active")
	log.wait(t, "notify final=false text/plain open")
	r.notify(t, "active;expires=600", "away")
	log.wait(t, "notify final=false text/plain away")
	if s.State() != SubscriptionActive {
		t.Errorf("state %v, want active", s.State())
	}

	// The refresh comes between half the interval and 70 s before its end
	// (JsSIP's rule), in the dialog.
	m, after := advanceUntilMessage(t, clk, ua, p, 600*time.Second)
	if after < 300*time.Second || after > 530*time.Second {
		t.Fatalf("refresh after %v, want 300 s to 530 s", after)
	}
	p.in <- m
	ref := p.nextRequest("SUBSCRIBE")
	rh := ref.Header()
	cseq, _ := rh.CSeq()
	to, _ := rh.To()
	if ref.URI.User != r.tag || to.Tag() != r.tag || cseq.Seq != 2 || rh.Get("Expires") != "600" || rh.Get("Event") != "presence;id=7" || ref.Body() != nil {
		t.Errorf("refresh: %s To %q CSeq %v Expires %q Event %q body %q", ref.StartLine(), rh.Get("To"), cseq, rh.Get("Expires"), rh.Get("Event"), ref.Body())
	}
	r.answer(ref, 200, "Expires: 600")
	r.notify(t, "active;expires=600", "open")
	log.wait(t, "notify final=false text/plain open")

	// Unsubscribe: Expires 0 in the dialog; the final NOTIFY ends it.
	done = goErr(func() error { return s.Terminate(context.Background(), nil) })
	un := p.nextRequest("SUBSCRIBE")
	if un.Header().Get("Expires") != "0" {
		t.Errorf("unsubscribe Expires %q", un.Header().Get("Expires"))
	}
	r.answer(un, 200, "Expires: 0")
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}
	if err := s.Terminate(context.Background(), nil); err != nil {
		t.Errorf("second Terminate: %v", err)
	}
	r.notify(t, "terminated;reason=timeout", "")
	log.wait(t, "terminated FINAL_NOTIFY_RECEIVED timeout -1")
	if s.State() != SubscriptionTerminated {
		t.Errorf("state %v", s.State())
	}
	// The dialog is gone.
	if resp := r.notify(t, "active", "late"); resp.StatusCode != 481 {
		t.Errorf("NOTIFY after the end answered %d, want 481", resp.StatusCode)
	}
	if err := s.Subscribe(context.Background(), nil); !errors.Is(err, ErrSubscriptionTerminated) {
		t.Errorf("Subscribe after the end: %v", err)
	}
	log.quiet(t)
}

func TestSubscriberFinalNotifyAndShorterExpires(t *testing.T) {
	p, ua, clk := subscriberUA(t)
	s, err := ua.Subscribe("sip:mwi@ringo.test", "message-summary", "application/simple-message-summary", nil)
	if err != nil {
		t.Fatal(err)
	}
	log := watchSubscriber(s)
	done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
	sub := p.nextRequest("SUBSCRIBE")
	if sub.Header().Get("Expires") != "900" {
		t.Errorf("default Expires %q, want 900", sub.Header().Get("Expires"))
	}
	r := acceptSubscribe(t, p, sub, 900)
	result(t, done)
	log.wait(t, "accepted 200")
	// A NOTIFY that shortens the interval moves the refresh earlier: 60 s
	// granted means a refresh 5 s before the end.
	r.notify(t, "active;expires=60", "Messages-Waiting: yes")
	log.wait(t, "active")
	log.wait(t, "notify final=false text/plain Messages-Waiting: yes")
	clk.Advance(55 * time.Second)
	ref := p.nextRequest("SUBSCRIBE")
	r.answer(ref, 200, "Expires: 60")
	r.notify(t, "terminated;reason=rejected;retry-after=30", "bye")
	log.wait(t, "notify final=true text/plain bye")
	log.wait(t, "terminated FINAL_NOTIFY_RECEIVED rejected 30")
}

func TestSubscriberBadNotify(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    int
	}{
		{"other event", []string{"Event: dialog"}, 489},
		{"other event id", []string{"Event: presence;id=2"}, 489},
		{"no Event", []string{"Event:"}, 400},
		{"no Subscription-State", []string{"Subscription-State:"}, 400},
		{"unknown state", []string{"Subscription-State: sleeping"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ua, _ := subscriberUA(t)
			s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
			log := watchSubscriber(s)
			done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
			r := acceptSubscribe(t, p, p.nextRequest("SUBSCRIBE"), 900)
			result(t, done)
			log.wait(t, "accepted 200")
			if resp := r.notify(t, "active", "x", tt.headers...); resp.StatusCode != tt.want {
				t.Fatalf("answered %d, want %d", resp.StatusCode, tt.want)
			}
			log.wait(t, "terminated RECEIVE_BAD_NOTIFY  -1")
		})
	}
	t.Run("CSeq out of order", func(t *testing.T) {
		p, ua, _ := subscriberUA(t)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		r := acceptSubscribe(t, p, p.nextRequest("SUBSCRIBE"), 900)
		result(t, done)
		r.notify(t, "active", "x")
		r.cseq -= 2
		if resp := r.notify(t, "active", "y"); resp.StatusCode != 500 {
			t.Fatalf("old CSeq answered %d, want 500", resp.StatusCode)
		}
		log.wait(t, "accepted 200")
		log.wait(t, "active")
		log.wait(t, "notify final=false text/plain x")
		log.quiet(t)
	})
}

func TestSubscriberNotifyBefore200(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", &SubscribeOptions{Expires: 300 * time.Second})
	log := watchSubscriber(s)
	done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
	sub := p.nextRequest("SUBSCRIBE")
	r := notifierEnd(t, p, sub, "n1")
	// A NOTIFY for the same Call-ID and tag but another event is not ours.
	if resp := r.notify(t, "active", "x", "Event: dialog"); resp.StatusCode != 489 {
		t.Fatalf("NOTIFY for another event answered %d, want 489", resp.StatusCode)
	}
	// The NOTIFY beats the 200 (RFC 6665 §4.1.2.4): it creates the dialog,
	// with its Record-Route as the route set.
	if resp := r.notify(t, "active;expires=300", "open", "Record-Route: <sip:proxy.invalid;transport=ws;lr>"); resp.StatusCode != 200 {
		t.Fatalf("early NOTIFY answered %d", resp.StatusCode)
	}
	log.wait(t, "active")
	log.wait(t, "notify final=false text/plain open")
	if s.ID().RemoteTag != "n1" {
		t.Errorf("ID %v", s.ID())
	}
	r.answer(sub, 200, "Expires: 300")
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}
	log.wait(t, "accepted 200")
	// A refresh asked for now goes in the NOTIFY's dialog.
	done = goErr(func() error { return s.Subscribe(context.Background(), nil) })
	ref := p.nextRequest("SUBSCRIBE")
	to, _ := ref.Header().To()
	cseq, _ := ref.Header().CSeq()
	if to.Tag() != "n1" || ref.URI.User != "n1" || cseq.Seq != 2 || ref.Header().Get("Route") != "<sip:proxy.invalid;transport=ws;lr>" {
		t.Errorf("refresh %s To %q CSeq %v Route %q", ref.StartLine(), ref.Header().Get("To"), cseq, ref.Header().Get("Route"))
	}
	r.answer(ref, 200, "Expires: 300")
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestSubscriberFork(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	s, _ := ua.Subscribe("bob", "dialog", "application/dialog-info+xml", nil)
	log := watchSubscriber(s)
	forks := make(chan *Subscriber, 2)
	s.OnFork(func(f *Subscriber) { log.record("fork " + f.ID().RemoteTag); forks <- f })
	done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
	sub := p.nextRequest("SUBSCRIBE")
	a := acceptSubscribe(t, p, sub, 900)
	result(t, done)
	log.wait(t, "accepted 200")
	a.notify(t, "active", "from A")
	log.wait(t, "active")
	log.wait(t, "notify final=false text/plain from A")

	// Another phone the proxy forked to answers with its own NOTIFY.
	b := notifierEnd(t, p, sub, "forkB")
	if resp := b.notify(t, "active;expires=900", "from B"); resp.StatusCode != 200 {
		t.Fatalf("fork NOTIFY answered %d", resp.StatusCode)
	}
	log.wait(t, "fork forkB")
	log.wait(t, "active")
	log.wait(t, "notify final=false text/plain from B")
	f := <-forks
	if f == s || f.State() != SubscriptionActive || f.ID().CallID != s.ID().CallID || s.ID().RemoteTag != a.tag {
		t.Fatalf("fork %v %v, original %v", f.State(), f.ID(), s.ID())
	}
	flog := newEventLog()
	watchSubscriberInto(f, flog)
	// Each is its own subscription: ending the fork leaves the original.
	done = goErr(func() error { return f.Terminate(context.Background(), nil) })
	un := p.nextRequest("SUBSCRIBE")
	if to, _ := un.Header().To(); to.Tag() != "forkB" || un.Header().Get("Expires") != "0" {
		t.Fatalf("fork unsubscribe To %q Expires %q", un.Header().Get("To"), un.Header().Get("Expires"))
	}
	b.answer(un, 200, "Expires: 0")
	result(t, done)
	b.notify(t, "terminated", "")
	flog.wait(t, "terminated FINAL_NOTIFY_RECEIVED  -1")
	a.notify(t, "active", "still A")
	log.wait(t, "notify final=false text/plain still A")
	if s.State() != SubscriptionActive {
		t.Errorf("original %v", s.State())
	}

	// Without an OnFork handler, other forks are refused (RFC 6665 §5.4.9).
	s.OnFork(nil)
	c := notifierEnd(t, p, sub, "forkC")
	if resp := c.notify(t, "active", "from C"); resp.StatusCode != 481 {
		t.Fatalf("unwanted fork answered %d, want 481", resp.StatusCode)
	}
	log.quiet(t)
}

func TestSubscriberFailures(t *testing.T) {
	t.Run("404", func(t *testing.T) {
		p, ua, _ := subscriberUA(t)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		p.reply(p.nextRequest("SUBSCRIBE"), 404)
		var e *Error
		if err := result(t, done); !errors.As(err, &e) || e.StatusCode != 404 || !errors.Is(err, CauseNotFound) {
			t.Fatalf("Subscribe: %v", err)
		}
		log.wait(t, "terminated SUBSCRIBE_NON_OK_RESPONSE  -1")
	})
	t.Run("401 twice", func(t *testing.T) {
		p, ua, clk := subscriberUA(t)
		srv := digestServer(clk)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		p.reply(p.nextRequest("SUBSCRIBE"), 401, challenge(t, srv))
		p.reply(p.nextRequest("SUBSCRIBE"), 401, challenge(t, srv))
		if err := result(t, done); !errors.Is(err, CauseAuthenticationError) {
			t.Fatalf("Subscribe: %v", err)
		}
		log.wait(t, "terminated SUBSCRIBE_AUTHENTICATION_FAILED  -1")
	})
	t.Run("401 then 200", func(t *testing.T) {
		p, ua, clk := subscriberUA(t)
		srv := digestServer(clk)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		p.reply(p.nextRequest("SUBSCRIBE"), 401, challenge(t, srv))
		sub := p.nextRequest("SUBSCRIBE")
		verify(t, srv, sub)
		r := acceptSubscribe(t, p, sub, 900)
		if err := result(t, done); err != nil {
			t.Fatal(err)
		}
		// The dialog's CSeq follows the resent SUBSCRIBE.
		r.notify(t, "active", "")
		done = goErr(func() error { return s.Subscribe(context.Background(), nil) })
		ref := p.nextRequest("SUBSCRIBE")
		if cseq, _ := ref.Header().CSeq(); cseq.Seq != 3 {
			t.Errorf("refresh CSeq %v, want 3", cseq)
		}
		r.answer(ref, 200, "Expires: 900")
		result(t, done)
	})
	t.Run("200 without Contact", func(t *testing.T) {
		p, ua, _ := subscriberUA(t)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		p.reply(p.nextRequest("SUBSCRIBE"), 200, "Expires: 900")
		result(t, done)
		log.wait(t, "terminated SUBSCRIBE_WRONG_OK_RESPONSE  -1")
	})
	t.Run("no NOTIFY", func(t *testing.T) {
		p, ua, clk := subscriberUA(t)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		acceptSubscribe(t, p, p.nextRequest("SUBSCRIBE"), 900)
		result(t, done)
		log.wait(t, "accepted 200")
		// RFC 6665 Timer N: 64*T1 without a NOTIFY ends the subscription.
		clk.Advance(31 * time.Second)
		log.quiet(t)
		clk.Advance(time.Second)
		log.wait(t, "terminated SUBSCRIBE_RESPONSE_TIMEOUT  -1")
	})
	t.Run("no final NOTIFY", func(t *testing.T) {
		p, ua, clk := subscriberUA(t)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		r := acceptSubscribe(t, p, p.nextRequest("SUBSCRIBE"), 900)
		result(t, done)
		r.notify(t, "active", "")
		log.wait(t, "accepted 200")
		log.wait(t, "active")
		done = goErr(func() error { return s.Terminate(context.Background(), nil) })
		r.answer(p.nextRequest("SUBSCRIBE"), 200, "Expires: 0")
		result(t, done)
		clk.Advance(29 * time.Second)
		log.quiet(t)
		clk.Advance(time.Second)
		log.wait(t, "terminated UNSUBSCRIBE_TIMEOUT  -1")
	})
	t.Run("refresh 481", func(t *testing.T) {
		p, ua, _ := subscriberUA(t)
		s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
		log := watchSubscriber(s)
		done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
		r := acceptSubscribe(t, p, p.nextRequest("SUBSCRIBE"), 900)
		result(t, done)
		r.notify(t, "active", "")
		done = goErr(func() error { return s.Subscribe(context.Background(), nil) })
		r.answer(p.nextRequest("SUBSCRIBE"), 481)
		if err := result(t, done); err == nil {
			t.Fatal("refresh answered 481 succeeded")
		}
		log.wait(t, "accepted 200")
		log.wait(t, "active")
		log.wait(t, "terminated SUBSCRIBE_NON_OK_RESPONSE  -1")
	})
}

func TestSubscriberFetch(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
	log := watchSubscriber(s)
	// Terminate before Subscribe is a fetch (RFC 6665 §4.4.3).
	done := goErr(func() error { return s.Terminate(context.Background(), nil) })
	sub := p.nextRequest("SUBSCRIBE")
	if to, _ := sub.Header().To(); sub.Header().Get("Expires") != "0" || to.Tag() != "" {
		t.Fatalf("fetch Expires %q To %q", sub.Header().Get("Expires"), sub.Header().Get("To"))
	}
	r := acceptSubscribe(t, p, sub, 0)
	if err := result(t, done); err != nil {
		t.Fatal(err)
	}
	r.notify(t, "terminated;reason=timeout", "state")
	log.wait(t, "accepted 200")
	log.wait(t, "notify final=true text/plain state")
	log.wait(t, "terminated FINAL_NOTIFY_RECEIVED timeout -1")
}

func TestSubscriberSurvivesReconnect(t *testing.T) {
	p, ua, clk := subscriberUA(t)
	s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
	log := watchSubscriber(s)
	done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
	sub := p.nextRequest("SUBSCRIBE")
	r := acceptSubscribe(t, p, sub, 900)
	result(t, done)
	r.notify(t, "active", "one")
	log.wait(t, "accepted 200")
	log.wait(t, "active")
	log.wait(t, "notify final=false text/plain one")
	id := s.ID()

	p.mu.Lock()
	old := p.sock
	old.Close()
	p.mu.Unlock()
	for i := 0; i < 40 && ua.IsConnected(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 40 && !ua.IsConnected(); i++ {
		clk.Advance(time.Second)
		time.Sleep(10 * time.Millisecond)
	}
	// The UA refreshes in the same dialog over the new connection, with
	// its Contact on it.
	ref := p.nextRequest("SUBSCRIBE")
	p.mu.Lock()
	same := p.sock == old
	p.mu.Unlock()
	to, _ := ref.Header().To()
	cseq, _ := ref.Header().CSeq()
	if same || ref.Header().CallID() != id.CallID || to.Tag() != id.RemoteTag || cseq.Seq != 2 {
		t.Fatalf("after reconnect: new socket %v, refresh Call-ID %q To %q CSeq %v", !same, ref.Header().CallID(), ref.Header().Get("To"), cseq)
	}
	r.answer(ref, 200, "Expires: 900")
	r.notify(t, "active", "two")
	log.wait(t, "notify final=false text/plain two")
	if s.State() != SubscriptionActive || s.ID() != id {
		t.Errorf("state %v ID %v", s.State(), s.ID())
	}
}

func TestSubscriberStopUnsubscribes(t *testing.T) {
	p, ua, _ := subscriberUA(t)
	s, _ := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
	log := watchSubscriber(s)
	done := goErr(func() error { return s.Subscribe(context.Background(), nil) })
	r := acceptSubscribe(t, p, p.nextRequest("SUBSCRIBE"), 900)
	result(t, done)
	r.notify(t, "active", "")
	log.wait(t, "accepted 200")
	log.wait(t, "active")
	stopped := goErr(func() error { return ua.Stop(context.Background()) })
	un := p.nextRequest("SUBSCRIBE")
	if un.Header().Get("Expires") != "0" {
		t.Fatalf("Stop sent Expires %q", un.Header().Get("Expires"))
	}
	r.answer(un, 200, "Expires: 0")
	result(t, stopped)
	log.wait(t, "terminated UNSUBSCRIBE_TIMEOUT  -1")
}
