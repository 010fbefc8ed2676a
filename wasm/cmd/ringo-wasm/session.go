//go:build js && wasm

package main

import (
	"context"
	"errors"
	"strings"
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/browser"
	"github.com/ringo-sip/ringo/sip"
)

// sessHandle is a call and the ringo.js RTCSession that gets its events.
type sessHandle struct {
	a   *api
	id  int
	ua  *uaHandle
	s   *ringo.Session
	obj js.Value
}

// reinviteTimeout bounds hold, unhold and renegotiate: a re-INVITE's
// transaction ends by itself after 64*T1 (32 s).
const reinviteTimeout = 40 * time.Second

// newCallMedia makes the media of one call from the JsSIP call or answer
// options (mediaConstraints, mediaStream, pcConfig), or returns nil to let
// the UA's engine make it; media.go replaces it where there is WebRTC.
var newCallMedia = func(sh *sessHandle, opts js.Value) (media.Session, error) { return nil, nil }

func (a *api) sessionFunctions() map[string]nativeFunc {
	return map[string]nativeFunc{
		"sessAnswer":      a.sessAnswer,
		"sessTerminate":   a.sessTerminate,
		"sessHold":        func(args []js.Value) any { return a.sessReinvite(args, (*ringo.Session).Hold) },
		"sessUnhold":      func(args []js.Value) any { return a.sessReinvite(args, (*ringo.Session).Unhold) },
		"sessRenegotiate": a.sessRenegotiate,
		"sessMute":        func(args []js.Value) any { return a.sessMute(args, true) },
		"sessUnmute":      func(args []js.Value) any { return a.sessMute(args, false) },
		"sessStatus":      a.sessStatus,
		"sessSendDTMF":    a.sessSendDTMF,
		"sessSendInfo":    a.sessSendInfo,
		"sessConnection":  a.sessConnection,
		"sessRefer":       a.sessRefer,
		"referAccept":     a.referAccept,
		"referReject":     a.referReject,
	}
}

func (sh *sessHandle) emit(name string, payload js.Value) {
	call(sh.obj, "_emit", name, payload)
}

// handlers routes a call's events to its RTCSession, with JsSIP's names
// and payloads.
func (sh *sessHandle) handlers() ringo.SessionHandlers {
	end := func(name string) func(ringo.EndEvent) {
		return func(ev ringo.EndEvent) {
			sh.emit(name, jsObject("originator", string(ev.Originator), "message", messageData(ev.Message), "cause", string(ev.Cause)))
			sh.a.drop(sh.id)
		}
	}
	hold := func(name string) func(ringo.HoldEvent) {
		return func(ev ringo.HoldEvent) { sh.emit(name, jsObject("originator", string(ev.Originator))) }
	}
	mute := func(name string) func(ringo.MuteEvent) {
		return func(ev ringo.MuteEvent) { sh.emit(name, jsObject("audio", ev.Audio, "video", ev.Video)) }
	}
	return ringo.SessionHandlers{
		Progress: func(ev ringo.ProgressEvent) {
			sh.emit("progress", jsObject("originator", string(ev.Originator), "response", messageData(ev.Response)))
		},
		Accepted: func(ev ringo.AcceptedEvent) {
			sh.emit("accepted", jsObject("originator", string(ev.Originator), "response", messageData(ev.Response)))
		},
		Confirmed: func(ev ringo.ConfirmedEvent) {
			sh.emit("confirmed", jsObject("originator", string(ev.Originator), "ack", messageData(ev.ACK)))
		},
		Ended:   end("ended"),
		Failed:  end("failed"),
		Hold:    hold("hold"),
		Unhold:  hold("unhold"),
		Muted:   mute("muted"),
		Unmuted: mute("unmuted"),
		NewDTMF: func(ev ringo.DTMFEvent) {
			sh.emit("newDTMF", jsObject(
				"originator", string(ev.Originator),
				"dtmf", jsObject("tone", string(ev.Tone), "duration", ev.Duration.Milliseconds()),
				"request", messageData(ev.Request),
			))
		},
		NewRefer: sh.newRefer,
		NewInfo: func(ev ringo.InfoEvent) {
			sh.emit("newInfo", jsObject(
				"originator", string(ev.Originator),
				"info", jsObject("contentType", ev.ContentType, "body", string(ev.Body)),
				"request", messageData(ev.Request),
			))
		},
	}
}

// incomingSession hands an incoming call to ringo.js: _makeSession builds
// the RTCSession, then newRTCSession is emitted with it. The handlers are
// in place first, so no event of the call is missed.
func (a *api) incomingSession(h *uaHandle, ev ringo.NewSessionEvent) {
	sh := &sessHandle{a: a, ua: h, s: ev.Session}
	sh.id = a.add(sh)
	ev.Session.SetHandlers(sh.handlers())
	req := messageData(ev.Request)
	sh.obj = call(h.obj, "_makeSession", sh.id, "incoming", js.ValueOf(req))
	if old := a.sessionOf(ev.Replaces); old != nil {
		// JsSIP's "replaces" on the call being replaced, whose accept()
		// emits newRTCSession for the new one.
		call(old.obj, "_replaces", sh.obj, req)
		return
	}
	h.emit("newRTCSession", jsObject("originator", "remote", "session", sh.obj, "request", req))
}

// sessionOf returns the handle of a call, or nil.
func (a *api) sessionOf(s *ringo.Session) *sessHandle {
	if s == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.handles {
		if sh, ok := x.(*sessHandle); ok && sh.s == s {
			return sh
		}
	}
	return nil
}

// uaRequest(ua, method, target, options) returns an outgoing request as
// far as it is known before the UA builds it, for JsSIP's synchronous
// newRTCSession and newMessage: start line, From, To, Max-Forwards, the
// extra headers, Content-Type and body. options: displayName, userName,
// extraHeaders, contentType, body, and ids: a new Call-ID, From tag and
// CSeq 1, which uaCall then puts in the INVITE (a MESSAGE's come with its
// response). For a call the whole INVITE (Via, Contact, Allow, Supported,
// the SDP) replaces it at "sending".
func (a *api) uaRequest(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	method, target, opts := arg(args, 1).String(), arg(args, 2).String(), arg(args, 3)
	uri, err := h.ua.NormalizeTarget(target)
	if err != nil {
		return js.Global().Get("Error").New("ringo: bad target: " + err.Error())
	}
	req := sip.NewRequest(method, uri)
	hd := req.Header()
	to := sip.Address{URI: uri.Clone()}
	to.URI.Params, to.URI.Headers = nil, nil
	from := sip.Address{DisplayName: str(opts, "displayName"), URI: h.ua.URI()}
	if u := str(opts, "userName"); u != "" {
		from.URI.User = u
	}
	hd.Add("Max-Forwards", "70")
	hd.Add("To", to.String())
	if boolean(opts, "ids", false) {
		from.Params.Set("tag", sip.NewTag())
		hd.Add("From", from.String())
		hd.Add("Call-ID", sip.NewCallID())
		hd.Add("CSeq", sip.CSeq{Seq: 1, Method: method}.String())
	} else {
		hd.Add("From", from.String())
	}
	for _, line := range stringList(opts.Get("extraHeaders")) {
		if name, value, ok := strings.Cut(line, ":"); ok {
			hd.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
	if ct := str(opts, "contentType"); ct != "" {
		req.SetBody(ct, []byte(str(opts, "body")))
	}
	return messageData(req)
}

// uaCall(ua, target, options, session, request, done) places a call for the
// RTCSession that ringo.js made, with the Call-ID and From tag of request
// (uaCallRequest's); done(err, handle).
func (a *api) uaCall(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	target, opts := arg(args, 1).String(), arg(args, 2)
	sh := &sessHandle{a: a, ua: h, obj: arg(args, 3)}
	callID, fromTag := str(arg(args, 4), "call_id"), str(arg(args, 4), "from_tag")
	done := callback(arg(args, 5))
	go sh.place(opts, done, func(o *ringo.CallOptions) (*ringo.Session, error) {
		o.CallID, o.FromTag = callID, fromTag
		return h.ua.Call(h.ctx, target, o)
	})
	return nil
}

// place makes the media of an outgoing call, emits "connecting" and
// places the call with dial (UA.Call, or ReferRequest.Accept for a
// transfer); done(err, handle).
func (sh *sessHandle) place(opts js.Value, done func(error, any), dial func(*ringo.CallOptions) (*ringo.Session, error)) {
	a := sh.a
	sh.id = a.add(sh)
	m, err := callMedia(sh, opts, func(sdp string) media.Session { return &media.StaticSession{Offer: sdp} })
	if err != nil {
		a.drop(sh.id)
		sh.mediaFailed(err)
		done(err, nil)
		return
	}
	// JsSIP's "connecting": the local media is ready, the offer is next.
	call(sh.obj, "_connecting")
	s, err := dial(&ringo.CallOptions{
		Media:        m,
		Handlers:     sh.handlers(),
		Hooks:        sh.hooks(m),
		ExtraHeaders: stringList(opts.Get("extraHeaders")),
	})
	if err != nil {
		a.drop(sh.id)
		sh.mediaFailed(err)
		done(err, nil)
		return
	}
	sh.s = s
	done(nil, sh.id)
}

// hooks are the call's synchronous hooks, run on the UA loop: JsSIP's
// "sending" (the INVITE before it leaves; the listeners may change its
// body and set headers), "reinvite" and "update" (the listeners may reject
// them), and "sdp" for the application's own SDP (media/browser emits it
// itself for WebRTC media).
func (sh *sessHandle) hooks(m media.Session) ringo.SessionHooks {
	hk := ringo.SessionHooks{
		Sending: func(req *sip.Request) {
			v := call(sh.obj, "_sending", messageData(req))
			if v.Type() != js.TypeObject {
				return
			}
			hd := req.Header()
			if set := v.Get("headers"); set.Type() == js.TypeObject {
				for i := range set.Length() {
					f := set.Index(i)
					hd.Set(f.Index(0).String(), f.Index(1).String())
				}
			}
			if b := v.Get("body"); b.Type() == js.TypeString && b.String() != string(req.Body()) {
				ct := hd.Get("Content-Type")
				if ct == "" {
					ct = "application/sdp"
				}
				req.SetBody(ct, []byte(b.String()))
			}
		},
		Reinvite: func(req *sip.Request) int {
			v := call(sh.obj, "_reinvite", messageData(req))
			if v.Type() == js.TypeNumber {
				return v.Int()
			}
			return 0
		},
	}
	if _, ok := m.(*media.StaticSession); ok {
		hk.SDP = func(ev ringo.SDPEvent) string {
			v := call(sh.obj, "_sdp", string(ev.Originator), ev.Type, ev.SDP)
			if v.Type() == js.TypeString {
				return v.String()
			}
			return ev.SDP
		}
	}
	return hk
}

// callMedia makes the media of a call or an answer: the application's own
// SDP (options.sdp, Ringo's extra), or the platform's engine with the
// call's options, or nil for the UA's engine.
func callMedia(sh *sessHandle, opts js.Value, static func(string) media.Session) (media.Session, error) {
	if sdp := str(opts, "sdp"); sdp != "" {
		return static(sdp), nil
	}
	return newCallMedia(sh, opts)
}

// mediaFailed emits JsSIP's getusermediafailed when err is a getUserMedia
// failure.
func (sh *sessHandle) mediaFailed(err error) {
	if errors.Is(err, browser.ErrUserMedia) {
		sh.emit("getusermediafailed", jsObject("message", err.Error()))
	}
}

func (a *api) sessAnswer(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	opts := arg(args, 1)
	done := callback(arg(args, 2))
	go func() {
		m, err := callMedia(sh, opts, func(sdp string) media.Session { return &media.StaticSession{Answer: sdp} })
		if err != nil {
			done(err, nil)
			return
		}
		err = sh.s.Answer(context.Background(), &ringo.AnswerOptions{
			Media:        m,
			Hooks:        sh.hooks(m),
			ExtraHeaders: stringList(opts.Get("extraHeaders")),
		})
		sh.mediaFailed(err)
		done(err, nil)
	}()
	return nil
}

func (a *api) sessTerminate(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	opts := arg(args, 1)
	done := callback(arg(args, 2))
	code, _ := num(opts, "status_code")
	to := &ringo.TerminateOptions{
		StatusCode:   int(code),
		ReasonPhrase: str(opts, "reason_phrase"),
		ExtraHeaders: stringList(opts.Get("extraHeaders")),
	}
	go func() { done(sh.s.Terminate(to), nil) }()
	return nil
}

func (a *api) sessReinvite(args []js.Value, f func(*ringo.Session, context.Context) error) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	done := callback(arg(args, 1))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), reinviteTimeout)
		defer cancel()
		done(f(sh.s, ctx), nil)
	}()
	return nil
}

func (a *api) sessRenegotiate(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	iceRestart := boolean(arg(args, 1), "rtcOfferConstraints", false) || boolean(arg(args, 1), "iceRestart", false)
	done := callback(arg(args, 2))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), reinviteTimeout)
		defer cancel()
		done(sh.s.Renegotiate(ctx, iceRestart), nil)
	}()
	return nil
}

// sessMute(session, audio, video): JsSIP's mute({audio, video}).
func (a *api) sessMute(args []js.Value, mute bool) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	audio, video := arg(args, 1).Truthy(), arg(args, 2).Truthy()
	go func() {
		if mute {
			sh.s.Mute(audio, video)
		} else {
			sh.s.Unmute(audio, video)
		}
	}()
	return nil
}

// sessStatus returns what the RTCSession's getters read.
func (a *api) sessStatus(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	d := jsObject("status", 0, "start_time", nil, "end_time", nil)
	s := sh.s
	if s == nil { // the call is still making its offer
		return d
	}
	local, remote := s.IsOnHold()
	audio, video := s.IsMuted()
	d.Set("status", int(s.State()))
	d.Set("hold", jsObject("local", local, "remote", remote))
	d.Set("muted", jsObject("audio", audio, "video", video))
	if t := s.StartTime(); !t.IsZero() {
		d.Set("start_time", t.UnixMilli())
	}
	if t := s.EndTime(); !t.IsZero() {
		d.Set("end_time", t.UnixMilli())
	}
	return d
}

// sessSendDTMF(session, tones, options, done): JsSIP's options duration and
// interToneGap (ms) and transportType ("INFO", JsSIP's default, or
// "RFC2833" for RFC 4733 packets).
func (a *api) sessSendDTMF(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	tones, opts := arg(args, 1).String(), arg(args, 2)
	done := callback(arg(args, 3))
	o := &ringo.DTMFOptions{Transport: ringo.DTMFInfo}
	switch t := strings.ToUpper(str(opts, "transportType")); t {
	case "", "INFO":
	case "RFC2833", "RFC4733":
		o.Transport = ringo.DTMFRFC4733
	default:
		return js.Global().Get("Error").New("ringo: invalid transportType: " + t)
	}
	if d, ok := num(opts, "duration"); ok {
		o.Duration = time.Duration(d) * time.Millisecond
	}
	if g, ok := num(opts, "interToneGap"); ok {
		o.Gap = time.Duration(g) * time.Millisecond
	}
	go func() { done(sh.s.SendDTMF(context.Background(), tones, o), nil) }()
	return nil
}

// sessSendInfo(session, contentType, body, options, done): done(err,
// response).
func (a *api) sessSendInfo(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	ct, body := arg(args, 1).String(), arg(args, 2)
	done := callback(arg(args, 4))
	var b []byte
	if body.Type() == js.TypeString {
		b = []byte(body.String())
	}
	if ct == "" {
		return js.Global().Get("Error").New("ringo: sendInfo needs a content type")
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), reinviteTimeout)
		defer cancel()
		resp, err := sh.s.SendInfo(ctx, ct, b)
		done(err, messageData(resp))
	}()
	return nil
}

// sessConnection returns the call's RTCPeerConnection, or null where the
// media has none (an application's own SDP, a native engine).
func (a *api) sessConnection(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	if sh.s == nil {
		return nil
	}
	if pc, ok := sh.s.Media().(interface{ PeerConnection() js.Value }); ok {
		return pc.PeerConnection()
	}
	return nil
}

// sessRefer(session, target, options, subscriber, done): JsSIP's
// session.refer. options: extraHeaders, replaces (the handle of the call
// to replace). The subscriber (ringo.js's ReferSubscriber) gets
// requestSucceeded and the NOTIFYs' trying, progress, accepted and failed;
// done(err) reports a REFER that failed.
func (a *api) sessRefer(args []js.Value) any {
	sh := lookup[*sessHandle](a, arg(args, 0))
	target, opts, sub := arg(args, 1).String(), arg(args, 2), arg(args, 3)
	done := callback(arg(args, 4))
	ro := &ringo.ReferOptions{ExtraHeaders: stringList(opts.Get("extraHeaders"))}
	if r := opts.Get("replaces"); r.Type() == js.TypeNumber {
		ro.Replaces = lookup[*sessHandle](a, r).s
	}
	notify := func(name string) func(ringo.ReferNotifyEvent) {
		return func(ev ringo.ReferNotifyEvent) {
			call(sub, "_emit", name, jsObject(
				"request", messageData(ev.Request),
				"status_line", jsObject("status_code", ev.StatusCode, "reason_phrase", ev.Reason),
			))
		}
	}
	ro.Handlers = ringo.ReferHandlers{
		Trying:   notify("trying"),
		Progress: notify("progress"),
		Accepted: notify("accepted"),
		Failed:   notify("failed"),
		RequestSucceeded: func(resp *sip.Response) {
			call(sub, "_emit", "requestSucceeded", jsObject("response", messageData(resp)))
		},
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), reinviteTimeout)
		defer cancel()
		done(sh.s.Refer(ctx, target, ro), nil)
	}()
	return nil
}

// newRefer hands a REFER received in the call to ringo.js, which emits
// JsSIP's "refer"; without a listener the transfer is refused (603).
func (sh *sessHandle) newRefer(r *ringo.ReferRequest) {
	id := sh.a.add(r)
	target := r.ReferTo.URI.Clone()
	target.Headers = nil
	replaces := ""
	for _, p := range r.ReferTo.URI.Headers {
		if strings.EqualFold(p.Name, "Replaces") {
			replaces = p.Value
		}
	}
	v := call(sh.obj, "_refer", id, messageData(r.Request), target.String(), replaces)
	if !v.Truthy() {
		sh.a.drop(id)
		r.Reject(603)
	}
}

// referAccept(refer, ua, options, session, request, done): accept() of a
// "refer" event: places the call asked for, for the RTCSession that
// ringo.js made, with the Call-ID and From tag of request
// (uaCallRequest's), and reports it to the referrer by NOTIFY; done(err,
// handle).
func (a *api) referAccept(args []js.Value) any {
	ref := arg(args, 0)
	r := lookup[*ringo.ReferRequest](a, ref)
	a.drop(ref.Int())
	ua := lookup[*uaHandle](a, arg(args, 1))
	opts := arg(args, 2)
	nsh := &sessHandle{a: a, ua: ua, obj: arg(args, 3)}
	callID, fromTag := str(arg(args, 4), "call_id"), str(arg(args, 4), "from_tag")
	done := callback(arg(args, 5))
	go nsh.place(opts, done, func(o *ringo.CallOptions) (*ringo.Session, error) {
		o.CallID, o.FromTag = callID, fromTag
		return r.Accept(ua.ctx, o)
	})
	return nil
}

// referReject(refer, status_code): reject() of a "refer" event.
func (a *api) referReject(args []js.Value) any {
	ref := arg(args, 0)
	r := lookup[*ringo.ReferRequest](a, ref)
	a.drop(ref.Int())
	code, _ := num(arg(args, 1), "status_code")
	go r.Reject(int(code))
	return nil
}
