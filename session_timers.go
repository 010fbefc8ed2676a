package ringo

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// RFC 4028 session timers and RFC 3262 reliable provisional responses.

// Session timer values. RFC 4028 recommends 1800 s and forbids a Min-SE
// below 90 s; JsSIP uses 90 s and 60 s, which the RFC does not allow.
const (
	DefaultSessionExpires = 1800 * time.Second
	MinSessionExpires     = 90 * time.Second
)

// inviteSupported is the Supported header of INVITE and its 2xx.
const inviteSupported = "100rel, timer, " + supportedHeader

// sessionTimer is the negotiated session timer of a call.
type sessionTimer struct {
	interval  time.Duration
	refresher bool // we refresh; otherwise we expect refreshes
	gen       uint64
}

// addSessionTimerHeaders asks for a session timer in an INVITE we send.
func (s *Session) addSessionTimerHeaders(h *sip.Header, interval time.Duration) {
	if s.ua.s.NoSessionTimers {
		return
	}
	h.Set("Session-Expires", strconv.Itoa(int(interval/time.Second)))
	h.Set("Min-SE", strconv.Itoa(int(MinSessionExpires/time.Second)))
}

// checkSessionExpires answers 422 to an incoming INVITE whose
// Session-Expires is below our minimum (RFC 4028 §8.1). It reports whether
// it did.
func (ua *UA) checkSessionExpires(srv *transaction.Server, req *sip.Request) bool {
	if ua.s.NoSessionTimers || !req.Header().Has("Session-Expires") {
		return false
	}
	se, err := req.Header().SessionExpires()
	if err != nil || time.Duration(se.Delta)*time.Second >= MinSessionExpires {
		return false
	}
	resp := sip.NewResponse(req, 422, "")
	resp.Header().Add("Min-SE", strconv.Itoa(int(MinSessionExpires/time.Second)))
	srv.Respond(resp)
	return true
}

// uasSessionTimer returns the Session-Expires (and Require) headers of our
// 2xx for an INVITE or UPDATE that asked for a session timer, and starts
// the timer.
func (s *Session) uasSessionTimer(req *sip.Request) []sip.Param {
	if s.ua.s.NoSessionTimers || !req.Header().Has("Session-Expires") {
		return nil
	}
	se, err := req.Header().SessionExpires()
	if err != nil {
		return nil
	}
	refresher := se.Refresher
	if refresher == "" {
		// The caller refreshes when it supports timers.
		if req.Header().HasToken("Supported", "timer") {
			refresher = "uac"
		} else {
			refresher = "uas"
		}
	}
	out := []sip.Param{{Name: "Session-Expires", Value: strconv.Itoa(int(se.Delta)) + ";refresher=" + refresher}}
	if refresher == "uac" {
		out = append(out, sip.Param{Name: "Require", Value: "timer"})
	}
	s.startSessionTimer(time.Duration(se.Delta)*time.Second, refresher == "uas")
	return out
}

// uacSessionTimer starts the timer from the 2xx to our INVITE or UPDATE.
func (s *Session) uacSessionTimer(resp *sip.Response) {
	if s.ua.s.NoSessionTimers || !resp.Header().Has("Session-Expires") {
		return
	}
	se, err := resp.Header().SessionExpires()
	if err != nil {
		return
	}
	s.startSessionTimer(time.Duration(se.Delta)*time.Second, se.Refresher != "uas")
}

// startSessionTimer (re)starts the session timer: the refresher refreshes
// at half the interval; the other side ends the call when no refresh came
// by the interval less min(32 s, interval/3) (RFC 4028 §10).
func (s *Session) startSessionTimer(interval time.Duration, refresher bool) {
	if interval <= 0 {
		return
	}
	s.timer.gen++
	s.timer.interval, s.timer.refresher = interval, refresher
	gen := s.timer.gen
	if refresher {
		s.after(interval/2, func() {
			if s.timer.gen == gen && s.State() == StateConfirmed {
				s.refreshSession()
			}
		})
		return
	}
	s.after(interval-min(32*time.Second, interval/3), func() {
		if s.timer.gen != gen || s.State() != StateConfirmed {
			return
		}
		s.sendBye(&TerminateOptions{StatusCode: 408, ReasonPhrase: "Session Timer Expired"}, nil)
		s.finish(false, EndEvent{Originator: System, Cause: CauseRequestTimeout})
	})
}

// refreshSession sends the session refresh: UPDATE without a body when the
// peer allows UPDATE, else a re-INVITE.
func (s *Session) refreshSession() {
	if s.dlg == nil {
		return
	}
	if !s.peerAllowsUpdate {
		// A re-INVITE needs a new offer from the media: off the loop.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 64*s.ua.t1())
			defer cancel()
			if err := s.reinvite(ctx, media.OfferOptions{}); err != nil {
				s.ua.log.Info("session refresh failed", "err", err)
			}
		}()
		return
	}
	req := s.dlg.NewRequest("UPDATE")
	req.Header().Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
	req.Header().Add("Session-Expires", strconv.Itoa(int(s.timer.interval/time.Second))+";refresher=uac")
	req.Header().Add("Supported", "timer")
	s.ua.sendInDialog(req, func(_ *sip.Request, resp *sip.Response, err *Error) {
		if err != nil {
			if err.StatusCode == 481 || err.StatusCode == 408 || resp == nil {
				s.sendBye(&TerminateOptions{}, nil)
				s.finish(false, EndEvent{Originator: System, Cause: CauseDialogError})
			}
			return
		}
		s.uacSessionTimer(resp)
		if !resp.Header().Has("Session-Expires") {
			s.startSessionTimer(s.timer.interval, true)
		}
	})
}

// noteAllow records whether the peer's Allow lists UPDATE.
func (s *Session) noteAllow(h *sip.Header) {
	for _, m := range h.Values("Allow") {
		if strings.EqualFold(strings.TrimSpace(m), "UPDATE") {
			s.peerAllowsUpdate = true
		}
	}
}

// prack acknowledges a reliable provisional response (RFC 3262 §4) in its
// early dialog, once per RSeq.
func (s *Session) prack(d *dialog.Dialog, resp *sip.Response) {
	if !resp.Header().HasToken("Require", "100rel") {
		return
	}
	rseq, err := resp.Header().RSeq()
	if err != nil {
		return
	}
	if last, ok := s.rseqs[d.ID.RemoteTag]; ok && rseq <= last {
		return // a retransmission: our PRACK transaction covers it
	}
	if s.rseqs == nil {
		s.rseqs = map[string]uint32{}
	}
	s.rseqs[d.ID.RemoteTag] = rseq
	cseq, _ := resp.Header().CSeq()
	pr := d.NewRequest("PRACK")
	pr.Header().Add("RAck", sip.RAck{RSeq: rseq, CSeq: cseq.Seq, Method: cseq.Method}.String())
	s.ua.sendInDialog(pr, nil)
}

// reliableRinging sends 180 reliably (RFC 3262 §3) when the caller requires
// 100rel: with RSeq, retransmitted from T1 doubling until the PRACK comes
// or 64·T1 pass.
func (s *Session) reliableRinging() *sip.Response {
	s.rseq = 1 + rand.Uint32N(1<<30)
	extra := []sip.Param{{Name: "Require", Value: "100rel"}, {Name: "RSeq", Value: strconv.FormatUint(uint64(s.rseq), 10)}}
	// The retransmission timer is armed before the 180 goes out, so that
	// whoever sees the 180 also sees the timer.
	var resp *sip.Response
	t1 := s.ua.t1()
	var retransmit func(wait, total time.Duration)
	retransmit = func(wait, total time.Duration) {
		s.after(wait, func() {
			if s.unacked != resp || s.State() != StateWaitingForAnswer {
				return
			}
			if total+wait >= 64*t1 {
				s.respond(504, "", nil, nil)
				s.finish(true, EndEvent{Originator: System, Cause: CauseNoACK})
				return
			}
			s.srv.Respond(resp)
			retransmit(wait*2, total+wait)
		})
	}
	retransmit(t1, 0)
	resp = s.respond(180, "", extra, nil)
	s.unacked = resp
	return resp
}

// receivePrack answers a PRACK for our reliable provisional response.
func (s *Session) receivePrack(req *sip.Request, reply func(int, []byte, ...sip.Param) *sip.Response) {
	rack, err := req.Header().RAck()
	if err != nil || s.unacked == nil || rack.RSeq != s.rseq {
		reply(481, nil)
		return
	}
	s.unacked = nil
	reply(200, nil)
}
