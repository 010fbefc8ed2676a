//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/sip"
)

// subscriptionTimeout bounds a SUBSCRIBE or NOTIFY transaction and its
// authentication round.
const subscriptionTimeout = 64 * time.Second

// subHandle is a Subscriber and its ringo.js Subscriber.
type subHandle struct {
	s   *ringo.Subscriber
	obj js.Value
}

// ntfHandle is a Notifier and its ringo.js Notifier.
type ntfHandle struct {
	n   *ringo.Notifier
	obj js.Value
}

func (a *api) subscriptionFunctions() map[string]nativeFunc {
	return map[string]nativeFunc{
		"uaSubscribe":  a.uaSubscribe,
		"subSubscribe": a.subSubscribe,
		"subTerminate": a.subTerminate,
		"subState":     func(args []js.Value) any { return subState(lookup[*subHandle](a, arg(args, 0)).s) },
		"uaNotify":     a.uaNotify,
		"ntfStart":     a.ntfStart,
		"ntfNotify":    a.ntfNotify,
		"ntfTerminate": a.ntfTerminate,
		"ntfActive": func(args []js.Value) any {
			if err := lookup[*ntfHandle](a, arg(args, 0)).n.SetActiveState(); err != nil {
				return js.Global().Get("Error").New(err.Error())
			}
			return nil
		},
		"ntfState": func(args []js.Value) any {
			n := lookup[*ntfHandle](a, arg(args, 0)).n
			return jsObject("state", int(n.State()), "id", n.ID().String())
		},
	}
}

func subState(s *ringo.Subscriber) any {
	return jsObject("state", int(s.State()), "id", s.ID().String())
}

// emitArgs calls obj._emitArgs(name, ...args): JsSIP's Subscriber and
// Notifier emit their events with positional arguments.
func emitArgs(obj js.Value, name string, args ...any) {
	call(obj, "_emitArgs", append([]any{name}, args...)...)
}

func body(v js.Value) []byte {
	if v.Type() == js.TypeString {
		return []byte(v.String())
	}
	return nil
}

// listenSubscriptions routes incoming SUBSCRIBEs and out-of-dialog NOTIFYs.
func (h *uaHandle) listenSubscriptions() {
	a := h.a
	h.ua.OnNewSubscribe(func(r *ringo.IncomingSubscribe) {
		// The handle lives while the handlers run: ua.notify() must be
		// called from a newSubscribe listener, as in JsSIP, or the UA
		// answers 489.
		id := a.add(r)
		defer a.drop(id)
		h.emit("newSubscribe", jsObject(
			"event", jsObject("event", r.Event.Type, "params", paramsData(r.Event.Params)),
			"request", messageData(r.Request),
			"subscribe_id", id,
		))
	})
	h.ua.OnSIPEvent(func(ev *ringo.SIPEvent) {
		h.emit("sipEvent", jsObject(
			"event", jsObject("event", ev.Event.Type, "params", paramsData(ev.Event.Params)),
			"request", messageData(ev.Request),
		))
	})
}

// uaSubscribe(ua, target, event, accept, options, subscriber) returns the
// Subscriber's handle; nothing is sent yet.
func (a *api) uaSubscribe(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	opts, obj := arg(args, 4), arg(args, 5)
	o := &ringo.SubscribeOptions{
		ContentType:  str(opts, "contentType"),
		AllowEvents:  str(opts, "allowEvents"),
		ExtraHeaders: stringList(opts.Get("extraHeaders")),
	}
	if e, ok := num(opts, "expires"); ok {
		o.Expires = time.Duration(e) * time.Second
	}
	if p := opts.Get("params"); p.Type() == js.TypeObject {
		o.FromDisplayName = str(p, "from_display_name")
		o.ToDisplayName = str(p, "to_display_name")
		if u := str(p, "from_uri"); u != "" {
			if uri, err := sip.ParseURI(u); err == nil {
				o.FromUser = uri.User
			}
		}
	}
	s, err := h.ua.Subscribe(arg(args, 1).String(), arg(args, 2).String(), arg(args, 3).String(), o)
	if err != nil {
		return js.Global().Get("Error").New(err.Error())
	}
	sh := &subHandle{s: s, obj: obj}
	id := a.add(sh)
	s.OnAccepted(func(ev ringo.SubscriberAcceptedEvent) { emitArgs(obj, "accepted", messageData(ev.Response)) })
	s.OnPending(func(*ringo.Subscriber) { emitArgs(obj, "pending") })
	s.OnActive(func(*ringo.Subscriber) { emitArgs(obj, "active") })
	s.OnNotify(func(ev ringo.NotifyEvent) {
		emitArgs(obj, "notify", ev.Final, messageData(ev.Request), string(ev.Body), ev.ContentType)
	})
	s.OnTerminated(func(ev ringo.SubscriberTerminatedEvent) {
		var retry any
		if ev.HasRetryAfter {
			retry = int(ev.RetryAfter / time.Second)
		}
		var reason any
		if ev.Reason != "" {
			reason = ev.Reason
		}
		emitArgs(obj, "terminated", int(ev.Code), reason, retry)
		a.drop(id)
	})
	return id
}

func (a *api) subSubscribe(args []js.Value) any {
	sh := lookup[*subHandle](a, arg(args, 0))
	b, done := body(arg(args, 1)), callback(arg(args, 2))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscriptionTimeout)
		defer cancel()
		done(sh.s.Subscribe(ctx, b), nil)
	}()
	return nil
}

func (a *api) subTerminate(args []js.Value) any {
	sh := lookup[*subHandle](a, arg(args, 0))
	b, done := body(arg(args, 1)), callback(arg(args, 2))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscriptionTimeout)
		defer cancel()
		done(sh.s.Terminate(ctx, b), nil)
	}()
	return nil
}

// uaNotify(ua, subscribe, contentType, options, notifier) returns the
// Notifier's handle.
func (a *api) uaNotify(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	r := lookup[*ringo.IncomingSubscribe](a, arg(args, 1))
	opts, obj := arg(args, 3), arg(args, 4)
	o := &ringo.NotifierOptions{
		Pending:      boolean(opts, "pending", false),
		AllowEvents:  str(opts, "allowEvents"),
		ExtraHeaders: stringList(opts.Get("extraHeaders")),
	}
	if e, ok := num(opts, "defaultExpires"); ok {
		o.DefaultExpires = time.Duration(e) * time.Second
	}
	n, err := h.ua.Notify(r, arg(args, 2).String(), o)
	if err != nil {
		return js.Global().Get("Error").New(err.Error())
	}
	id := a.add(&ntfHandle{n: n, obj: obj})
	n.OnSubscribe(func(ev ringo.NotifierSubscribeEvent) {
		emitArgs(obj, "subscribe", ev.Unsubscribe, messageData(ev.Request), string(ev.Body), ev.ContentType)
	})
	n.OnExpired(func(*ringo.Notifier) { emitArgs(obj, "expired") })
	n.OnTerminated(func(ev ringo.NotifierTerminatedEvent) {
		emitArgs(obj, "terminated", int(ev.Code))
		a.drop(id)
	})
	return id
}

func (a *api) ntfStart(args []js.Value) any {
	nh := lookup[*ntfHandle](a, arg(args, 0))
	b, done := body(arg(args, 1)), callback(arg(args, 2))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscriptionTimeout)
		defer cancel()
		done(nh.n.Start(ctx, b), nil)
	}()
	return nil
}

func (a *api) ntfNotify(args []js.Value) any {
	nh := lookup[*ntfHandle](a, arg(args, 0))
	b, done := body(arg(args, 1)), callback(arg(args, 2))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscriptionTimeout)
		defer cancel()
		done(nh.n.Notify(ctx, b), nil)
	}()
	return nil
}

// ntfTerminate(notifier, body, reason, retryAfter, done).
func (a *api) ntfTerminate(args []js.Value) any {
	nh := lookup[*ntfHandle](a, arg(args, 0))
	b := body(arg(args, 1))
	reason := ""
	if r := arg(args, 2); r.Type() == js.TypeString {
		reason = r.String()
	}
	var retry time.Duration
	if r := arg(args, 3); r.Type() == js.TypeNumber {
		retry = time.Duration(r.Float() * float64(time.Second))
	}
	done := callback(arg(args, 4))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscriptionTimeout)
		defer cancel()
		done(nh.n.Terminate(ctx, b, reason, retry), nil)
	}()
	return nil
}
