package ringo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// unsubscribeTimeout is how long a Subscriber waits for the final NOTIFY
// after it unsubscribed (JsSIP's 30 s).
const unsubscribeTimeout = 30 * time.Second

// SubscriberTermination says why a Subscriber terminated. The values are
// JsSIP's Subscriber.C termination codes.
type SubscriberTermination int

// Subscriber termination codes.
const (
	// SubscribeResponseTimeout: a SUBSCRIBE got no final response, or no
	// NOTIFY came within 64*T1 of the initial SUBSCRIBE (RFC 6665 Timer N).
	SubscribeResponseTimeout SubscriberTermination = iota
	// SubscribeTransportError: a SUBSCRIBE could not be sent.
	SubscribeTransportError
	// SubscribeNonOKResponse: a SUBSCRIBE got a failure response.
	SubscribeNonOKResponse
	// SubscribeWrongOKResponse: a 2xx to the initial SUBSCRIBE could not
	// create a dialog (no To tag or no Contact).
	SubscribeWrongOKResponse
	// SubscribeAuthenticationFailed: a SUBSCRIBE got 401 or 407 that the
	// credentials could not answer.
	SubscribeAuthenticationFailed
	// UnsubscribeTimeout: no final NOTIFY came within 30 s of Terminate,
	// or the UA stopped first.
	UnsubscribeTimeout
	// FinalNotifyReceived: a NOTIFY with Subscription-State terminated.
	FinalNotifyReceived
	// BadNotifyReceived: a NOTIFY without a valid Event or
	// Subscription-State, or with another Event, was answered 400 or 489.
	BadNotifyReceived
)

// String returns JsSIP's name of the code.
func (c SubscriberTermination) String() string {
	switch c {
	case SubscribeResponseTimeout:
		return "SUBSCRIBE_RESPONSE_TIMEOUT"
	case SubscribeTransportError:
		return "SUBSCRIBE_TRANSPORT_ERROR"
	case SubscribeNonOKResponse:
		return "SUBSCRIBE_NON_OK_RESPONSE"
	case SubscribeWrongOKResponse:
		return "SUBSCRIBE_WRONG_OK_RESPONSE"
	case SubscribeAuthenticationFailed:
		return "SUBSCRIBE_AUTHENTICATION_FAILED"
	case UnsubscribeTimeout:
		return "UNSUBSCRIBE_TIMEOUT"
	case FinalNotifyReceived:
		return "FINAL_NOTIFY_RECEIVED"
	case BadNotifyReceived:
		return "RECEIVE_BAD_NOTIFY"
	}
	return "SubscriberTermination(" + strconv.Itoa(int(c)) + ")"
}

// SubscribeOptions are the options of UA.Subscribe.
type SubscribeOptions struct {
	// Expires is the subscription interval asked for; zero means 900 s.
	// For a fetch (Expires: 0), call Terminate instead of Subscribe.
	Expires time.Duration
	// ContentType is the Content-Type of the bodies given to Subscribe
	// and Terminate; required when they are not empty.
	ContentType string
	// AllowEvents, if set, is sent as the Allow-Events header.
	AllowEvents string
	// Params are added to the Event header, such as the subscription id
	// ("id"); the event string given to Subscribe may carry them too.
	Params sip.Params
	// ExtraHeaders are added to every SUBSCRIBE, as "Name: value" lines.
	// A Contact among them replaces the UA's.
	ExtraHeaders []string
	// FromDisplayName and FromUser override the display name and the user
	// part of From; ToDisplayName sets a display name in To (JsSIP's
	// params).
	FromDisplayName, FromUser, ToDisplayName string
}

// SubscriberAcceptedEvent: the SUBSCRIBE got its first 2xx.
type SubscriberAcceptedEvent struct {
	Subscriber *Subscriber
	Response   *sip.Response
}

// NotifyEvent: a NOTIFY with a body arrived (JsSIP's "notify").
type NotifyEvent struct {
	Subscriber *Subscriber
	// Final is set when the NOTIFY ends the subscription.
	Final       bool
	Request     *sip.Request
	Body        []byte
	ContentType string
}

// SubscriberTerminatedEvent: the subscription ended.
type SubscriberTerminatedEvent struct {
	Subscriber *Subscriber
	Code       SubscriberTermination
	// Reason is the reason parameter of a final NOTIFY ("timeout",
	// "rejected", "noresource", ...), or "".
	Reason string
	// RetryAfter is the retry-after parameter of a final NOTIFY; valid
	// when HasRetryAfter is set.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// Err is the failed request's *Error (cause, response) when a
	// SUBSCRIBE failed, or nil.
	Err error
}

// subscriberHandlers are a Subscriber's event handlers, guarded by the
// UA's handler lock.
type subscriberHandlers struct {
	accepted   func(SubscriberAcceptedEvent)
	pending    func(*Subscriber)
	active     func(*Subscriber)
	notify     func(NotifyEvent)
	terminated func(SubscriberTerminatedEvent)
	fork       func(*Subscriber)
}

// subscriberConfig is what a Subscriber and its forks share; it does not
// change after UA.Subscribe.
type subscriberConfig struct {
	target                                   sip.URI
	event                                    sip.Event
	accept                                   string
	expires                                  time.Duration
	contentType                              string
	allowEvents                              string
	extra                                    []sip.Param
	hasContact                               bool
	fromDisplayName, fromUser, toDisplayName string
}

// Subscriber is the subscriber side of a subscription (RFC 6665), as
// JsSIP's Subscriber: UA.Subscribe creates it, Subscribe sends the initial
// SUBSCRIBE and later refreshes, Terminate unsubscribes. The UA refreshes
// the subscription before it expires and after a reconnection, and keeps
// the dialog while the transport reconnects.
//
// A SUBSCRIBE forked by a proxy may install several subscriptions, one
// per notifier that answers with a NOTIFY (RFC 6665 §4.1.2.4, §5.4.9).
// The first is this Subscriber's; each further one is a new Subscriber,
// announced to the OnFork handler. Without an OnFork handler, NOTIFYs from
// other forks are answered 481, which ends their subscriptions.
//
// Events are delivered in order on the UA's event goroutine. All methods
// are safe for concurrent use.
type Subscriber struct {
	ua    *UA
	cfg   *subscriberConfig
	h     subscriberHandlers
	state atomic.Int32
	id    atomic.Pointer[dialog.ID]

	// Loop state.
	// parent is the Subscriber whose SUBSCRIBE made this fork, or nil.
	parent          *Subscriber
	callID, fromTag string
	// initialSeq is the CSeq number of the initial SUBSCRIBE as last sent.
	initialSeq uint32
	d          *dialog.Dialog
	queue      []subscribeItem
	inFlight   bool
	// unsubscribing is set once Terminate was called.
	unsubscribing bool
	accepted      bool
	expiresAt     time.Time
	refresh       subTimer
	unsubTimer    subTimer
	timerN        subTimer
}

// subscribeItem is a SUBSCRIBE to send in the dialog.
type subscribeItem struct {
	expires time.Duration
	body    []byte
	done    func(error)
}

// Subscribe returns a Subscriber for event (an event package with optional
// parameters: "presence", "dialog;id=42") at target (a SIP URI or a user
// name completed with the UA's domain), accepting the body types in accept
// ("application/pidf+xml"). Nothing is sent until its Subscribe or
// Terminate method is called; set its handlers first.
func (ua *UA) Subscribe(target, event, accept string, opts *SubscribeOptions) (*Subscriber, error) {
	if opts == nil {
		opts = &SubscribeOptions{}
	}
	uri, err := ua.NormalizeTarget(target)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad target %q: %w", target, err)
	}
	ev, err := sip.ParseEvent(event)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad event %q: %w", event, err)
	}
	for _, p := range opts.Params {
		ev.Params.Set(p.Name, p.Value)
	}
	if accept == "" {
		return nil, errors.New("ringo: Subscribe needs an accept value")
	}
	if opts.Expires < 0 {
		return nil, errors.New("ringo: negative SubscribeOptions.Expires")
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad ExtraHeaders: %w", err)
	}
	cfg := &subscriberConfig{
		target:          uri,
		event:           ev,
		accept:          accept,
		expires:         opts.Expires,
		contentType:     opts.ContentType,
		allowEvents:     opts.AllowEvents,
		extra:           extra,
		fromDisplayName: opts.FromDisplayName,
		fromUser:        opts.FromUser,
		toDisplayName:   opts.ToDisplayName,
	}
	if cfg.expires == 0 {
		cfg.expires = DefaultSubscribeExpires
	}
	for _, p := range extra {
		if sip.CanonicalName(p.Name) == "Contact" {
			cfg.hasContact = true
		}
	}
	s := &Subscriber{ua: ua, cfg: cfg}
	s.state.Store(int32(SubscriptionInit))
	return s, nil
}

// State returns the subscription's state.
func (s *Subscriber) State() SubscriptionState { return SubscriptionState(s.state.Load()) }

// ID returns the identifiers of the subscription's dialog, or the zero ID
// before there is one.
func (s *Subscriber) ID() dialog.ID {
	if id := s.id.Load(); id != nil {
		return *id
	}
	return dialog.ID{}
}

// Event returns the Event header the subscription uses.
func (s *Subscriber) Event() sip.Event {
	ev := s.cfg.event
	ev.Params = ev.Params.Clone()
	return ev
}

// OnAccepted sets the handler for the first 2xx to the SUBSCRIBE.
func (s *Subscriber) OnAccepted(f func(SubscriberAcceptedEvent)) { set(s.ua, &s.h.accepted, f) }

// OnPending sets the handler for the change to pending.
func (s *Subscriber) OnPending(f func(*Subscriber)) { set(s.ua, &s.h.pending, f) }

// OnActive sets the handler for the change to active.
func (s *Subscriber) OnActive(f func(*Subscriber)) { set(s.ua, &s.h.active, f) }

// OnNotify sets the handler for each NOTIFY that has a body.
func (s *Subscriber) OnNotify(f func(NotifyEvent)) { set(s.ua, &s.h.notify, f) }

// OnTerminated sets the handler for the end of the subscription.
func (s *Subscriber) OnTerminated(f func(SubscriberTerminatedEvent)) { set(s.ua, &s.h.terminated, f) }

// OnFork sets the handler for subscriptions installed by other forks of
// the SUBSCRIBE. The new Subscriber starts with a copy of this one's
// handlers; the events of its first NOTIFY go to those.
func (s *Subscriber) OnFork(f func(*Subscriber)) { set(s.ua, &s.h.fork, f) }

// Subscribe sends the initial SUBSCRIBE, with body if not empty, or, once
// the subscription exists, a refresh. It waits for the final response:
// nil for a 2xx, or an *Error. A failure terminates the subscription.
// Calls made before the dialog exists are sent once it does.
func (s *Subscriber) Subscribe(ctx context.Context, body []byte) error {
	if len(body) > 0 && s.cfg.contentType == "" {
		return errors.New("ringo: a SUBSCRIBE body needs SubscribeOptions.ContentType")
	}
	return s.ua.await(ctx, func(done func(error)) {
		switch s.State() {
		case SubscriptionTerminated:
			done(ErrSubscriptionTerminated)
		case SubscriptionInit:
			s.sendInitial(s.cfg.expires, body, done)
		default:
			s.queue = append(s.queue, subscribeItem{expires: s.cfg.expires, body: body, done: done})
			s.pump()
		}
	})
}

// Terminate unsubscribes: a SUBSCRIBE with Expires: 0, with body if not
// empty. Before Subscribe was called, it sends a fetch instead: an
// initial SUBSCRIBE with Expires: 0 (RFC 6665 §4.4.3), whose single
// NOTIFY carries the current state. It waits for the final response to
// that SUBSCRIBE; the subscription ends with the final NOTIFY
// (FinalNotifyReceived), or 30 s later without it (UnsubscribeTimeout).
// Calling it again does nothing.
func (s *Subscriber) Terminate(ctx context.Context, body []byte) error {
	if len(body) > 0 && s.cfg.contentType == "" {
		return errors.New("ringo: a SUBSCRIBE body needs SubscribeOptions.ContentType")
	}
	return s.ua.await(ctx, func(done func(error)) {
		if s.State() == SubscriptionTerminated || s.unsubscribing {
			done(nil)
			return
		}
		s.unsubscribing = true
		s.refresh.stop()
		s.unsubTimer.start(s.ua, unsubscribeTimeout, func() { s.terminate(UnsubscribeTimeout, nil) })
		if s.State() == SubscriptionInit {
			s.sendInitial(0, body, done)
			return
		}
		s.queue = append(s.queue, subscribeItem{body: body, done: done})
		s.pump()
	})
}

func (s *Subscriber) setState(st SubscriptionState) { s.state.Store(int32(st)) }

// addHeaders adds the subscription's headers to a SUBSCRIBE.
func (s *Subscriber) addHeaders(req *sip.Request, expires time.Duration, body []byte) {
	h := req.Header()
	h.Add("Event", s.cfg.event.String())
	h.Add("Expires", seconds(expires))
	h.Add("Accept", s.cfg.accept)
	if !s.cfg.hasContact {
		h.Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
	}
	if s.cfg.allowEvents != "" {
		h.Add("Allow-Events", s.cfg.allowEvents)
	}
	addHeaders(h, s.cfg.extra)
	if len(body) > 0 {
		req.SetBody(s.cfg.contentType, body)
	}
}

// sendInitial sends the SUBSCRIBE that creates the subscription.
func (s *Subscriber) sendInitial(expires time.Duration, body []byte, done func(error)) {
	ua := s.ua
	cfg := s.cfg
	req := ua.newRequest("SUBSCRIBE", cfg.target.Clone(), "", 1)
	h := req.Header()
	from, _ := h.From()
	if cfg.fromDisplayName != "" || cfg.fromUser != "" {
		if cfg.fromDisplayName != "" {
			from.DisplayName = cfg.fromDisplayName
		}
		if cfg.fromUser != "" {
			from.URI.User = cfg.fromUser
		}
		h.Set("From", from.String())
	}
	if cfg.toDisplayName != "" {
		to, _ := h.To()
		to.DisplayName = cfg.toDisplayName
		h.Set("To", to.String())
	}
	s.callID, s.fromTag, s.initialSeq = h.CallID(), from.Tag(), 1
	s.addHeaders(req, expires, body)
	s.setState(SubscriptionNotifyWait)
	ua.subs.addInitial(initialKey{s.callID, s.fromTag}, s)
	ua.subs.addLive(s)
	s.timerN.start(ua, 64*ua.t1(), func() {
		if s.State() == SubscriptionNotifyWait {
			s.terminate(SubscribeResponseTimeout, errors.New("ringo: no NOTIFY within 64*T1 of the SUBSCRIBE"))
		}
	})
	s.inFlight = true
	ua.send(req, nil, func(req *sip.Request, resp *sip.Response, err *Error) {
		s.inFlight = false
		if cseq, cerr := req.Header().CSeq(); cerr == nil {
			s.initialSeq = cseq.Seq
			if s.d != nil {
				updateLocalSeq(s.d, req)
			}
		}
		s.response(req, resp, err)
		done(asError(err))
		s.pump()
	})
}

// t1 returns the T1 timer value.
func (ua *UA) t1() time.Duration {
	if ua.s.T1 > 0 {
		return ua.s.T1
	}
	return 500 * time.Millisecond
}

// pump sends the next queued SUBSCRIBE when the dialog exists, no
// SUBSCRIBE is in flight and the UA is connected.
func (s *Subscriber) pump() {
	if s.inFlight || s.d == nil || len(s.queue) == 0 || s.State() == SubscriptionTerminated || s.ua.sock == nil {
		return
	}
	it := s.queue[0]
	s.queue[0] = subscribeItem{}
	s.queue = s.queue[1:]
	req := s.d.NewRequest("SUBSCRIBE")
	req.Header().Add("User-Agent", s.ua.s.UserAgent)
	s.addHeaders(req, it.expires, it.body)
	s.inFlight = true
	d := s.d
	s.ua.send(req, nil, func(req *sip.Request, resp *sip.Response, err *Error) {
		s.inFlight = false
		updateLocalSeq(d, req)
		s.response(req, resp, err)
		if it.done != nil {
			it.done(asError(err))
		}
		s.pump()
	})
}

// response handles the final result of a SUBSCRIBE.
func (s *Subscriber) response(req *sip.Request, resp *sip.Response, err *Error) {
	if s.State() == SubscriptionTerminated {
		return
	}
	if err != nil {
		switch {
		case resp == nil && err.Cause == CauseRequestTimeout:
			s.terminate(SubscribeResponseTimeout, err)
		case resp == nil:
			s.terminate(SubscribeTransportError, err)
		case resp.StatusCode == 401 || resp.StatusCode == 407:
			s.terminate(SubscribeAuthenticationFailed, err)
		default:
			s.terminate(SubscribeNonOKResponse, err)
		}
		return
	}
	if s.d == nil {
		d, derr := dialog.NewUAC(req, resp)
		if derr != nil {
			s.terminate(SubscribeWrongOKResponse, &Error{Cause: CauseDialogError, StatusCode: resp.StatusCode, Reason: resp.Reason, Response: resp, Err: derr})
			return
		}
		s.setDialog(d)
	} else if to, _ := resp.Header().To(); to.Tag() == s.d.ID.RemoteTag {
		s.d.ReceiveResponse(resp)
	}
	if !s.accepted {
		s.accepted = true
		emit(s.ua, &s.h.accepted, SubscriberAcceptedEvent{Subscriber: s, Response: resp})
	}
	// RFC 6665 §3.1.1 requires Expires in a 2xx; without one, assume the
	// interval asked for (JsSIP assumes 900 s, which may be longer).
	expires, eerr := parseExpires(resp.Header(), s.cfg.expires)
	if eerr != nil {
		expires = s.cfg.expires
	}
	if expires > 0 && !s.unsubscribing {
		s.scheduleRefresh(expires)
	}
}

// setDialog makes d the subscription's dialog.
func (s *Subscriber) setDialog(d *dialog.Dialog) {
	s.d = d
	id := d.ID
	s.id.Store(&id)
	s.ua.subs.addDialog(d.ID, s)
}

// scheduleRefresh sets the refresh for a subscription granted for
// expires: as JsSIP, at a random point between half the interval and 70 s
// before its end, or 5 s before the end of an interval under 140 s.
func (s *Subscriber) scheduleRefresh(expires time.Duration) {
	s.expiresAt = s.ua.clk.Now().Add(expires)
	s.refresh.start(s.ua, subscribeRefreshDelay(expires), s.refreshDue)
}

func subscribeRefreshDelay(expires time.Duration) time.Duration {
	if expires >= 140*time.Second {
		half := expires / 2
		return half + rand.N(half-70*time.Second+1)
	}
	return max(expires-5*time.Second, expires/2)
}

func (s *Subscriber) refreshDue() {
	if s.State() == SubscriptionTerminated || s.unsubscribing {
		return
	}
	s.queue = append(s.queue, subscribeItem{expires: s.cfg.expires})
	s.pump()
}

// request handles a request in the subscription's dialog.
func (s *Subscriber) request(srv *transaction.Server, req *sip.Request) {
	if req.Method != "NOTIFY" {
		subReply(s.ua, srv, req, 405, "", nil)
		return
	}
	s.notify(srv, req)
}

// unmatchedNotify handles a NOTIFY for our SUBSCRIBE outside the dialogs
// we know: it arrived before the 2xx, or comes from another fork.
func (s *Subscriber) unmatchedNotify(srv *transaction.Server, req *sip.Request) {
	ua := s.ua
	if ev, err := req.Header().Event(); err != nil || !ev.Matches(s.cfg.event) {
		// Not for this subscription (RFC 6665 §4.1.3, §8.2.1).
		subReply(ua, srv, req, 489, "", nil)
		return
	}
	target := s
	if s.d != nil {
		if get(ua, &s.h.fork) == nil {
			// RFC 6665 §5.4.9: only one subscription wanted.
			subReply(ua, srv, req, 481, "Subscription Does Not Exist", nil)
			return
		}
		target = &Subscriber{ua: ua, cfg: s.cfg, parent: s, callID: s.callID, fromTag: s.fromTag, initialSeq: s.initialSeq, accepted: true}
		ua.handlers.mu.Lock()
		target.h = s.h
		ua.handlers.mu.Unlock()
		target.h.fork = nil
		target.setState(SubscriptionNotifyWait)
	}
	d, err := dialog.NewUAS(req, s.fromTag)
	if err != nil {
		subReply(ua, srv, req, 400, "", nil)
		return
	}
	// The NOTIFY is checked against the dialog like any later one.
	d.HasRemoteSeq = false
	d.LocalSeq = s.initialSeq
	d.Confirm()
	target.setDialog(d)
	if target != s {
		ua.subs.addLive(target)
		emit(ua, &s.h.fork, target)
	}
	target.notify(srv, req)
}

// notify handles a NOTIFY in the dialog, as JsSIP's Subscriber does.
func (s *Subscriber) notify(srv *transaction.Server, req *sip.Request) {
	ua := s.ua
	if s.State() == SubscriptionTerminated {
		subReply(ua, srv, req, 481, "Subscription Does Not Exist", nil)
		return
	}
	h := req.Header()
	ev, err := h.Event()
	if err != nil {
		subReply(ua, srv, req, 400, "Bad Event Header", nil)
		s.terminate(BadNotifyReceived, err)
		return
	}
	if !ev.Matches(s.cfg.event) {
		subReply(ua, srv, req, 489, "", nil)
		s.terminate(BadNotifyReceived, fmt.Errorf("ringo: NOTIFY for event %q in a subscription to %q", ev, s.cfg.event))
		return
	}
	ss, err := h.SubscriptionState()
	var next SubscriptionState
	if err == nil {
		switch ss.State {
		case sip.StatePending:
			next = SubscriptionPending
		case sip.StateActive:
			next = SubscriptionActive
		case sip.StateTerminated:
			next = SubscriptionTerminated
		default:
			err = fmt.Errorf("ringo: unknown subscription state %q", ss.State)
		}
	}
	if err != nil {
		subReply(ua, srv, req, 400, "Bad Subscription-State Header", nil)
		s.terminate(BadNotifyReceived, err)
		return
	}
	if err := s.d.ReceiveRequest(req); err != nil {
		if errors.Is(err, dialog.ErrCSeqOutOfOrder) {
			subReply(ua, srv, req, 500, "CSeq Out Of Order", nil)
		} else {
			subReply(ua, srv, req, 400, "", nil)
		}
		return
	}
	subReply(ua, srv, req, 200, "", nil)
	s.timerN.stop()

	prev := s.State()
	if next != SubscriptionTerminated {
		s.setState(next)
		if !s.unsubscribing {
			if exp, ok := ss.Expires(); ok {
				// A shorter interval than we thought moves the refresh
				// earlier; JsSIP allows 2 s of drift.
				expires := time.Duration(exp) * time.Second
				if s.expiresAt.IsZero() || s.expiresAt.Sub(ua.clk.Now().Add(expires)) > 2*time.Second {
					s.scheduleRefresh(expires)
				}
			} else if s.expiresAt.IsZero() && !s.refresh.running() {
				s.scheduleRefresh(s.cfg.expires)
			}
		}
	}
	switch {
	case prev != SubscriptionPending && next == SubscriptionPending:
		emit(ua, &s.h.pending, s)
	case prev != SubscriptionActive && next == SubscriptionActive:
		emit(ua, &s.h.active, s)
	}
	final := next == SubscriptionTerminated
	if body := req.Body(); len(body) > 0 {
		emit(ua, &s.h.notify, NotifyEvent{Subscriber: s, Final: final, Request: req, Body: body, ContentType: h.Get("Content-Type")})
	}
	if final {
		ev := SubscriberTerminatedEvent{Subscriber: s, Code: FinalNotifyReceived, Reason: ss.Reason()}
		if ra, ok := ss.RetryAfter(); ok {
			ev.RetryAfter, ev.HasRetryAfter = time.Duration(ra)*time.Second, true
		}
		s.end(ev)
	}
}

// terminate ends the subscription with code.
func (s *Subscriber) terminate(code SubscriberTermination, err error) {
	s.end(SubscriberTerminatedEvent{Subscriber: s, Code: code, Err: err})
}

// end ends the subscription and reports ev, once.
func (s *Subscriber) end(ev SubscriberTerminatedEvent) {
	if s.State() == SubscriptionTerminated {
		return
	}
	s.setState(SubscriptionTerminated)
	s.refresh.stop()
	s.unsubTimer.stop()
	s.timerN.stop()
	s.ua.subs.remove(s, s.d)
	if s.d != nil {
		s.d.Terminate()
	}
	for _, it := range s.queue {
		if it.done != nil {
			it.done(ErrSubscriptionTerminated)
		}
	}
	s.queue = nil
	s.ua.log.Debug("subscription terminated", "event", s.cfg.event.String(), "code", ev.Code.String(), "reason", ev.Reason)
	emit(s.ua, &s.h.terminated, ev)
}

// connected refreshes the subscription after a reconnection, so that the
// notifier learns our Contact on the new connection, and sends what
// waited for the connection.
func (s *Subscriber) connected() {
	if s.d != nil && !s.unsubscribing && !s.inFlight && len(s.queue) == 0 && s.State() != SubscriptionTerminated {
		s.queue = append(s.queue, subscribeItem{expires: s.cfg.expires})
	}
	s.pump()
}

// shutdown unsubscribes when the UA stops.
func (s *Subscriber) shutdown() {
	if s.unsubscribing || s.d == nil || s.State() == SubscriptionTerminated {
		return
	}
	s.unsubscribing = true
	s.refresh.stop()
	s.queue = append(s.queue, subscribeItem{})
	s.pump()
}

// stopped ends the subscription as the UA's loop ends.
func (s *Subscriber) stopped() { s.terminate(UnsubscribeTimeout, ErrStopped) }
