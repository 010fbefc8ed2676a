package ringo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
)

// This file holds the helpers of the subscription tests: the scripted
// peer's end of a subscription dialog and event logs for Subscribers and
// Notifiers.

func newEventLog() *eventLog { return &eventLog{ch: make(chan string, 100)} }

func (l *eventLog) record(s string) {
	l.mu.Lock()
	l.events = append(l.events, s)
	l.mu.Unlock()
	l.ch <- s
}

// quiet fails if an event comes within a short while.
func (l *eventLog) quiet(t *testing.T) {
	t.Helper()
	select {
	case got := <-l.ch:
		t.Fatalf("unexpected event %q", got)
	case <-time.After(100 * time.Millisecond):
	}
}

// watchSubscriber logs a Subscriber's events as lines:
// "accepted 200", "pending", "active", "notify final=false text/plain hi",
// "terminated FINAL_NOTIFY_RECEIVED timeout -1", "fork <remote tag>".
func watchSubscriber(s *Subscriber) *eventLog {
	l := newEventLog()
	watchSubscriberInto(s, l)
	return l
}

func watchSubscriberInto(s *Subscriber, l *eventLog) {
	s.OnAccepted(func(e SubscriberAcceptedEvent) { l.record(fmt.Sprintf("accepted %d", e.Response.StatusCode)) })
	s.OnPending(func(*Subscriber) { l.record("pending") })
	s.OnActive(func(*Subscriber) { l.record("active") })
	s.OnNotify(func(e NotifyEvent) {
		l.record(fmt.Sprintf("notify final=%v %s %s", e.Final, e.ContentType, e.Body))
	})
	s.OnTerminated(func(e SubscriberTerminatedEvent) {
		retry := -1
		if e.HasRetryAfter {
			retry = int(e.RetryAfter / time.Second)
		}
		l.record(fmt.Sprintf("terminated %s %s %d", e.Code, e.Reason, retry))
	})
}

// watchNotifier logs a Notifier's events as lines: "subscribe
// unsubscribe=false <body>", "expired", "terminated SEND_FINAL_NOTIFY".
func watchNotifier(n *Notifier) *eventLog {
	l := newEventLog()
	n.OnSubscribe(func(e NotifierSubscribeEvent) {
		l.record(fmt.Sprintf("subscribe unsubscribe=%v %s", e.Unsubscribe, e.Body))
	})
	n.OnExpired(func(*Notifier) { l.record("expired") })
	n.OnTerminated(func(e NotifierTerminatedEvent) { l.record("terminated " + e.Code.String()) })
	return l
}

// remoteSub is the scripted peer's end of a subscription dialog, as the
// notifier (for a Subscriber under test) or the subscriber (for a
// Notifier under test).
type remoteSub struct {
	p      *peer
	callID string
	// tag is the peer's tag, uaTag the UA's.
	tag, uaTag string
	// self is the peer's address, ua the UA's, both without tags.
	self, ua sip.Address
	// target is the Request-URI of the peer's requests.
	target sip.URI
	event  string
	cseq   uint32
	// contact is the peer's Contact.
	contact string
}

// notifierEnd makes the peer the notifier of the subscription the UA's
// SUBSCRIBE asks for, with the given tag, without answering it.
func notifierEnd(t *testing.T, p *peer, sub *sip.Request, tag string) *remoteSub {
	t.Helper()
	h := sub.Header()
	from, _ := h.From()
	to, _ := h.To()
	cs, err := h.Contact()
	if err != nil || len(cs) != 1 {
		t.Fatalf("SUBSCRIBE Contact %q: %v", h.Get("Contact"), err)
	}
	r := &remoteSub{
		p: p, callID: h.CallID(), tag: tag, uaTag: from.Tag(),
		self: sip.Address{URI: to.URI}, ua: sip.Address{URI: from.URI},
		target: cs[0].URI, event: h.Get("Event"), cseq: 100,
		contact: "<sip:" + tag + "@peer.invalid;transport=ws>",
	}
	return r
}

// acceptSubscribe answers the UA's initial SUBSCRIBE with 200, a new To
// tag, Expires and the peer's Contact, and returns the peer's end.
func acceptSubscribe(t *testing.T, p *peer, sub *sip.Request, expires int) *remoteSub {
	t.Helper()
	r := notifierEnd(t, p, sub, sip.NewTag())
	r.answer(sub, 200, fmt.Sprintf("Expires: %d", expires))
	return r
}

// answer answers a request of the UA in the dialog, with the peer's tag
// and Contact.
func (r *remoteSub) answer(req *sip.Request, code int, headers ...string) *sip.Response {
	r.p.t.Helper()
	resp := sip.NewResponse(req, code, "")
	resp.SetToTag(r.tag)
	resp.Header().Add("Contact", r.contact)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		resp.Header().Set(name, strings.TrimSpace(value))
	}
	r.p.send(resp)
	return resp
}

// request builds a request of the peer in the dialog; headers ("Name:
// value") replace the defaults.
func (r *remoteSub) request(method, body string, headers ...string) *sip.Request {
	req := sip.NewRequest(method, r.target.Clone())
	h := req.Header()
	self, ua := r.self.Clone(), r.ua.Clone()
	self.Params.Set("tag", r.tag)
	if r.uaTag != "" {
		ua.Params.Set("tag", r.uaTag)
	}
	r.cseq++
	h.Add("Via", "SIP/2.0/WS peer.invalid;branch="+sip.NewBranch())
	h.Add("Max-Forwards", "70")
	h.Add("From", self.String())
	h.Add("To", ua.String())
	h.Add("Call-ID", r.callID)
	h.Add("CSeq", fmt.Sprintf("%d %s", r.cseq, method))
	h.Add("Contact", r.contact)
	h.Add("Event", r.event)
	for _, x := range headers {
		name, value, _ := strings.Cut(x, ":")
		if strings.TrimSpace(value) == "" {
			h.Del(name)
			continue
		}
		h.Set(name, strings.TrimSpace(value))
	}
	if body != "" {
		req.SetBody("text/plain", []byte(body))
	}
	return req
}

// notify sends a NOTIFY with the Subscription-State state and returns the
// UA's answer.
func (r *remoteSub) notify(t *testing.T, state, body string, headers ...string) *sip.Response {
	t.Helper()
	r.p.send(r.request("NOTIFY", body, append([]string{"Subscription-State: " + state}, headers...)...))
	return r.p.nextResponse()
}

// subscribeUA makes the peer a subscriber: it sends a SUBSCRIBE for event
// to alice and returns its end; the UA's tag and Contact come with the 200
// (see accepted).
func subscribeUA(p *peer, event string, headers ...string) *remoteSub {
	tag := sip.NewTag()
	r := &remoteSub{
		p: p, callID: sip.NewCallID(), tag: tag,
		self:    sip.Address{URI: sip.MustParseURI("sip:bob@ringo.test")},
		ua:      sip.Address{URI: sip.MustParseURI("sip:alice@ringo.test")},
		target:  sip.MustParseURI("sip:alice@ringo.test"),
		event:   event,
		contact: "<sip:bob@peer.invalid;transport=ws>",
	}
	p.send(r.request("SUBSCRIBE", "", headers...))
	return r
}

// accepted checks the UA's 200 to the peer's initial SUBSCRIBE and takes
// the UA's tag and Contact from it.
func (r *remoteSub) accepted(t *testing.T, wantExpires string) *sip.Response {
	t.Helper()
	resp := r.p.nextResponse()
	if resp.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE answered %d %s, want 200", resp.StatusCode, resp.Reason)
	}
	if got := resp.Header().Get("Expires"); got != wantExpires {
		t.Errorf("200 Expires %q, want %q", got, wantExpires)
	}
	to, _ := resp.Header().To()
	cs, err := resp.Header().Contact()
	if to.Tag() == "" || err != nil || len(cs) != 1 {
		t.Fatalf("200 To %q Contact %q", resp.Header().Get("To"), resp.Header().Get("Contact"))
	}
	r.uaTag, r.target = to.Tag(), cs[0].URI
	return resp
}

// nextNotify returns the UA's next NOTIFY after checking that it belongs
// to the dialog and carries state and body.
func (r *remoteSub) nextNotify(t *testing.T, state, body string) *sip.Request {
	t.Helper()
	n := r.p.nextRequest("NOTIFY")
	h := n.Header()
	from, _ := h.From()
	to, _ := h.To()
	if h.CallID() != r.callID || from.Tag() != r.uaTag || to.Tag() != r.tag {
		t.Fatalf("NOTIFY outside the dialog: Call-ID %q From %q To %q", h.CallID(), h.Get("From"), h.Get("To"))
	}
	if got := h.Get("Subscription-State"); got != state {
		t.Errorf("Subscription-State %q, want %q", got, state)
	}
	if got := string(n.Body()); got != body {
		t.Errorf("NOTIFY body %q, want %q", got, body)
	}
	if body != "" && h.Get("Content-Type") != "text/plain" {
		t.Errorf("NOTIFY Content-Type %q", h.Get("Content-Type"))
	}
	if h.Get("Event") != r.event {
		t.Errorf("NOTIFY Event %q, want %q", h.Get("Event"), r.event)
	}
	return n
}

// subscriberUA starts a UA on the peer that does not register, with a
// fake clock.
func subscriberUA(t *testing.T) (*peer, *UA, *clock.Fake) {
	t.Helper()
	p := newPeer(t)
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	ua := startUA(t, p, clk, func(c *Config) { c.ManualRegister = true; c.KeepAliveInterval = -1 })
	start(t, ua)
	return p, ua, clk
}

// goErr runs f on a goroutine and returns its result channel.
func goErr(f func() error) chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// result waits for an error from ch.
func result(t *testing.T, ch chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("call did not return")
		return nil
	}
}

// advanceUntilMessage moves clk on a second at a time, letting the UA's
// loop run after each step, until the UA sends something or limit has
// passed. It returns the message (nil if none) and the time advanced. One
// big Advance would let timers that the loop sets meanwhile (a refresh's
// Timer F) fire within the same jump.
func advanceUntilMessage(t *testing.T, clk *clock.Fake, ua *UA, p *peer, limit time.Duration) (sip.Message, time.Duration) {
	t.Helper()
	for d := time.Second; d <= limit; d += time.Second {
		clk.Advance(time.Second)
		if err := ua.do(context.Background(), func() {}); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-p.in:
			return m, d
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil, limit
}
