package ringo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// incomingInvite starts an incoming call (an INVITE without To tag).
func (ua *UA) incomingInvite(srv *transaction.Server, req *sip.Request) {
	reply := func(code int, headers ...sip.Param) {
		resp := sip.NewResponse(req, code, "")
		for _, p := range headers {
			resp.Header().Add(p.Name, p.Value)
		}
		srv.Respond(resp)
	}
	if len(req.Body()) > 0 {
		ct, err := req.Header().ContentType()
		if err != nil || !ct.Is("application/sdp") {
			reply(415, sip.Param{Name: "Accept", Value: "application/sdp"})
			return
		}
	}
	handler := get(ua, &ua.handlers.newSession)
	if handler == nil {
		reply(480)
		return
	}
	replaced, ok := ua.replacedSession(req, reply)
	if !ok {
		return
	}
	if ua.checkSessionExpires(srv, req) {
		return
	}
	var m media.Session
	if ua.s.MediaEngine != nil {
		var err error
		if m, err = ua.s.MediaEngine.NewSession(context.Background()); err != nil {
			ua.log.Info("media session for an incoming call failed", "err", err)
			reply(500)
			return
		}
	}
	s := ua.newSession(Remote, m)
	s.invite = req
	s.srv = srv
	s.localTag = sip.NewTag()
	s.remote, _ = req.Header().From()
	s.offerInACK = len(req.Body()) == 0
	s.replaces = replaced
	s.setState(StateWaitingForAnswer)
	if ua.invites == nil {
		ua.invites = make(map[*transaction.Server]*Session)
	}
	ua.invites[srv] = s
	if id, err := dialog.IncomingID(req); err == nil {
		id.LocalTag = s.localTag
		ua.rememberSession(id, s)
	}
	srv.SetHandler(transaction.ServerFuncs{
		ACK:   s.receiveACK,
		Error: s.serverError,
	})
	s.noteAllow(req.Header())
	// JsSIP sends 180 Ringing at once; so does Ringo, reliably when the
	// caller requires it (RFC 3262).
	var ringing *sip.Response
	if req.Header().HasToken("Require", "100rel") {
		ringing = s.reliableRinging()
	} else {
		ringing = s.respond(180, "", nil, nil)
	}
	emit(ua, &ua.handlers.newSession, NewSessionEvent{Originator: Remote, Session: s, Request: req, Replaces: replaced})
	s.emit(func(h *SessionHandlers) {
		if h.Progress != nil {
			h.Progress(ProgressEvent{Originator: Local, Response: ringing})
		}
	})
	s.after(ua.s.NoAnswerTimeout, func() {
		if st := s.State(); st == StateWaitingForAnswer {
			s.respond(408, "", nil, nil)
			s.finish(true, EndEvent{Originator: System, Cause: CauseNoAnswer})
		}
	})
	if exp, err := req.Header().Expires(); err == nil {
		s.after(time.Duration(exp)*time.Second, func() {
			if st := s.State(); st == StateWaitingForAnswer {
				s.respond(487, "", nil, nil)
				s.finish(true, EndEvent{Originator: System, Cause: CauseExpires})
			}
		})
	}
}

// AnswerOptions are the options of Session.Answer.
type AnswerOptions struct {
	// ExtraHeaders are added to the 200, as "Name: value" lines.
	ExtraHeaders []string
	// Media replaces the media session the UA's engine made (or supplies
	// one when Config.MediaEngine is nil).
	Media media.Session
	// Hooks run synchronously during negotiation (edit SDP, vet
	// re-INVITEs).
	Hooks SessionHooks
}

// Answer accepts an incoming call: it builds the SDP answer (or an offer,
// for an INVITE without one) and sends 200, then waits for the ACK, which
// confirms the call. It returns once the 200 is sent.
func (s *Session) Answer(ctx context.Context, opts *AnswerOptions) error {
	if opts == nil {
		opts = &AnswerOptions{}
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return err
	}
	if s.originator != Remote {
		return errors.New("ringo: only an incoming call can be answered")
	}
	if !s.stateSwap(StateWaitingForAnswer, StateAnswered) {
		return errWrongState("answer", s.State())
	}
	// The media and hooks are loop state: a CANCEL handled on the loop
	// while the answer is being built closes the media it finds there.
	var m, old media.Session
	ended := false
	if err := s.ua.do(ctx, func() {
		if ended = s.IsEnded(); ended {
			return
		}
		if opts.Media != nil {
			old = s.media
			s.media = opts.Media
			s.media.OnDTMF(func(ev media.DTMFEvent) {
				s.emit(func(h *SessionHandlers) {
					if h.NewDTMF != nil {
						h.NewDTMF(DTMFEvent{Originator: Remote, Tone: ev.Tone, Duration: ev.Duration})
					}
				})
			})
		}
		s.media = withSDPHook(s.media, opts.Hooks.SDP)
		s.hooks = opts.Hooks
		m = s.media
	}); err != nil {
		return err
	}
	if old != nil {
		old.Close()
	}
	if ended {
		if opts.Media != nil {
			opts.Media.Close()
		}
		return errSessionEnded
	}
	if m == nil {
		s.ua.do(ctx, func() {
			s.respond(500, "No Media", nil, nil)
			s.finish(true, EndEvent{Originator: Local, Cause: CauseWebRTCError})
		})
		return errors.New("ringo: no media: set Config.MediaEngine or AnswerOptions.Media")
	}
	var sdp string
	if s.offerInACK {
		sdp, err = m.CreateOffer(ctx, media.OfferOptions{})
	} else {
		sdp, err = m.CreateAnswer(ctx, string(s.invite.Body()))
	}
	if err != nil {
		if s.IsEnded() {
			// Cancelled meanwhile: the media was closed under us.
			return fmt.Errorf("ringo: answer: %w", errSessionEnded)
		}
		cause, code := CauseWebRTCError, 500
		if errors.Is(err, media.ErrIncompatibleSDP) {
			cause, code = CauseIncompatibleSDP, 488
		}
		s.ua.do(context.Background(), func() {
			s.respond(code, "", nil, nil)
			s.finish(true, EndEvent{Originator: Local, Cause: cause})
		})
		return fmt.Errorf("ringo: answer: %w", err)
	}
	err = s.ua.do(ctx, func() {
		if ended = s.IsEnded(); ended {
			return
		}
		s.unacked = nil
		extra = append(extra, s.uasSessionTimer(s.invite)...)
		resp := s.respond(200, "", extra, []byte(sdp))
		s.answer = resp
		d, err := dialog.NewUAS(s.invite, s.localTag)
		if err != nil {
			s.ua.log.Info("incoming INVITE cannot make a dialog", "err", err)
			return
		}
		s.dlg = d
		s.ua.rememberSession(d.ID, s)
		now := s.ua.clk.Now()
		s.start.Store(&now)
		s.setState(StateWaitingForACK)
		s.emit(func(h *SessionHandlers) {
			if h.Accepted != nil {
				h.Accepted(AcceptedEvent{Originator: Local, Response: resp})
			}
		})
	})
	if err == nil && ended {
		return errSessionEnded
	}
	return err
}

// stateSwap moves from one state to another if the call is in the first.
func (s *Session) stateSwap(from, to SessionState) bool {
	return s.stateV.CompareAndSwap(int32(from), int32(to))
}

// receiveACK confirms an answered incoming call.
func (s *Session) receiveACK(_ *transaction.Server, ack *sip.Request) {
	if s.State() != StateWaitingForACK {
		return
	}
	if s.dlg != nil {
		s.dlg.Confirm()
	}
	s.setState(StateConfirmed)
	confirm := func() {
		s.emit(func(h *SessionHandlers) {
			if h.Confirmed != nil {
				h.Confirmed(ConfirmedEvent{Originator: Remote, ACK: ack})
			}
		})
		s.endReplaced()
		if s.byeOnACK != nil {
			ev := *s.byeOnACK
			s.sendBye(&TerminateOptions{}, nil)
			s.finish(false, ev)
		}
	}
	if s.offerInACK {
		if len(ack.Body()) == 0 {
			s.sendBye(&TerminateOptions{StatusCode: 400, ReasonPhrase: "Missing SDP"}, nil)
			s.finish(false, EndEvent{Originator: Local, Cause: CauseMissingSDP})
			return
		}
		sdp := string(ack.Body())
		s.mediaDo(func() error { return s.media.SetRemoteAnswer(sdp) }, func(err error) {
			if err != nil {
				s.sendBye(&TerminateOptions{StatusCode: 488}, nil)
				s.finish(false, EndEvent{Originator: Local, Cause: CauseBadMediaDescription})
				return
			}
			confirm()
		})
		return
	}
	confirm()
}

// serverError handles the failure of the INVITE server transaction: no
// ACK for our 2xx (RFC 3261 §13.3.1.4: end the call with BYE).
func (s *Session) serverError(_ *transaction.Server, err error) {
	if s.IsEnded() {
		return
	}
	if errors.Is(err, transaction.ErrNoACK) && s.dlg != nil {
		s.dlg.Confirm()
		s.sendBye(&TerminateOptions{}, nil)
		s.finish(false, EndEvent{Originator: System, Cause: CauseNoACK})
		return
	}
	s.finish(true, EndEvent{Originator: System, Cause: CauseConnectionError})
}

// cancelled handles a CANCEL for an incoming call not yet answered.
func (s *Session) receiveCancel(cancel *sip.Request) {
	if st := s.State(); st != StateWaitingForAnswer && st != StateAnswered {
		return
	}
	s.respond(487, "", nil, nil)
	s.finish(true, EndEvent{Originator: Remote, Message: cancel, Cause: CauseCanceled})
}

// inDialog handles a request within one of the call's dialogs.
func (s *Session) inDialog(srv *transaction.Server, req *sip.Request) {
	reply := func(code int, body []byte, headers ...sip.Param) *sip.Response {
		resp := sip.NewResponse(req, code, "")
		resp.SetToTag(s.localTagOf())
		for _, p := range headers {
			resp.Header().Add(p.Name, p.Value)
		}
		if body != nil {
			resp.Header().Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
			resp.SetBody("application/sdp", body)
		}
		srv.Respond(resp)
		return resp
	}
	if s.dlg != nil {
		if err := s.dlg.ReceiveRequest(req); err != nil {
			if errors.Is(err, dialog.ErrCSeqOutOfOrder) {
				reply(500, nil)
				return
			}
		}
	}
	switch req.Method {
	case "BYE":
		reply(200, nil)
		if st := s.State(); st == StateConfirmed || st == StateWaitingForACK || st == State1xxReceived || st == StateInviteSent {
			s.finish(false, EndEvent{Originator: Remote, Message: req, Cause: CauseBye})
		}
	case "INFO":
		s.receiveInfo(req, func(code int) { reply(code, nil) })
	case "INVITE", "UPDATE":
		s.receiveReinvite(srv, req, reply)
	case "PRACK":
		s.receivePrack(req, reply)
	case "REFER":
		s.receiveRefer(req, func(code int) { reply(code, nil) })
	case "NOTIFY":
		s.receiveReferNotify(req, func(code int) { reply(code, nil) })
	case "OPTIONS":
		resp := sip.NewResponse(req, 200, "")
		s.ua.addCapabilities(resp.Header())
		srv.Respond(resp)
	case "ACK":
		// An ACK without a transaction: for a 2xx after Timer L, ignored.
	default:
		reply(405, nil, sip.Param{Name: "Allow", Value: allowHeader})
	}
}

func (s *Session) localTagOf() string {
	if s.dlg != nil {
		return s.dlg.ID.LocalTag
	}
	return s.localTag
}

// receiveInfo handles INFO: DTMF relay (application/dtmf-relay) or other
// content for the application.
func (s *Session) receiveInfo(req *sip.Request, reply func(int)) {
	ct, _ := req.Header().ContentType()
	if ct.Is("application/dtmf-relay") {
		tone, dur, ok := parseDTMFRelay(string(req.Body()))
		if !ok {
			reply(400)
			return
		}
		reply(200)
		s.emit(func(h *SessionHandlers) {
			if h.NewDTMF != nil {
				h.NewDTMF(DTMFEvent{Originator: Remote, Tone: tone, Duration: dur, Request: req})
			}
		})
		return
	}
	reply(200)
	s.emit(func(h *SessionHandlers) {
		if h.NewInfo != nil {
			h.NewInfo(InfoEvent{Originator: Remote, ContentType: req.Header().Get("Content-Type"), Body: req.Body(), Request: req})
		}
	})
}

// receiveReinvite handles a re-INVITE: glare gets 491; an offer is
// answered by the media, and a change of the remote direction is reported
// as hold or unhold.
func (s *Session) receiveReinvite(srv *transaction.Server, req *sip.Request, reply func(int, []byte, ...sip.Param) *sip.Response) {
	if req.Method == "UPDATE" && len(req.Body()) == 0 {
		// A session refresh (RFC 4028) or a target refresh.
		reply(200, nil, s.uasSessionTimer(req)...)
		return
	}
	if s.reinviting || s.State() != StateConfirmed {
		reply(491, nil)
		return
	}
	if s.hooks.Reinvite != nil {
		if code := s.hooks.Reinvite(req); code >= 400 && code <= 699 {
			reply(code, nil)
			return
		}
	}
	if len(req.Body()) == 0 {
		// An offer-less re-INVITE: offer in the 200, answer in the ACK.
		// Rare in practice; answered with the current direction.
		s.mediaDo(func() error { return nil }, func(error) { reply(488, nil) })
		return
	}
	offer := string(req.Body())
	held := isHoldDirection(media.RemoteDirection(offer))
	var answer string
	s.reinviting = true
	s.mediaDo(func() (err error) {
		// The answer asks for what our own hold allows and the offer
		// narrows it (RFC 3264 §6.1): a recvonly left from our last offer,
		// made while the peer held the call, must not outlive that hold.
		local := s.localHold.Load()
		s.media.SetDirection(holdDirection(local, false))
		answer, err = s.media.CreateAnswer(context.Background(), offer)
		s.media.SetDirection(holdDirection(local, held))
		return err
	}, func(err error) {
		s.reinviting = false
		if err != nil {
			reply(488, nil)
			return
		}
		reply(200, []byte(answer), s.uasSessionTimer(req)...)
		if held != s.remoteHld.Load() {
			s.remoteHld.Store(held)
			s.emit(func(h *SessionHandlers) {
				f := h.Unhold
				if held {
					f = h.Hold
				}
				if f != nil {
					f(HoldEvent{Originator: Remote})
				}
			})
		}
	})
}

// holdDirection is the direction we offer given who holds the call.
func holdDirection(localHold, remoteHold bool) media.Direction {
	return media.DirectionOf(!remoteHold, !localHold)
}

func isHoldDirection(d media.Direction) bool {
	return d == media.DirectionSendOnly || d == media.DirectionInactive
}

// Hold puts the call on hold with a re-INVITE offering sendonly (or
// inactive if the remote side holds too). A failed re-INVITE leaves the
// call up and not on hold (JsSIP ends the call).
func (s *Session) Hold(ctx context.Context) error { return s.setHold(ctx, true) }

// Unhold takes the call off hold with a re-INVITE offering sendrecv.
func (s *Session) Unhold(ctx context.Context) error { return s.setHold(ctx, false) }

func (s *Session) setHold(ctx context.Context, hold bool) error {
	if s.State() != StateConfirmed {
		return errWrongState("hold", s.State())
	}
	if s.localHold.Load() == hold {
		return nil
	}
	dir := holdDirection(hold, s.remoteHld.Load())
	prev := holdDirection(s.localHold.Load(), s.remoteHld.Load())
	s.media.SetDirection(dir)
	if err := s.reinvite(ctx, media.OfferOptions{}); err != nil {
		// The call stays as it was: reinvite withdrew the offer.
		s.media.SetDirection(prev)
		return err
	}
	s.localHold.Store(hold)
	s.emit(func(h *SessionHandlers) {
		f := h.Unhold
		if hold {
			f = h.Hold
		}
		if f != nil {
			f(HoldEvent{Originator: Local})
		}
	})
	return nil
}

// Renegotiate sends a re-INVITE with a new offer; with iceRestart the offer
// restarts ICE.
func (s *Session) Renegotiate(ctx context.Context, iceRestart bool) error {
	if s.State() != StateConfirmed {
		return errWrongState("renegotiate", s.State())
	}
	return s.reinvite(ctx, media.OfferOptions{ICERestart: iceRestart})
}

// reinvite sends a re-INVITE with a new offer and applies the answer. On
// 491 it retries after RFC 3261 §14.1's random wait.
func (s *Session) reinvite(ctx context.Context, opts media.OfferOptions) error {
	for attempt := 0; attempt < 3; attempt++ {
		offer, err := s.media.CreateOffer(ctx, opts)
		if err != nil {
			return fmt.Errorf("ringo: media offer: %w", err)
		}
		type result struct {
			resp *sip.Response
			err  *Error
		}
		res := make(chan result, 1)
		err = s.ua.do(ctx, func() {
			if s.reinviting || s.dlg == nil {
				res <- result{err: &Error{Cause: CauseInternalError, Err: errors.New("another offer is pending")}}
				return
			}
			s.reinviting = true
			req := s.dlg.NewRequest("INVITE")
			req.Header().Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
			req.Header().Add("Allow", allowHeader)
			req.Header().Add("Supported", inviteSupported)
			if s.timer.interval > 0 {
				req.Header().Add("Session-Expires", strconv.Itoa(int(s.timer.interval/time.Second))+";refresher=uac")
			}
			req.SetBody("application/sdp", []byte(offer))
			var o *outgoing
			o = s.ua.send(req, nil, func(req *sip.Request, resp *sip.Response, err *Error) {
				s.reinviting = false
				if err == nil {
					cseq, _ := req.Header().CSeq()
					s.dlg.ReceiveResponse(resp)
					s.uacSessionTimer(resp)
					ack := s.dlg.NewAck(cseq.Seq)
					s.ua.setVia(ack)
					if o.client == nil || o.client.SendACK(ack, sockAddr{s.ua.sock}) != nil {
						s.ua.sendMessage(ack, sockAddr{s.ua.sock})
					}
				}
				res <- result{resp, err}
			})
		})
		if err != nil {
			return err
		}
		var r result
		select {
		case r = <-res:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return errSessionEnded
		}
		if r.err == nil {
			if err := s.media.SetRemoteAnswer(string(r.resp.Body())); err != nil {
				return fmt.Errorf("ringo: media answer: %w", err)
			}
			return nil
		}
		// The offer was refused: the media goes back to what was agreed.
		if cerr := s.media.CancelOffer(); cerr != nil {
			s.ua.log.Debug("media offer not withdrawn", "err", cerr)
		}
		if r.err.StatusCode != 491 {
			return r.err
		}
		// Glare: wait 2.1–4 s if we placed the call (we own the Call-ID),
		// else 0–2 s, then try again.
		wait := time.Duration(rand.N(2000)) * time.Millisecond
		if s.originator == Local {
			wait = 2100*time.Millisecond + time.Duration(rand.N(1900))*time.Millisecond
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("ringo: re-INVITE glare persisted")
}

// Mute mutes local audio and/or video without renegotiation.
func (s *Session) Mute(audio, video bool) { s.setMuted(audio, video, true) }

// Unmute unmutes local audio and/or video.
func (s *Session) Unmute(audio, video bool) { s.setMuted(audio, video, false) }

func (s *Session) setMuted(audio, video, muted bool) {
	s.muteMu.Lock()
	changedA := audio && s.audioMuted != muted
	changedV := video && s.videoMuted != muted
	if changedA {
		s.audioMuted = muted
		s.media.SetMuted(media.Audio, muted)
	}
	if changedV {
		s.videoMuted = muted
		s.media.SetMuted(media.Video, muted)
	}
	s.muteMu.Unlock()
	if !changedA && !changedV {
		return
	}
	ev := MuteEvent{Audio: changedA, Video: changedV}
	s.emit(func(h *SessionHandlers) {
		f := h.Unmuted
		if muted {
			f = h.Muted
		}
		if f != nil {
			f(ev)
		}
	})
}

// DTMFTransport says how DTMF is sent.
type DTMFTransport int

// DTMF transports.
const (
	// DTMFRFC4733 sends telephone-event RTP packets (the default).
	DTMFRFC4733 DTMFTransport = iota
	// DTMFInfo sends SIP INFO requests with application/dtmf-relay.
	DTMFInfo
)

// DTMFOptions are the options of Session.SendDTMF.
type DTMFOptions struct {
	Transport DTMFTransport
	// Duration of each tone and Gap between tones; zero means 100 ms and
	// 70 ms, as JsSIP.
	Duration, Gap time.Duration
}

// SendDTMF sends tones ("0-9", "A-D", "*", "#"; "," is a 2 s pause) and
// returns when they are sent.
func (s *Session) SendDTMF(ctx context.Context, tones string, opts *DTMFOptions) error {
	if opts == nil {
		opts = &DTMFOptions{}
	}
	dur, gap := opts.Duration, opts.Gap
	if dur == 0 {
		dur = 100 * time.Millisecond
	}
	if gap == 0 {
		gap = 70 * time.Millisecond
	}
	for _, t := range tones {
		if !strings.ContainsRune("0123456789ABCDabcd*#,", t) {
			return fmt.Errorf("ringo: bad DTMF tone %q", t)
		}
	}
	if st := s.State(); st != StateConfirmed && st != StateWaitingForACK {
		return errWrongState("send DTMF in", st)
	}
	if opts.Transport == DTMFRFC4733 {
		// One tone at a time, so that each is reported as it is sent.
		for i, t := range strings.ToUpper(tones) {
			if i > 0 {
				time.Sleep(gap)
			}
			if err := s.media.SendDTMF(ctx, string(t), media.DTMFOptions{Duration: dur, Gap: gap}); err != nil {
				return err
			}
			if t != ',' {
				s.emitDTMFSent(t, dur, nil)
			}
		}
		return nil
	}
	for _, t := range strings.ToUpper(tones) {
		if t == ',' {
			time.Sleep(2 * time.Second)
			continue
		}
		body := fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", t, dur.Milliseconds())
		if _, err := s.SendInfo(ctx, "application/dtmf-relay", []byte(body)); err != nil {
			return err
		}
		time.Sleep(gap)
	}
	return nil
}

func (s *Session) emitDTMFSent(t rune, dur time.Duration, req *sip.Request) {
	s.emit(func(h *SessionHandlers) {
		if h.NewDTMF != nil {
			h.NewDTMF(DTMFEvent{Originator: Local, Tone: t, Duration: dur, Request: req})
		}
	})
}

// SendInfo sends an INFO request in the call and waits for its response.
func (s *Session) SendInfo(ctx context.Context, contentType string, body []byte) (*sip.Response, error) {
	if st := s.State(); st != StateConfirmed && st != StateWaitingForACK {
		return nil, errWrongState("send INFO in", st)
	}
	type result struct {
		resp *sip.Response
		err  *Error
	}
	res := make(chan result, 1)
	var sent *sip.Request
	err := s.ua.do(ctx, func() {
		if s.dlg == nil {
			res <- result{err: &Error{Cause: CauseDialogError, Err: errors.New("no dialog")}}
			return
		}
		req := s.dlg.NewRequest("INFO")
		req.SetBody(contentType, body)
		sent = req
		s.ua.send(req, nil, func(_ *sip.Request, resp *sip.Response, err *Error) { res <- result{resp, err} })
	})
	if err != nil {
		return nil, err
	}
	select {
	case r := <-res:
		if r.err != nil {
			return r.resp, r.err
		}
		if contentType == "application/dtmf-relay" {
			if t, d, ok := parseDTMFRelay(string(body)); ok {
				s.emitDTMFSent(t, d, sent)
			}
		} else {
			s.emit(func(h *SessionHandlers) {
				if h.NewInfo != nil {
					h.NewInfo(InfoEvent{Originator: Local, ContentType: contentType, Body: body, Request: sent})
				}
			})
		}
		return r.resp, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.done:
		return nil, errSessionEnded
	}
}

// parseDTMFRelay reads "Signal=5\r\nDuration=160" bodies.
func parseDTMFRelay(body string) (rune, time.Duration, bool) {
	var tone rune
	dur := 100 * time.Millisecond
	for _, line := range strings.Split(body, "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "signal":
			if len(value) == 1 && strings.ContainsAny(strings.ToUpper(value), "0123456789ABCD*#") {
				tone = rune(strings.ToUpper(value)[0])
			}
		case "duration":
			if ms, err := strconv.Atoi(value); err == nil && ms > 0 {
				dur = time.Duration(ms) * time.Millisecond
			}
		}
	}
	return tone, dur, tone != 0
}
