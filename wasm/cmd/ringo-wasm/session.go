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
	}
}

func (sh *sessHandle) emit(name string, payload map[string]any) {
	call(sh.obj, "_emit", name, js.ValueOf(payload))
}

// handlers routes a call's events to its RTCSession, with JsSIP's names
// and payloads.
func (sh *sessHandle) handlers() ringo.SessionHandlers {
	end := func(name string) func(ringo.EndEvent) {
		return func(ev ringo.EndEvent) {
			sh.emit(name, map[string]any{"originator": string(ev.Originator), "message": messageData(ev.Message), "cause": string(ev.Cause)})
			sh.a.drop(sh.id)
		}
	}
	hold := func(name string) func(ringo.HoldEvent) {
		return func(ev ringo.HoldEvent) { sh.emit(name, map[string]any{"originator": string(ev.Originator)}) }
	}
	mute := func(name string) func(ringo.MuteEvent) {
		return func(ev ringo.MuteEvent) { sh.emit(name, map[string]any{"audio": ev.Audio, "video": ev.Video}) }
	}
	return ringo.SessionHandlers{
		Progress: func(ev ringo.ProgressEvent) {
			sh.emit("progress", map[string]any{"originator": string(ev.Originator), "response": messageData(ev.Response)})
		},
		Accepted: func(ev ringo.AcceptedEvent) {
			sh.emit("accepted", map[string]any{"originator": string(ev.Originator), "response": messageData(ev.Response)})
		},
		Confirmed: func(ev ringo.ConfirmedEvent) {
			sh.emit("confirmed", map[string]any{"originator": string(ev.Originator), "ack": messageData(ev.ACK)})
		},
		Ended:   end("ended"),
		Failed:  end("failed"),
		Hold:    hold("hold"),
		Unhold:  hold("unhold"),
		Muted:   mute("muted"),
		Unmuted: mute("unmuted"),
		NewDTMF: func(ev ringo.DTMFEvent) {
			sh.emit("newDTMF", map[string]any{
				"originator": string(ev.Originator),
				"dtmf":       map[string]any{"tone": string(ev.Tone), "duration": ev.Duration.Milliseconds()},
				"request":    messageData(ev.Request),
			})
		},
		NewInfo: func(ev ringo.InfoEvent) {
			sh.emit("newInfo", map[string]any{
				"originator": string(ev.Originator),
				"info":       map[string]any{"contentType": ev.ContentType, "body": string(ev.Body)},
				"request":    messageData(ev.Request),
			})
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
	h.emit("newRTCSession", map[string]any{"originator": "remote", "session": sh.obj, "request": req})
}

// uaCall(ua, target, options, session, done) places a call for the
// RTCSession that ringo.js made; done(err, handle).
func (a *api) uaCall(args []js.Value) any {
	h := lookup[*uaHandle](a, arg(args, 0))
	target, opts := arg(args, 1).String(), arg(args, 2)
	sh := &sessHandle{a: a, ua: h, obj: arg(args, 3)}
	done := callback(arg(args, 4))
	go func() {
		sh.id = a.add(sh)
		m, err := callMedia(sh, opts, func(sdp string) media.Session { return &media.StaticSession{Offer: sdp} })
		if err != nil {
			a.drop(sh.id)
			done(err, nil)
			return
		}
		s, err := h.ua.Call(h.ctx, target, &ringo.CallOptions{
			Media:        m,
			Handlers:     sh.handlers(),
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
	}()
	return nil
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
		sh.emit("getusermediafailed", map[string]any{"message": err.Error()})
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
	d := map[string]any{"status": 0, "start_time": nil, "end_time": nil}
	s := sh.s
	if s == nil { // the call is still making its offer
		return d
	}
	local, remote := s.IsOnHold()
	audio, video := s.IsMuted()
	d["status"] = int(s.State())
	d["hold"] = map[string]any{"local": local, "remote": remote}
	d["muted"] = map[string]any{"audio": audio, "video": video}
	if t := s.StartTime(); !t.IsZero() {
		d["start_time"] = t.UnixMilli()
	}
	if t := s.EndTime(); !t.IsZero() {
		d["end_time"] = t.UnixMilli()
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
