//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/transport"
)

// uaHandle is a UA and the ringo.js UA object that gets its events.
type uaHandle struct {
	a      *api
	id     int
	ua     *ringo.UA
	obj    js.Value
	engine media.Engine
	// ctx ends when the application stops the UA, so that a Start still
	// waiting for the first connection gives up.
	ctx    context.Context
	cancel context.CancelFunc
}

// stopTimeout bounds ua.stop(): the unregistration and the wait for open
// transactions.
const stopTimeout = 5 * time.Second

// newMediaEngine makes the media engine for a UA from its configuration;
// media.go replaces it where the platform has WebRTC.
var newMediaEngine = func(a *api, config js.Value) (media.Engine, error) { return nil, nil }

func (a *api) uaFunctions() map[string]nativeFunc {
	return map[string]nativeFunc{
		"uaNew":             a.uaNew,
		"uaStart":           a.uaStart,
		"uaStop":            a.uaStop,
		"uaRegister":        a.uaRegister,
		"uaUnregister":      a.uaUnregister,
		"uaIsRegistered":    func(args []js.Value) any { return lookup[*uaHandle](a, arg(args, 0)).ua.IsRegistered() },
		"uaIsConnected":     func(args []js.Value) any { return lookup[*uaHandle](a, arg(args, 0)).ua.IsConnected() },
		"uaSendMessage":     a.uaSendMessage,
		"uaSendOptions":     a.uaSendOptions,
		"uaNormalizeTarget": a.uaNormalizeTarget,
		"uaWantExpiring":    a.uaWantExpiring,
		"uaCall":            a.uaCall,
		"uaRequest":         a.uaRequest,
	}
}

// config reads JsSIP's configuration object.
func (a *api) config(c js.Value) (ringo.Config, error) {
	var cfg ringo.Config
	if c.Type() != js.TypeObject {
		return cfg, errors.New("configuration: an object is required")
	}
	socks := c.Get("sockets")
	if socks.Type() == js.TypeObject && !js.Global().Get("Array").Call("isArray", socks).Bool() {
		socks = js.ValueOf([]any{socks})
	}
	if socks.Type() != js.TypeObject || socks.Length() == 0 {
		return cfg, errors.New(`configuration: "sockets" is required`)
	}
	for i := range socks.Length() {
		s, weight := socks.Index(i), 0
		if inner := s.Get("socket"); inner.Type() == js.TypeObject {
			if w, ok := num(s, "weight"); ok {
				weight = int(w)
			}
			s = inner
		}
		url := str(s, "url")
		if url == "" {
			return cfg, fmt.Errorf(`configuration: sockets[%d] is not a WebSocketInterface`, i)
		}
		ws, err := transport.NewWebSocket(url, nil)
		if err != nil {
			return cfg, fmt.Errorf("configuration: sockets[%d]: %w", i, err)
		}
		cfg.Sockets = append(cfg.Sockets, transport.WeightedSocket{Socket: ws, Weight: weight})
	}
	cfg.URI = str(c, "uri")
	cfg.Password = str(c, "password")
	cfg.AuthorizationUser = str(c, "authorization_user")
	cfg.HA1 = str(c, "ha1")
	cfg.Realm = str(c, "realm")
	cfg.DisplayName = str(c, "display_name")
	cfg.ContactURI = str(c, "contact_uri")
	cfg.ViaHost = str(c, "via_host")
	cfg.InstanceID = str(c, "instance_id")
	cfg.RegistrarServer = str(c, "registrar_server")
	cfg.UserAgent = str(c, "user_agent")
	cfg.ManualRegister = !boolean(c, "register", true)
	cfg.NoSessionTimers = !boolean(c, "session_timers", true)
	cfg.UsePreloadedRoute = boolean(c, "use_preloaded_route", false)
	seconds := func(key string) time.Duration {
		v, _ := num(c, key)
		return time.Duration(v * float64(time.Second))
	}
	cfg.RegisterExpires = seconds("register_expires")
	cfg.NoAnswerTimeout = seconds("no_answer_timeout")
	cfg.ConnectionRecoveryMin = seconds("connection_recovery_min_interval")
	cfg.ConnectionRecoveryMax = seconds("connection_recovery_max_interval")
	if v, ok := num(c, "register_retry_max"); ok && v < 0 {
		cfg.RegisterRetryMax = -1
	} else {
		cfg.RegisterRetryMax = seconds("register_retry_max")
	}
	cfg.Logger = a.log
	eng, err := newMediaEngine(a, c)
	if err != nil {
		return cfg, err
	}
	cfg.MediaEngine = eng
	return cfg, nil
}

// uaNew(config, uaObject) makes a UA and returns its handle.
func (a *api) uaNew(args []js.Value) any {
	if js.Global().Get("WebSocket").Type() != js.TypeFunction {
		return js.Global().Get("Error").New("ringo: no WebSocket class: in Node.js, install the ws package (npm install ws)")
	}
	cfg, err := a.config(arg(args, 0))
	if err != nil {
		return js.Global().Get("Error").New("ringo: " + err.Error())
	}
	ua, err := ringo.NewUA(cfg)
	if err != nil {
		return js.Global().Get("Error").New(err.Error())
	}
	h := &uaHandle{a: a, ua: ua, obj: arg(args, 1), engine: cfg.MediaEngine}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.id = a.add(h)
	h.listen()
	return h.id
}

func (h *uaHandle) emit(name string, payload js.Value) {
	call(h.obj, "_emit", name, payload)
}

// listen routes the UA's events to the ringo.js object.
func (h *uaHandle) listen() {
	ua := h.ua
	ua.OnConnecting(func(ev ringo.ConnectingEvent) {
		h.emit("connecting", jsObject("socket", socketData(ev.Socket), "attempts", ev.Attempt))
	})
	ua.OnConnected(func(ev ringo.ConnectedEvent) {
		h.emit("connected", jsObject("socket", socketData(ev.Socket)))
	})
	ua.OnDisconnected(func(ev ringo.DisconnectedEvent) {
		p := jsObject("socket", socketData(ev.Socket), "error", ev.Err != nil, "code", ev.Code, "reason", ev.Reason)
		if ev.Err != nil {
			p.Set("message", ev.Err.Error())
		}
		h.emit("disconnected", p)
	})
	ua.OnRegistered(func(ev ringo.RegisteredEvent) {
		h.emit("registered", jsObject("response", messageData(ev.Response), "expires", ev.Expires))
	})
	ua.OnUnregistered(func(ev ringo.UnregisteredEvent) {
		p := jsObject("response", messageData(ev.Response))
		if ev.Cause != "" {
			p.Set("cause", string(ev.Cause))
		}
		h.emit("unregistered", p)
	})
	ua.OnRegistrationFailed(func(ev ringo.RegistrationFailedEvent) {
		p := jsObject("cause", string(ringo.CauseConnectionError), "response", nil)
		if ev.Err != nil {
			p.Set("cause", string(ev.Err.Cause))
			if ev.Err.Response != nil {
				p.Set("response", messageData(ev.Err.Response))
			}
		}
		h.emit("registrationFailed", p)
	})
	ua.OnNewMessage(func(r *ringo.IncomingRequest) { h.incoming("newMessage", r) })
	ua.OnNewOptions(func(r *ringo.IncomingRequest) { h.incoming("newOptions", r) })
	ua.OnNewSession(func(ev ringo.NewSessionEvent) {
		// ringo.js announces outgoing calls itself, inside ua.call(), as
		// JsSIP does.
		if ev.Originator == ringo.Remote {
			h.a.incomingSession(h, ev)
		}
	})
	h.listenSubscriptions()
}

func socketData(s transport.Socket) js.Value {
	d := jsObject("via_transport", s.ViaTransport(), "uri", s.URI().String())
	if ws, ok := s.(*transport.WebSocket); ok {
		d.Set("url", ws.URL())
	}
	return d
}

// incoming hands a MESSAGE or OPTIONS to ringo.js, whose handlers may call
// message.accept() or reject() while they run: those record the answer in
// the object's _reply, which is sent here once the handlers have returned.
// Without one, the UA answers 200, as JsSIP does.
func (h *uaHandle) incoming(event string, r *ringo.IncomingRequest) {
	msg := call(h.obj, "_incoming", event, jsObject(
		"originator", "remote",
		"request", messageData(r.Request),
	))
	if msg.Type() != js.TypeObject {
		return
	}
	reply := msg.Get("_reply")
	if reply.Type() != js.TypeObject {
		return
	}
	code, _ := num(reply, "status_code")
	err := r.Respond(int(code), str(reply, "reason_phrase"), stringList(reply.Get("extraHeaders"))...)
	if err != nil {
		h.a.log.Warn("answer to incoming request failed", "method", r.Request.Method, "err", err)
	}
}

func (a *api) uaStart(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	done := callback(arg(args, 1))
	go func() { done(h.ua.Start(h.ctx), nil) }()
	return nil
}

func (a *api) uaStop(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	done := callback(arg(args, 1))
	h.cancel()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		err := h.ua.Stop(ctx)
		a.drop(h.id)
		done(err, nil)
	}()
	return nil
}

func (a *api) uaRegister(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	done := callback(arg(args, 1))
	go func() { done(h.ua.Register(h.ctx), nil) }()
	return nil
}

func (a *api) uaUnregister(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	all := arg(args, 1).Truthy()
	done := callback(arg(args, 2))
	go func() { done(h.ua.Unregister(h.ctx, all), nil) }()
	return nil
}

// uaWantExpiring(ua, on): ringo.js has (or no longer has) a listener for
// registrationExpiring, which then refreshes the registration itself.
func (a *api) uaWantExpiring(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	if arg(args, 1).Truthy() {
		h.ua.OnRegistrationExpiring(func(ringo.RegistrationExpiringEvent) {
			h.emit("registrationExpiring", jsObject())
		})
	} else {
		h.ua.OnRegistrationExpiring(nil)
	}
	return nil
}

// messageOptions reads JsSIP's sendMessage/sendOptions options.
func messageOptions(o js.Value) *ringo.MessageOptions {
	opts := &ringo.MessageOptions{
		ContentType:  str(o, "contentType"),
		ExtraHeaders: stringList(o.Get("extraHeaders")),
	}
	if from := o.Get("fromDisplayName"); from.Type() == js.TypeString {
		opts.FromDisplayName = from.String()
	}
	if from := o.Get("fromUserName"); from.Type() == js.TypeString {
		opts.FromUser = from.String()
	}
	return opts
}

// uaSendMessage(ua, target, body, options, done): done(err, response).
func (a *api) uaSendMessage(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	target, body := arg(args, 1).String(), arg(args, 2).String()
	opts := messageOptions(arg(args, 3))
	done := callback(arg(args, 4))
	go func() {
		resp, err := h.ua.SendMessage(h.ctx, target, body, opts)
		done(err, messageData(resp))
	}()
	return nil
}

// uaSendOptions(ua, target, body, options, done): done(err, response).
func (a *api) uaSendOptions(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	target := arg(args, 1).String()
	opts := messageOptions(arg(args, 3))
	done := callback(arg(args, 4))
	go func() {
		resp, err := h.ua.SendOptions(h.ctx, target, opts)
		done(err, messageData(resp))
	}()
	return nil
}

// uaNormalizeTarget(ua, target) returns the URI as a string, or null.
func (a *api) uaNormalizeTarget(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	u, err := h.ua.NormalizeTarget(arg(args, 1).String())
	if err != nil {
		return nil
	}
	return u.String()
}
