package ringo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// NotifierTermination says why a Notifier terminated. The values are
// JsSIP's Notifier.C termination codes.
type NotifierTermination int

// Notifier termination codes.
const (
	// NotifyResponseTimeout: a NOTIFY got no final response.
	NotifyResponseTimeout NotifierTermination = iota
	// NotifyTransportError: a NOTIFY or the 200 to the SUBSCRIBE could
	// not be sent.
	NotifyTransportError
	// NotifyNonOKResponse: a NOTIFY got a failure response, such as 481
	// from a subscriber that forgot the subscription.
	NotifyNonOKResponse
	// NotifyAuthenticationFailed: a NOTIFY got 401 or 407 that the
	// credentials could not answer.
	NotifyAuthenticationFailed
	// FinalNotifySent: Terminate sent the final NOTIFY.
	FinalNotifySent
	// UnsubscribeReceived: the subscriber unsubscribed (Expires: 0), or
	// the initial SUBSCRIBE was a fetch.
	UnsubscribeReceived
	// SubscriptionExpired: the subscriber did not refresh in time.
	SubscriptionExpired
)

// String returns JsSIP's name of the code.
func (c NotifierTermination) String() string {
	switch c {
	case NotifyResponseTimeout:
		return "NOTIFY_RESPONSE_TIMEOUT"
	case NotifyTransportError:
		return "NOTIFY_TRANSPORT_ERROR"
	case NotifyNonOKResponse:
		return "NOTIFY_NON_OK_RESPONSE"
	case NotifyAuthenticationFailed:
		return "NOTIFY_FAILED_AUTHENTICATION"
	case FinalNotifySent:
		return "SEND_FINAL_NOTIFY"
	case UnsubscribeReceived:
		return "RECEIVE_UNSUBSCRIBE"
	case SubscriptionExpired:
		return "SUBSCRIPTION_EXPIRED"
	}
	return "NotifierTermination(" + strconv.Itoa(int(c)) + ")"
}

// NotifierOptions are the options of UA.Notify.
type NotifierOptions struct {
	// Pending starts the subscription pending (waiting for
	// authorization) instead of active; SetActiveState activates it.
	Pending bool
	// DefaultExpires is the interval granted when the SUBSCRIBE has no
	// Expires; zero means 900 s.
	DefaultExpires time.Duration
	// AllowEvents, if set, is sent as the Allow-Events header of NOTIFYs.
	AllowEvents string
	// ExtraHeaders are added to every NOTIFY, as "Name: value" lines. A
	// Contact among them replaces the UA's.
	ExtraHeaders []string
}

// NotifierSubscribeEvent: a SUBSCRIBE was accepted: the initial one (at
// Start) or a refresh or an unsubscribe.
type NotifierSubscribeEvent struct {
	Notifier *Notifier
	// Unsubscribe is set for Expires: 0 (an unsubscribe or a fetch).
	Unsubscribe bool
	Request     *sip.Request
	Body        []byte
	ContentType string
}

// NotifierTerminatedEvent: the subscription ended.
type NotifierTerminatedEvent struct {
	Notifier *Notifier
	Code     NotifierTermination
	// Err is the failed NOTIFY's *Error (cause, response), or nil.
	Err error
}

// notifierHandlers are a Notifier's event handlers, guarded by the UA's
// handler lock.
type notifierHandlers struct {
	subscribe  func(NotifierSubscribeEvent)
	expired    func(*Notifier)
	terminated func(NotifierTerminatedEvent)
}

// Notifier is the notifier side of a subscription (RFC 6665), as JsSIP's
// Notifier: UA.Notify creates it for an IncomingSubscribe, Start accepts
// the subscription and sends the first NOTIFY, Notify sends the state,
// Terminate sends the final NOTIFY. It answers refreshes, ends the
// subscription when the subscriber lets it expire, and keeps one NOTIFY in
// flight at a time (RFC 6665 §4.2.2), so that notifications arrive in
// order.
//
// Events are delivered in order on the UA's event goroutine. All methods
// are safe for concurrent use.
type Notifier struct {
	ua             *UA
	sub            *IncomingSubscribe
	contentType    string
	pending        bool
	defaultExpires time.Duration
	allowEvents    string
	extra          []sip.Param
	hasContact     bool

	h     notifierHandlers
	state atomic.Int32
	id    atomic.Pointer[dialog.ID]

	// Loop state.
	started   bool
	d         *dialog.Dialog
	expiresAt time.Time
	expiry    subTimer
	lastBody  []byte
	queue     []notifyItem
	inFlight  bool
}

// notifyItem is a NOTIFY to send.
type notifyItem struct {
	// final NOTIFYs carry "terminated" with reason and retryAfter (if
	// positive); others the current state and the remaining interval.
	final      bool
	reason     string
	retryAfter time.Duration
	body       []byte
	done       func(error)
}

// Notify returns a Notifier for an incoming SUBSCRIBE, whose NOTIFY bodies
// are of contentType. Set its handlers, then call Start. Only one Notifier
// can be made for a SUBSCRIBE, and not after it was rejected.
func (ua *UA) Notify(subscribe *IncomingSubscribe, contentType string, opts *NotifierOptions) (*Notifier, error) {
	if opts == nil {
		opts = &NotifierOptions{}
	}
	if subscribe == nil || subscribe.ua != ua {
		return nil, errors.New("ringo: Notify needs a SUBSCRIBE received by this UA")
	}
	if contentType == "" {
		return nil, errors.New("ringo: Notify needs a content type")
	}
	if opts.DefaultExpires < 0 {
		return nil, errors.New("ringo: negative NotifierOptions.DefaultExpires")
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad ExtraHeaders: %w", err)
	}
	if !subscribe.claimed.CompareAndSwap(false, true) {
		return nil, errors.New("ringo: SUBSCRIBE already answered or given to a Notifier")
	}
	n := &Notifier{
		ua:             ua,
		sub:            subscribe,
		contentType:    contentType,
		pending:        opts.Pending,
		defaultExpires: opts.DefaultExpires,
		allowEvents:    opts.AllowEvents,
		extra:          extra,
	}
	if n.defaultExpires == 0 {
		n.defaultExpires = DefaultSubscribeExpires
	}
	for _, p := range extra {
		if sip.CanonicalName(p.Name) == "Contact" {
			n.hasContact = true
		}
	}
	if n.pending {
		n.setState(SubscriptionPending)
	} else {
		n.setState(SubscriptionActive)
	}
	return n, nil
}

// State returns the subscription's state: pending, active or terminated.
func (n *Notifier) State() SubscriptionState { return SubscriptionState(n.state.Load()) }

// ID returns the identifiers of the subscription's dialog, or the zero ID
// before Start.
func (n *Notifier) ID() dialog.ID {
	if id := n.id.Load(); id != nil {
		return *id
	}
	return dialog.ID{}
}

// Subscribe returns the SUBSCRIBE the Notifier was made for.
func (n *Notifier) Subscribe() *IncomingSubscribe { return n.sub }

// OnSubscribe sets the handler for accepted SUBSCRIBEs.
func (n *Notifier) OnSubscribe(f func(NotifierSubscribeEvent)) { set(n.ua, &n.h.subscribe, f) }

// OnExpired sets the handler for the expiry of the subscription; the
// final NOTIFY (reason timeout) is sent after it is queued.
func (n *Notifier) OnExpired(f func(*Notifier)) { set(n.ua, &n.h.expired, f) }

// OnTerminated sets the handler for the end of the subscription.
func (n *Notifier) OnTerminated(f func(NotifierTerminatedEvent)) { set(n.ua, &n.h.terminated, f) }

func (n *Notifier) setState(st SubscriptionState) { n.state.Store(int32(st)) }

// Start accepts the subscription: it answers the SUBSCRIBE with 200 and
// sends the first NOTIFY with body (nil for none), then waits for that
// NOTIFY's final response: nil for a 2xx, or an error. For a fetch (the
// SUBSCRIBE had Expires: 0) the NOTIFY is the final one and the Notifier
// ends with UnsubscribeReceived. RFC 6665 deprecates 202, so a pending
// subscription is accepted with 200 too.
func (n *Notifier) Start(ctx context.Context, body []byte) error {
	return n.ua.await(ctx, func(done func(error)) {
		switch {
		case n.State() == SubscriptionTerminated:
			done(ErrSubscriptionTerminated)
			return
		case n.started:
			done(errors.New("ringo: Notifier already started"))
			return
		}
		n.started = true
		ua := n.ua
		req := n.sub.Request
		expires, _ := parseExpires(req.Header(), n.defaultExpires)
		tag := sip.NewTag()
		d, err := dialog.NewUAS(req, tag)
		if err != nil {
			subReply(ua, n.sub.srv, req, 400, "", nil)
			n.terminate(NotifyTransportError, err, true)
			done(err)
			return
		}
		d.Confirm()
		n.d = d
		id := d.ID
		n.id.Store(&id)
		ua.subs.addDialog(d.ID, n)
		ua.subs.addLive(n)
		if err := n.accept(n.sub.srv, req, tag, expires); err != nil {
			n.terminate(NotifyTransportError, err, true)
			done(err)
			return
		}
		n.received(req, expires, body, done)
	})
}

// accept answers a SUBSCRIBE with 200, the granted Expires and our
// Contact. The 200 to the initial SUBSCRIBE carries its Record-Route, as
// RFC 3261 §12.1.1 requires of a response that makes a dialog, so that
// the subscriber's refreshes follow the proxies that asked to stay in
// the path.
func (n *Notifier) accept(srv *transaction.Server, req *sip.Request, tag string, expires time.Duration) error {
	resp := sip.NewResponse(req, 200, "")
	resp.SetToTag(tag)
	h := resp.Header()
	if req == n.sub.Request {
		rr, _ := req.Header().RecordRoute()
		for _, r := range rr {
			h.Add("Record-Route", r.String())
		}
	}
	h.Set("Expires", seconds(expires))
	h.Set("Contact", n.contact())
	return srv.Respond(resp)
}

func (n *Notifier) contact() string {
	for _, p := range n.extra {
		if sip.CanonicalName(p.Name) == "Contact" {
			return p.Value
		}
	}
	return sip.Address{URI: n.ua.contactURI()}.String()
}

// received acts on an accepted SUBSCRIBE: it reports it, then ends the
// subscription for Expires: 0, or restarts the expiry and sends the state.
func (n *Notifier) received(req *sip.Request, expires time.Duration, body []byte, done func(error)) {
	emit(n.ua, &n.h.subscribe, NotifierSubscribeEvent{
		Notifier:    n,
		Unsubscribe: expires == 0,
		Request:     req,
		Body:        req.Body(),
		ContentType: req.Header().Get("Content-Type"),
	})
	if body != nil {
		n.lastBody = body
	}
	if expires == 0 {
		n.queue = append(n.queue, notifyItem{final: true, reason: "timeout", body: body, done: done})
		n.terminate(UnsubscribeReceived, nil, false)
		n.pump()
		return
	}
	n.expiresAt = n.ua.clk.Now().Add(expires)
	n.expiry.start(n.ua, expires, n.expired)
	n.queue = append(n.queue, notifyItem{body: n.lastBody, done: done})
	n.pump()
}

// SetActiveState moves a pending subscription to active; the next NOTIFY
// says so. Send one with Notify.
func (n *Notifier) SetActiveState() error {
	var err error
	if derr := n.ua.do(context.Background(), func() {
		switch n.State() {
		case SubscriptionTerminated:
			err = ErrSubscriptionTerminated
		case SubscriptionPending:
			n.setState(SubscriptionActive)
		}
	}); derr != nil {
		return derr
	}
	return err
}

// Notify sends a NOTIFY with body (nil for none) and the current state,
// with the remaining interval in Subscription-State, and waits for its
// final response: nil for a 2xx, or an error; a failure terminates the
// subscription. NOTIFYs are sent one at a time in the order of the calls.
// When the subscription has just expired, Notify sends the final NOTIFY
// instead, as Terminate with reason "timeout".
func (n *Notifier) Notify(ctx context.Context, body []byte) error {
	return n.ua.await(ctx, func(done func(error)) {
		switch {
		case n.State() == SubscriptionTerminated:
			done(ErrSubscriptionTerminated)
			return
		case !n.started:
			done(errors.New("ringo: Notifier not started"))
			return
		}
		if !n.ua.clk.Now().Before(n.expiresAt) {
			n.terminateWith(body, "timeout", 0, done)
			return
		}
		if body != nil {
			n.lastBody = body
		}
		n.queue = append(n.queue, notifyItem{body: body, done: done})
		n.pump()
	})
}

// Terminate ends the subscription with a final NOTIFY (Subscription-State
// terminated) carrying body (nil for none), reason ("" for none; see RFC
// 6665 §4.1.3: "deactivated", "probation", "rejected", "timeout",
// "giveup", "noresource", "invariant") and, if retryAfter is positive, a
// retry-after parameter. It waits for the NOTIFY's final response.
// Calling it again does nothing.
func (n *Notifier) Terminate(ctx context.Context, body []byte, reason string, retryAfter time.Duration) error {
	return n.ua.await(ctx, func(done func(error)) {
		switch {
		case n.State() == SubscriptionTerminated:
			done(nil)
			return
		case !n.started:
			done(errors.New("ringo: Notifier not started: reject the SUBSCRIBE instead"))
			return
		}
		n.terminateWith(body, reason, retryAfter, done)
	})
}

// terminateWith queues the final NOTIFY and ends the subscription.
func (n *Notifier) terminateWith(body []byte, reason string, retryAfter time.Duration, done func(error)) {
	code := FinalNotifySent
	if reason == "timeout" {
		code = SubscriptionExpired
	}
	n.queue = append(n.queue, notifyItem{final: true, reason: reason, retryAfter: retryAfter, body: body, done: done})
	n.terminate(code, nil, false)
	n.pump()
}

// expired ends a subscription that was not refreshed in time.
func (n *Notifier) expired() {
	if n.State() == SubscriptionTerminated {
		return
	}
	emit(n.ua, &n.h.expired, n)
	n.terminateWith(nil, "timeout", 0, func(error) {})
}

// pump sends the next queued NOTIFY when none is in flight and the UA is
// connected. The queue drains even after the subscription ended, since
// the final NOTIFY is in it.
func (n *Notifier) pump() {
	if n.inFlight || len(n.queue) == 0 || n.ua.sock == nil {
		return
	}
	it := n.queue[0]
	n.queue[0] = notifyItem{}
	n.queue = n.queue[1:]
	ss := sip.SubscriptionState{State: sip.StateTerminated}
	if it.final {
		if it.reason != "" {
			ss.Params.Set("reason", it.reason)
		}
		if it.retryAfter > 0 {
			ss.Params.Set("retry-after", seconds(it.retryAfter))
		}
	} else {
		ss.State = sip.StateActive
		if n.State() == SubscriptionPending {
			ss.State = sip.StatePending
		}
		ss.Params.Set("expires", seconds(max(n.expiresAt.Sub(n.ua.clk.Now()), 0)))
	}
	req := n.d.NewRequest("NOTIFY")
	h := req.Header()
	h.Add("Event", n.sub.Event.String())
	h.Add("Subscription-State", ss.String())
	if !n.hasContact {
		h.Add("Contact", sip.Address{URI: n.ua.contactURI()}.String())
	}
	if n.allowEvents != "" {
		h.Add("Allow-Events", n.allowEvents)
	}
	h.Add("User-Agent", n.ua.s.UserAgent)
	addHeaders(h, n.extra)
	if len(it.body) > 0 {
		req.SetBody(n.contentType, it.body)
	}
	n.inFlight = true
	n.ua.send(req, nil, func(req *sip.Request, resp *sip.Response, err *Error) {
		n.inFlight = false
		updateLocalSeq(n.d, req)
		if err != nil {
			code := NotifyNonOKResponse
			switch {
			case resp == nil && err.Cause == CauseRequestTimeout:
				code = NotifyResponseTimeout
			case resp == nil:
				code = NotifyTransportError
			case resp.StatusCode == 401 || resp.StatusCode == 407:
				code = NotifyAuthenticationFailed
			}
			n.terminate(code, err, true)
		}
		if it.done != nil {
			it.done(asError(err))
		}
		n.pump()
	})
}

// request handles a request in the subscription's dialog: a refresh or
// an unsubscribe.
func (n *Notifier) request(srv *transaction.Server, req *sip.Request) {
	ua := n.ua
	if req.Method != "SUBSCRIBE" {
		subReply(ua, srv, req, 405, "", nil)
		return
	}
	h := req.Header()
	if ev, err := h.Event(); err != nil || !ev.Matches(n.sub.Event) {
		subReply(ua, srv, req, 489, "", nil)
		return
	}
	expires, err := parseExpires(h, n.defaultExpires)
	if err != nil {
		subReply(ua, srv, req, 400, "Bad Expires Header", nil)
		return
	}
	if err := n.d.ReceiveRequest(req); err != nil {
		if errors.Is(err, dialog.ErrCSeqOutOfOrder) {
			subReply(ua, srv, req, 500, "CSeq Out Of Order", nil)
		} else {
			subReply(ua, srv, req, 400, "", nil)
		}
		return
	}
	if err := n.accept(srv, req, n.d.ID.LocalTag, expires); err != nil {
		n.terminate(NotifyTransportError, err, true)
		return
	}
	// RFC 6665 §4.2.1.2: a refresh gets a NOTIFY with the full state,
	// which is the last body sent.
	var body []byte
	if expires > 0 {
		body = n.lastBody
	}
	n.received(req, expires, body, func(error) {})
}

// terminate ends the subscription with code and reports it, once. With
// drop, NOTIFYs still queued are dropped; otherwise the queue (which ends
// with the final NOTIFY) is still sent.
func (n *Notifier) terminate(code NotifierTermination, err error, drop bool) {
	if drop {
		for _, it := range n.queue {
			if it.done != nil {
				it.done(ErrSubscriptionTerminated)
			}
		}
		n.queue = nil
	}
	if n.State() == SubscriptionTerminated {
		return
	}
	n.setState(SubscriptionTerminated)
	n.expiry.stop()
	n.ua.subs.remove(n, n.d)
	if n.d != nil {
		n.d.Terminate()
	}
	n.ua.log.Debug("notifier terminated", "event", n.sub.Event.String(), "code", code.String())
	emit(n.ua, &n.h.terminated, NotifierTerminatedEvent{Notifier: n, Code: code, Err: err})
}

// connected sends the NOTIFYs that waited for a connection.
func (n *Notifier) connected() { n.pump() }

// shutdown sends the final NOTIFY when the UA stops.
func (n *Notifier) shutdown() {
	if n.started && n.State() != SubscriptionTerminated {
		n.terminateWith(nil, "", 0, func(error) {})
	}
}

// stopped ends timers as the UA's loop ends; shutdown has already
// reported the end.
func (n *Notifier) stopped() { n.terminate(FinalNotifySent, ErrStopped, true) }
