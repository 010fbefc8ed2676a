package ringo

// This file holds what the Subscriber and the Notifier (RFC 6665) share:
// their states, the UA's table of subscription dialogs, the dispatch of
// SUBSCRIBE and NOTIFY, incoming subscriptions and out-of-dialog NOTIFYs.

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// DefaultSubscribeExpires is the subscription interval a Subscriber asks
// for and a Notifier grants when the SUBSCRIBE has no Expires (RFC 6665
// §3.1.1 leaves it to the event package; JsSIP uses 900 s).
const DefaultSubscribeExpires = 900 * time.Second

// ErrSubscriptionTerminated: the Subscriber or Notifier has terminated.
var ErrSubscriptionTerminated = errors.New("ringo: subscription terminated")

// SubscriptionState is the state of a Subscriber or a Notifier. The values
// are JsSIP's Subscriber.C.STATE_* numbers.
type SubscriptionState int32

// Subscription states. A Notifier is only ever pending, active or
// terminated.
const (
	// SubscriptionPending: the notifier has not yet authorized the
	// subscription (Subscription-State: pending).
	SubscriptionPending SubscriptionState = iota
	// SubscriptionActive: the subscription is authorized.
	SubscriptionActive
	// SubscriptionTerminated: the subscription has ended.
	SubscriptionTerminated
	// SubscriptionInit: a Subscriber whose SUBSCRIBE is not sent yet.
	SubscriptionInit
	// SubscriptionNotifyWait: a Subscriber that sent its SUBSCRIBE and
	// waits for the first NOTIFY.
	SubscriptionNotifyWait
)

// String returns the state as JsSIP names it: "pending", "active",
// "terminated", "init", "notify_wait".
func (s SubscriptionState) String() string {
	switch s {
	case SubscriptionPending:
		return "pending"
	case SubscriptionActive:
		return "active"
	case SubscriptionTerminated:
		return "terminated"
	case SubscriptionInit:
		return "init"
	case SubscriptionNotifyWait:
		return "notify_wait"
	}
	return "SubscriptionState(" + strconv.Itoa(int(s)) + ")"
}

// subscription is a Subscriber or a Notifier, as the UA's table holds it.
// Its methods run on the loop.
type subscription interface {
	// request handles a request in the subscription's dialog.
	request(s *transaction.Server, req *sip.Request)
	// connected is called after the UA has (re)connected.
	connected()
	// shutdown is called when Stop begins: end the subscription on the
	// wire (unsubscribe, final NOTIFY).
	shutdown()
	// stopped is called as the loop ends: stop timers and report the end
	// of a subscription that has not ended yet.
	stopped()
}

// subTable holds the UA's subscriptions. It lives on the loop; its zero
// value is empty and ready.
type subTable struct {
	// dialogs maps each subscription dialog (as seen from us) to the
	// Subscriber or Notifier that uses it.
	dialogs map[dialog.ID]subscription
	// initial maps the Call-ID and From tag of each Subscriber's initial
	// SUBSCRIBE to it, so that a NOTIFY that comes before the 2xx, or from
	// another fork, finds it (RFC 6665 §4.1.2.4).
	initial map[initialKey]*Subscriber
	// live is every subscription that has not terminated, in no order.
	live map[subscription]struct{}
}

type initialKey struct{ callID, fromTag string }

func (t *subTable) addDialog(id dialog.ID, s subscription) {
	if t.dialogs == nil {
		t.dialogs = make(map[dialog.ID]subscription)
	}
	t.dialogs[id] = s
}

func (t *subTable) addLive(s subscription) {
	if t.live == nil {
		t.live = make(map[subscription]struct{})
	}
	t.live[s] = struct{}{}
}

func (t *subTable) addInitial(k initialKey, s *Subscriber) {
	if t.initial == nil {
		t.initial = make(map[initialKey]*Subscriber)
	}
	t.initial[k] = s
}

// remove drops every entry of s.
func (t *subTable) remove(s subscription, d *dialog.Dialog) {
	delete(t.live, s)
	if d != nil && t.dialogs[d.ID] == s {
		delete(t.dialogs, d.ID)
	}
	if sub, ok := s.(*Subscriber); ok {
		k := initialKey{sub.callID, sub.fromTag}
		if t.initial[k] == sub {
			delete(t.initial, k)
		}
	}
}

// each calls f for a snapshot of the live subscriptions, since f may end
// some of them.
func (t *subTable) each(f func(subscription)) {
	all := make([]subscription, 0, len(t.live))
	for s := range t.live {
		all = append(all, s)
	}
	for _, s := range all {
		f(s)
	}
}

// subsConnected refreshes subscriptions after a (re)connection.
func (ua *UA) subsConnected() { ua.subs.each(subscription.connected) }

// subsShutdown ends every subscription on the wire when Stop begins.
func (ua *UA) subsShutdown() { ua.subs.each(subscription.shutdown) }

// subsStopped ends what is left as the loop ends.
func (ua *UA) subsStopped() { ua.subs.each(subscription.stopped) }

// subscriptionRequest is the UAS core for SUBSCRIBE and NOTIFY (RFC
// 6665), on the loop: a SUBSCRIBE without To tag is a new subscription for
// the application, a NOTIFY without To tag an out-of-dialog event; the
// rest goes to the subscription whose dialog it names, or to the
// Subscriber whose SUBSCRIBE it answers. It reports false, having sent
// nothing, for a request in a dialog it does not know (a NOTIFY for a
// REFER belongs to a call), which the caller answers.
func (ua *UA) subscriptionRequest(s *transaction.Server, req *sip.Request) bool {
	id, err := dialog.IncomingID(req)
	if err != nil {
		subReply(ua, s, req, 400, "", nil)
		return true
	}
	if id.LocalTag == "" {
		if req.Method == "SUBSCRIBE" {
			ua.newSubscribe(s, req)
		} else {
			ua.sipEvent(s, req)
		}
		return true
	}
	if sub, ok := ua.subs.dialogs[id]; ok {
		sub.request(s, req)
		return true
	}
	if req.Method == "NOTIFY" {
		if sub := ua.subs.initial[initialKey{id.CallID, id.LocalTag}]; sub != nil {
			sub.unmatchedNotify(s, req)
			return true
		}
	}
	return false
}

// subReply answers req with code, a reason ("" for the standard phrase)
// and extra header fields.
func subReply(ua *UA, s *transaction.Server, req *sip.Request, code int, reason string, edit func(*sip.Header)) *sip.Response {
	resp := sip.NewResponse(req, code, reason)
	if edit != nil {
		edit(resp.Header())
	}
	if code == 405 {
		resp.Header().Set("Allow", allowHeader)
	}
	if err := s.Respond(resp); err != nil {
		ua.log.Debug("response not sent", "code", code, "err", err)
	}
	return resp
}

// await runs start on the loop; start arranges for done to be called, on
// the loop, with the result of what it began. await returns that result,
// or an error when ctx ends or the UA stops first (what was begun goes on).
func (ua *UA) await(ctx context.Context, start func(done func(error))) error {
	res := make(chan error, 1)
	done := func(err error) {
		select {
		case res <- err:
		default:
		}
	}
	if err := ua.do(ctx, func() { start(done) }); err != nil {
		return err
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-ua.loopDone:
		return ErrStopped
	}
}

// asError turns a nil *Error into a nil error.
func asError(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// subTimer is a clock timer whose expiry runs on the loop. stop cancels
// it even when the expiry is already posted to the loop. Its methods run
// on the loop.
type subTimer struct {
	t   clock.Timer
	gen uint64
}

func (st *subTimer) start(ua *UA, d time.Duration, f func()) {
	st.stop()
	gen := st.gen
	st.t = ua.clk.AfterFunc(d, func() {
		ua.post(func() {
			if st.gen == gen {
				st.t = nil
				f()
			}
		})
	})
}

func (st *subTimer) stop() {
	st.gen++
	if st.t != nil {
		st.t.Stop()
		st.t = nil
	}
}

func (st *subTimer) running() bool { return st.t != nil }

// updateLocalSeq raises the dialog's local CSeq to that of req, which an
// authentication retry may have raised.
func updateLocalSeq(d *dialog.Dialog, req *sip.Request) {
	if cseq, err := req.Header().CSeq(); err == nil && cseq.Seq > d.LocalSeq {
		d.LocalSeq = cseq.Seq
	}
}

// parseExpires reads the Expires header of a SUBSCRIBE or its response:
// def when there is none.
func parseExpires(h *sip.Header, def time.Duration) (time.Duration, error) {
	if !h.Has("Expires") {
		return def, nil
	}
	e, err := h.Expires()
	if err != nil {
		return 0, err
	}
	return time.Duration(e) * time.Second, nil
}

// seconds writes a duration as whole seconds.
func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// IncomingSubscribe is a SUBSCRIBE that creates a new subscription,
// handed to the OnNewSubscribe handler. The handler accepts it by creating
// a Notifier with UA.Notify and starting it, or rejects it with Reject. If
// the handler returns having done neither, the UA answers 489 Bad Event.
type IncomingSubscribe struct {
	// Request is the SUBSCRIBE as received.
	Request *sip.Request
	// Event is its Event header.
	Event sip.Event

	ua  *UA
	srv *transaction.Server
	// claimed is set once a Notifier was made for the request or it was
	// answered.
	claimed atomic.Bool
}

// From returns the subscriber's address.
func (r *IncomingSubscribe) From() sip.Address {
	a, _ := r.Request.Header().From()
	return a
}

// Body returns the SUBSCRIBE body.
func (r *IncomingSubscribe) Body() []byte { return r.Request.Body() }

// ContentType returns the Content-Type of the body, or "".
func (r *IncomingSubscribe) ContentType() string { return r.Request.Header().Get("Content-Type") }

// Expires returns the interval the subscriber asked for, and false when
// the SUBSCRIBE had no Expires. Zero is a fetch (RFC 6665 §4.4.3).
func (r *IncomingSubscribe) Expires() (time.Duration, bool) {
	if !r.Request.Header().Has("Expires") {
		return 0, false
	}
	e, _ := r.Request.Header().Expires()
	return time.Duration(e) * time.Second, true
}

// Reject answers the SUBSCRIBE with a failure status (300–699) and reason
// ("" for the standard phrase), with extra header lines ("Name: value")
// if given: 403 to refuse the subscriber, 489 for an event package the
// application does not serve. It fails once a Notifier exists for the
// request.
func (r *IncomingSubscribe) Reject(code int, reason string, extraHeaders ...string) error {
	if code < 300 || code > 699 {
		return errors.New("ringo: Reject needs a status code from 300 to 699")
	}
	extra, err := parseHeaderLines(extraHeaders)
	if err != nil {
		return err
	}
	if !r.claimed.CompareAndSwap(false, true) {
		return errors.New("ringo: SUBSCRIBE already answered or given to a Notifier")
	}
	return r.ua.do(context.Background(), func() {
		subReply(r.ua, r.srv, r.Request, code, reason, func(h *sip.Header) { addHeaders(h, extra) })
	})
}

// OnNewSubscribe sets the handler for SUBSCRIBE requests that create a
// subscription. Without a handler, every such SUBSCRIBE gets 489 Bad
// Event.
func (ua *UA) OnNewSubscribe(f func(*IncomingSubscribe)) { set(ua, &ua.handlers.newSubscribe, f) }

// SIPEvent is a NOTIFY received outside any subscription (no To tag), as
// a voicemail server sends message-summary (RFC 3842) to a registered
// user. It is handed to the OnSIPEvent handler, which may answer it with
// Accept or Reject; unanswered, it gets 200 (as JsSIP's "sipEvent").
type SIPEvent struct {
	*IncomingRequest
	// Event is the NOTIFY's Event header.
	Event sip.Event
}

// OnSIPEvent sets the handler for NOTIFY requests outside any
// subscription.
func (ua *UA) OnSIPEvent(f func(*SIPEvent)) { set(ua, &ua.handlers.sipEvent, f) }

// sipEvent hands an out-of-dialog NOTIFY to the application.
func (ua *UA) sipEvent(s *transaction.Server, req *sip.Request) {
	ev, err := req.Header().Event()
	if err != nil {
		subReply(ua, s, req, 400, "Bad Event Header", nil)
		return
	}
	e := &SIPEvent{IncomingRequest: &IncomingRequest{Request: req, Originator: Remote, ua: ua, srv: s}, Event: ev}
	handler := get(ua, &ua.handlers.sipEvent)
	ua.disp.post(func() {
		if handler != nil {
			handler(e)
		}
		if !e.answered.Load() {
			e.Respond(200, "")
		}
	})
}

// newSubscribe checks a SUBSCRIBE that creates a subscription and hands it
// to the application (JsSIP's Notifier.init_incoming and "newSubscribe").
func (ua *UA) newSubscribe(s *transaction.Server, req *sip.Request) {
	h := req.Header()
	ev, err := h.Event()
	if err != nil {
		subReply(ua, s, req, 400, "Bad Event Header", nil)
		return
	}
	if cs, err := h.Contact(); err != nil || len(cs) != 1 || cs[0].Wildcard {
		subReply(ua, s, req, 400, "Bad Contact Header", nil)
		return
	}
	if _, err := parseExpires(h, 0); err != nil {
		subReply(ua, s, req, 400, "Bad Expires Header", nil)
		return
	}
	handler := get(ua, &ua.handlers.newSubscribe)
	if handler == nil {
		subReply(ua, s, req, 489, "", nil)
		return
	}
	r := &IncomingSubscribe{Request: req, Event: ev, ua: ua, srv: s}
	ua.disp.post(func() {
		handler(r)
		if !r.claimed.Load() {
			r.Reject(489, "")
		}
	})
}
