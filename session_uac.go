package ringo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
)

// CallOptions are the options of UA.Call.
type CallOptions struct {
	// Media is the call's media session. Nil means a new session from
	// Config.MediaEngine.
	Media media.Session
	// Handlers are the call's event handlers, in place before the INVITE
	// is sent.
	Handlers SessionHandlers
	// Hooks run synchronously during negotiation (edit SDP, vet
	// re-INVITEs).
	Hooks SessionHooks
	// ExtraHeaders are added to the INVITE, as "Name: value" lines.
	ExtraHeaders []string
	// CallID and FromTag are the INVITE's Call-ID and From tag; empty
	// means new random ones. An application that must name the call
	// before the INVITE is built (JsSIP's synchronous newRTCSession) picks
	// them with sip.NewCallID and sip.NewTag.
	CallID, FromTag string
}

// Call places a call to target: it creates the SDP offer (waiting for ICE
// gathering, at most the engine's gathering timeout), sends the INVITE and
// returns the Session at once. Progress, answer and end arrive as events;
// Done is closed when the call ends.
func (ua *UA) Call(ctx context.Context, target string, opts *CallOptions) (*Session, error) {
	if opts == nil {
		opts = &CallOptions{}
	}
	uri, err := ua.NormalizeTarget(target)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad target %q: %w", target, err)
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad ExtraHeaders: %w", err)
	}
	if !ua.started.Load() {
		return nil, ErrNotStarted
	}
	m := opts.Media
	if m == nil {
		if ua.s.MediaEngine == nil {
			return nil, errors.New("ringo: no media: set Config.MediaEngine or CallOptions.Media")
		}
		if m, err = ua.s.MediaEngine.NewSession(ctx); err != nil {
			return nil, fmt.Errorf("ringo: media: %w", err)
		}
	}
	m = withSDPHook(m, opts.Hooks.SDP)
	offer, err := m.CreateOffer(ctx, media.OfferOptions{})
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("ringo: media offer: %w", err)
	}
	s := ua.newSession(Local, m)
	s.remote = sip.Address{URI: uri}
	s.handlers = opts.Handlers
	s.hooks = opts.Hooks
	err = ua.do(ctx, func() {
		emit(ua, &ua.handlers.newSession, NewSessionEvent{Originator: Local, Session: s})
		req := ua.newRequest("INVITE", uri, opts.CallID, 1)
		h := req.Header()
		if opts.FromTag != "" {
			from, _ := h.From()
			from.Params.Set("tag", opts.FromTag)
			h.Set("From", from.String())
		}
		h.Add("Contact", sip.Address{URI: ua.contactURI()}.String())
		h.Add("Allow", allowHeader)
		h.Add("Supported", inviteSupported)
		s.addSessionTimerHeaders(h, DefaultSessionExpires)
		addHeaders(h, extra)
		req.SetBody("application/sdp", []byte(offer))
		if opts.Hooks.Sending != nil {
			opts.Hooks.Sending(req)
		}
		s.invite = req
		s.setState(StateInviteSent)
		s.out = ua.send(req, s.provisional, s.final)
	})
	if err != nil {
		m.Close()
		return nil, err
	}
	return s, nil
}

func (ua *UA) newSession(o Originator, m media.Session) *Session {
	s := &Session{ua: ua, originator: o, media: m, done: make(chan struct{}), early: map[string]*dialog.Dialog{}}
	if m != nil {
		m.OnDTMF(func(ev media.DTMFEvent) {
			s.emit(func(h *SessionHandlers) {
				if h.NewDTMF != nil {
					h.NewDTMF(DTMFEvent{Originator: Remote, Tone: ev.Tone, Duration: ev.Duration})
				}
			})
		})
	}
	return s
}

// provisional handles a 1xx to our INVITE.
func (s *Session) provisional(resp *sip.Response) {
	if s.IsEnded() {
		return
	}
	if s.State() == StateInviteSent {
		s.setState(State1xxReceived)
	}
	if resp.StatusCode == 100 {
		return
	}
	s.invite = s.out.req
	// An early dialog per To tag (forking).
	if d, err := dialog.NewUAC(s.invite, resp); err == nil {
		if e, ok := s.early[d.ID.RemoteTag]; ok {
			d = e
		} else {
			s.early[d.ID.RemoteTag] = d
			s.ua.rememberSession(d.ID, s)
		}
		s.prack(d, resp)
	}
	if len(resp.Body()) > 0 && s.dlg == nil {
		// Early media: the answer in a reliable-or-not 18x is applied.
		sdp := string(resp.Body())
		m := s.media
		go func() {
			if err := m.SetRemoteAnswer(sdp); err != nil {
				s.ua.log.Debug("early media answer not applied", "err", err)
			}
		}()
	}
	s.emit(func(h *SessionHandlers) {
		if h.Progress != nil {
			h.Progress(ProgressEvent{Originator: Remote, Response: resp})
		}
	})
}

// final handles the final result of our INVITE: each 2xx (forks and
// retransmissions included), a failure response, or a timeout.
func (s *Session) final(req *sip.Request, resp *sip.Response, err *Error) {
	s.invite = req
	if err != nil {
		if s.IsEnded() {
			return
		}
		if err.StatusCode == 422 && !s.retried422 {
			// RFC 4028 §7.4: try again with at least the Min-SE asked for.
			if minSE, merr := resp.Header().MinSE(); merr == nil {
				s.retried422 = true
				retry := req.Clone()
				cseq, _ := retry.Header().CSeq()
				cseq.Seq++
				retry.Header().Set("CSeq", cseq.String())
				interval := max(time.Duration(minSE)*time.Second, MinSessionExpires)
				retry.Header().Set("Session-Expires", strconv.Itoa(int(interval/time.Second)))
				retry.Header().Set("Min-SE", strconv.Itoa(int(interval/time.Second)))
				s.out = s.ua.send(retry, s.provisional, s.final)
				return
			}
		}
		ev := EndEvent{Originator: Remote, Cause: err.Cause}
		if resp != nil {
			ev.Message = resp
		} else {
			ev.Originator = System
		}
		s.finish(true, ev)
		return
	}
	to, _ := resp.Header().To()
	cseq, _ := req.Header().CSeq()
	if s.dlg != nil {
		if to.Tag() == s.dlg.ID.RemoteTag {
			// A retransmitted 2xx: ACK it again.
			s.sendACK(s.dlg, cseq.Seq)
			return
		}
		// Another fork answered: acknowledge and hang it up (RFC 3261
		// §13.2.2.4).
		if d, derr := dialog.NewUAC(req, resp); derr == nil {
			s.sendACK(d, cseq.Seq)
			s.ua.sendInDialog(d.NewRequest("BYE"), nil)
		}
		return
	}
	d, derr := dialog.NewUAC(req, resp)
	if derr != nil {
		s.ua.log.Info("2xx to INVITE cannot make a dialog", "err", derr)
		return
	}
	if e := s.early[d.ID.RemoteTag]; e != nil && e.LocalSeq > d.LocalSeq {
		// PRACKs in the early dialog used CSeq numbers after the INVITE's.
		d.LocalSeq = e.LocalSeq
	}
	s.dlg = d
	s.ua.rememberSession(d.ID, s)
	s.sendACK(d, cseq.Seq)
	s.noteAllow(resp.Header())
	s.uacSessionTimer(resp)
	if s.IsEnded() {
		// Cancelled, but the callee answered first: hang up.
		s.sendBye(&TerminateOptions{}, nil)
		return
	}
	now := s.ua.clk.Now()
	s.start.Store(&now)
	s.setState(StateConfirmed)
	s.emit(func(h *SessionHandlers) {
		if h.Accepted != nil {
			h.Accepted(AcceptedEvent{Originator: Remote, Response: resp})
		}
	})
	if len(resp.Body()) == 0 {
		s.sendBye(&TerminateOptions{StatusCode: 400, ReasonPhrase: "Missing SDP"}, nil)
		s.finish(false, EndEvent{Originator: Local, Cause: CauseMissingSDP})
		return
	}
	sdp := string(resp.Body())
	s.mediaDo(func() error { return s.media.SetRemoteAnswer(sdp) }, func(err error) {
		if err != nil {
			s.sendBye(&TerminateOptions{StatusCode: 488, ReasonPhrase: err.Error()}, nil)
			s.finish(false, EndEvent{Originator: Local, Cause: CauseBadMediaDescription})
			return
		}
		s.emit(func(h *SessionHandlers) {
			if h.Confirmed != nil {
				h.Confirmed(ConfirmedEvent{Originator: Local})
			}
		})
	})
}

// sendACK acknowledges a 2xx through the INVITE client transaction, so
// that a retransmitted 2xx is acknowledged again.
func (s *Session) sendACK(d *dialog.Dialog, seq uint32) {
	ack := d.NewAck(seq)
	s.ua.setVia(ack)
	if s.out != nil && s.out.client != nil {
		if err := s.out.client.SendACK(ack, sockAddr{s.ua.sock}); err == nil {
			return
		}
	}
	s.ua.sendMessage(ack, sockAddr{s.ua.sock})
}

// mediaDo runs work on a new goroutine (media calls may block) and then
// done with its error on the loop.
func (s *Session) mediaDo(work func() error, done func(error)) {
	go func() {
		err := work()
		s.ua.post(func() { done(err) })
	}()
}

// sendInDialog sends a request within a dialog: a new Via and a client
// transaction on the current socket. final, if set, gets the result.
func (ua *UA) sendInDialog(req *sip.Request, final func(*sip.Request, *sip.Response, *Error)) {
	if final == nil {
		final = func(*sip.Request, *sip.Response, *Error) {}
	}
	ua.send(req, nil, final)
}

// rememberSession makes a session findable by its dialog ID.
func (ua *UA) rememberSession(id dialog.ID, s *Session) {
	if ua.sessions == nil {
		ua.sessions = make(map[dialog.ID]*Session)
	}
	ua.sessions[id] = s
}

// forgetSession drops every entry of a session.
func (ua *UA) forgetSession(s *Session) {
	for id, x := range ua.sessions {
		if x == s {
			delete(ua.sessions, id)
		}
	}
	for srv, x := range ua.invites {
		if x == s {
			delete(ua.invites, srv)
		}
	}
}
