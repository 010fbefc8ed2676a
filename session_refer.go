package ringo

// Call transfer: REFER within a call (RFC 3515), its implicit refer
// subscription answered by NOTIFYs carrying message/sipfrag, and INVITEs
// with Replaces (RFC 3891) for attended transfer. The model is JsSIP's
// RTCSession.refer, ReferSubscriber, ReferNotifier and newRefer.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/sip"
)

// ReferNotifyEvent is the progress of a transfer, as the NOTIFY of the
// refer subscription reports it: the status line of the message/sipfrag
// body, that of the transferee's INVITE.
type ReferNotifyEvent struct {
	StatusCode int
	Reason     string
	// Request is the NOTIFY.
	Request *sip.Request
}

// ReferHandlers report the progress of a transfer that Session.Refer
// started, as JsSIP's ReferSubscriber events: Trying for a 100, Progress
// for another 1xx, Accepted for a 2xx and Failed for a status of 300 or
// more. They run in order on the UA's event goroutine.
type ReferHandlers struct {
	Trying, Progress, Accepted, Failed func(ReferNotifyEvent)
	// RequestSucceeded gets the 2xx that accepted the REFER (JsSIP's
	// "requestSucceeded"), in order with the NOTIFYs.
	RequestSucceeded func(*sip.Response)
}

// ReferOptions are the options of Session.Refer.
type ReferOptions struct {
	// ExtraHeaders are added to the REFER, as "Name: value" lines.
	ExtraHeaders []string
	// Replaces makes an attended transfer: the Refer-To URI carries a
	// Replaces header naming this other call's dialog (RFC 3891 §7), so
	// that the transferee's INVITE replaces it at the transfer target.
	Replaces *Session
	// Handlers get the NOTIFYs of the refer subscription.
	Handlers ReferHandlers
}

// referSub is a REFER we sent, waiting for its NOTIFYs; keyed by the
// REFER's CSeq number, which is the id of its Event header.
type referSub struct {
	handlers ReferHandlers
}

// Refer asks the other party to call target (a blind transfer) or, with
// opts.Replaces, to replace that other call with a call to its remote
// party (an attended transfer). It returns once the REFER is accepted
// (202 or another 2xx), or the *Error of its failure. The transfer's
// progress arrives afterwards through opts.Handlers.
func (s *Session) Refer(ctx context.Context, target string, opts *ReferOptions) error {
	if opts == nil {
		opts = &ReferOptions{}
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return fmt.Errorf("ringo: bad ExtraHeaders: %w", err)
	}
	uri, err := s.ua.targetURI(target)
	if err != nil {
		return fmt.Errorf("ringo: bad target %q: %w", target, err)
	}
	if st := s.State(); st != StateConfirmed {
		return errWrongState("refer", st)
	}
	res := make(chan *Error, 1)
	err = s.ua.do(ctx, func() {
		if s.dlg == nil || s.IsEnded() {
			res <- &Error{Cause: CauseDialogError, Err: errors.New("no dialog")}
			return
		}
		u := uri.Clone()
		if r := opts.Replaces; r != nil {
			if r.dlg == nil {
				res <- &Error{Cause: CauseDialogError, Err: errors.New("the call to replace has no dialog")}
				return
			}
			// The dialog as the transfer target sees it (RFC 3891 §3):
			// its local tag is our remote tag.
			rep := sip.Replaces{CallID: r.dlg.ID.CallID, ToTag: r.dlg.ID.RemoteTag, FromTag: r.dlg.ID.LocalTag}
			u.Headers = sip.Params{{Name: "Replaces", Value: escapeHeaderValue(rep.String())}}
		}
		req := s.dlg.NewRequest("REFER")
		h := req.Header()
		h.Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
		h.Add("Refer-To", sip.Address{URI: u}.String())
		h.Add("Referred-By", sip.Address{URI: s.ua.URI()}.String())
		addHeaders(h, extra)
		cseq, _ := h.CSeq()
		if s.referSubs == nil {
			s.referSubs = make(map[uint32]*referSub)
		}
		// In place before the REFER leaves: a NOTIFY may overtake the 202.
		s.referSubs[cseq.Seq] = &referSub{handlers: opts.Handlers}
		s.ua.sendInDialog(req, func(_ *sip.Request, resp *sip.Response, e *Error) {
			if e != nil {
				delete(s.referSubs, cseq.Seq)
			} else if f := opts.Handlers.RequestSucceeded; f != nil && resp != nil {
				s.ua.disp.post(func() { f(resp) })
			}
			res <- e
		})
	})
	if err != nil {
		return err
	}
	select {
	case e := <-res:
		if e != nil {
			return e
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errSessionEnded
	}
}

// escapeHeaderValue %-escapes a URI header value, keeping only unreserved
// characters as they are (RFC 3891 §7 escapes ';', '=' and '@').
func escapeHeaderValue(v string) string {
	return string(appendEscapedFn(nil, v, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0
	}))
}

func appendEscapedFn(b []byte, s string, ok func(byte) bool) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		if c := s[i]; ok(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// unescapeHeaderValue undoes %-escapes; a bad escape is kept as written.
func unescapeHeaderValue(v string) string {
	var b []byte
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			if n, err := strconv.ParseUint(v[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(n))
				i += 2
				continue
			}
		}
		b = append(b, v[i])
	}
	return string(b)
}

// receiveReferNotify handles a NOTIFY of a refer subscription in the
// call's dialog.
func (s *Session) receiveReferNotify(req *sip.Request, reply func(int)) {
	ev, err := req.Header().Event()
	if err != nil || ev.Type != "refer" {
		reply(489) // Bad Event
		return
	}
	var sub *referSub
	var key uint32
	if id := ev.ID(); id != "" {
		if n, err := strconv.ParseUint(id, 10, 32); err == nil {
			key = uint32(n)
			sub = s.referSubs[key]
		}
	} else if len(s.referSubs) == 1 {
		// Without an id the NOTIFY is for the only REFER (RFC 3515 §2.4.6).
		for k, v := range s.referSubs {
			key, sub = k, v
		}
	}
	if sub == nil {
		reply(481)
		return
	}
	code, reason, ok := parseSipfrag(req.Body())
	if !ok {
		reply(400)
		return
	}
	reply(200)
	if st, err := req.Header().SubscriptionState(); err == nil && st.State == sip.StateTerminated {
		delete(s.referSubs, key)
	}
	e := ReferNotifyEvent{StatusCode: code, Reason: reason, Request: req}
	h := sub.handlers
	var f func(ReferNotifyEvent)
	switch {
	case code == 100:
		f = h.Trying
	case code < 200:
		f = h.Progress
	case code < 300:
		f = h.Accepted
	default:
		f = h.Failed
	}
	if f != nil {
		s.ua.disp.post(func() { f(e) })
	}
}

// parseSipfrag reads the status line of a message/sipfrag body.
func parseSipfrag(body []byte) (int, string, bool) {
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.TrimSpace(line)
	version, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(strings.ToUpper(version), "SIP/") {
		return 0, "", false
	}
	codeText, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil || code < 100 || code > 699 {
		return 0, "", false
	}
	return code, reason, true
}

// ReferRequest is a REFER received in a call, handed to
// SessionHandlers.NewRefer after the UA has answered it 202. The
// application calls Accept, to place the call asked for, or Reject.
type ReferRequest struct {
	// ReferTo is the Refer-To address; its URI may carry headers
	// (Replaces) for the new INVITE.
	ReferTo sip.Address
	// Request is the REFER.
	Request *sip.Request

	session *Session
	seq     uint32 // the REFER's CSeq number: the id of our NOTIFYs
	done    atomic.Bool
}

// Accept places a call to the Refer-To URI (with the Replaces and
// Referred-By of the REFER, if any) and reports it to the referrer: a
// NOTIFY "100 Trying" at once, then one with the final status of the new
// call's INVITE. It returns the new call. Reporting wraps the Accepted and
// Failed handlers of opts.Handlers, so set the new call's handlers there,
// not with SetHandlers.
func (r *ReferRequest) Accept(ctx context.Context, opts *CallOptions) (*Session, error) {
	if !r.done.CompareAndSwap(false, true) {
		return nil, errors.New("ringo: REFER already accepted or rejected")
	}
	var o CallOptions
	if opts != nil {
		o = *opts
	}
	target := r.ReferTo.URI.Clone()
	headers := target.Headers
	target.Headers = nil
	o.ExtraHeaders = append([]string(nil), o.ExtraHeaders...)
	for _, p := range headers {
		if strings.EqualFold(p.Name, "Replaces") {
			o.ExtraHeaders = append(o.ExtraHeaders, "Replaces: "+unescapeHeaderValue(p.Value))
		}
	}
	if rb := r.Request.Header().Get("Referred-By"); rb != "" {
		o.ExtraHeaders = append(o.ExtraHeaders, "Referred-By: "+rb)
	}
	r.notify(100, "")
	var reported atomic.Bool
	report := func(code int, reason string) {
		if reported.CompareAndSwap(false, true) {
			r.notify(code, reason)
		}
	}
	user := o.Handlers
	o.Handlers.Accepted = func(e AcceptedEvent) {
		report(e.Response.StatusCode, e.Response.Reason)
		if user.Accepted != nil {
			user.Accepted(e)
		}
	}
	o.Handlers.Failed = func(e EndEvent) {
		if resp, ok := e.Message.(*sip.Response); ok && resp != nil {
			report(resp.StatusCode, resp.Reason)
		} else {
			report(487, "")
		}
		if user.Failed != nil {
			user.Failed(e)
		}
	}
	sess, err := r.session.ua.Call(ctx, target.String(), &o)
	if err != nil {
		report(500, "")
		return nil, err
	}
	return sess, nil
}

// Reject refuses the transfer. The REFER was already answered 202, so the
// refusal is a final NOTIFY with code (603 Declined if code is not a
// failure status) that ends the refer subscription.
func (r *ReferRequest) Reject(code int) error {
	if !r.done.CompareAndSwap(false, true) {
		return errors.New("ringo: REFER already accepted or rejected")
	}
	if code < 300 || code > 699 {
		code = 603
	}
	r.notify(code, "")
	return nil
}

// notify sends a NOTIFY of the refer subscription with the status line
// code reason; a final status ends the subscription.
func (r *ReferRequest) notify(code int, reason string) {
	s := r.session
	if reason == "" {
		reason = sip.StatusText(code)
	}
	s.ua.do(context.Background(), func() {
		if s.dlg == nil || s.IsEnded() {
			return
		}
		req := s.dlg.NewRequest("NOTIFY")
		h := req.Header()
		h.Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
		h.Add("Event", "refer;id="+strconv.FormatUint(uint64(r.seq), 10))
		if code < 200 {
			h.Add("Subscription-State", "active;expires=300")
		} else {
			h.Add("Subscription-State", "terminated;reason=noresource")
		}
		req.SetBody("message/sipfrag;version=2.0", []byte("SIP/2.0 "+strconv.Itoa(code)+" "+reason))
		s.ua.sendInDialog(req, nil)
	})
}

// receiveRefer handles a REFER in the call: without a NewRefer handler it
// is refused with 603; otherwise it is answered 202 and handed over.
func (s *Session) receiveRefer(req *sip.Request, reply func(int)) {
	if st := s.State(); st != StateConfirmed {
		reply(491)
		return
	}
	to, err := req.Header().ReferTo()
	if err != nil || req.Header().Count("Refer-To") != 1 {
		reply(400)
		return
	}
	if !to.URI.IsSIP() {
		reply(416)
		return
	}
	s.hmu.Lock()
	handler := s.handlers.NewRefer
	s.hmu.Unlock()
	if handler == nil {
		reply(603)
		return
	}
	cseq, _ := req.Header().CSeq()
	reply(202)
	r := &ReferRequest{ReferTo: to, Request: req, session: s, seq: cseq.Seq}
	s.emit(func(h *SessionHandlers) {
		if h.NewRefer != nil {
			h.NewRefer(r)
		} else {
			r.Reject(603)
		}
	})
}

// replacedSession finds the call that an incoming INVITE with Replaces
// replaces (RFC 3891 §3), answering the INVITE itself when there is none
// (481), it has ended (603) or it may not be replaced (486 for early-only
// on a confirmed call). ok is false when the INVITE was answered.
func (ua *UA) replacedSession(req *sip.Request, reply func(int, ...sip.Param)) (old *Session, ok bool) {
	if !req.Header().Has("Replaces") {
		return nil, true
	}
	rep, err := req.Header().Replaces()
	if err != nil || req.Header().Count("Replaces") != 1 {
		reply(400)
		return nil, false
	}
	old = ua.sessions[dialog.ID{CallID: rep.CallID, LocalTag: rep.ToTag, RemoteTag: rep.FromTag}]
	switch {
	case old == nil:
		reply(481)
		return nil, false
	case old.IsEnded():
		reply(603)
		return nil, false
	case rep.EarlyOnly && old.State() == StateConfirmed:
		reply(486)
		return nil, false
	case old.State() != StateConfirmed && old.originator == Remote:
		// An early dialog we answer may not be replaced (§3).
		reply(481)
		return nil, false
	}
	return old, true
}

// endReplaced hangs up the call that this one replaced, once this one is
// confirmed.
func (s *Session) endReplaced() {
	if old := s.replaces; old != nil {
		s.replaces = nil
		old.terminate(&TerminateOptions{}, nil)
	}
}
