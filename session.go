package ringo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// SessionState is the state of a call, with JsSIP's RTCSession states.
type SessionState int

// Session states, as JsSIP's RTCSession.C.
const (
	StateNull SessionState = iota
	StateInviteSent
	State1xxReceived
	StateInviteReceived
	StateWaitingForAnswer
	StateAnswered
	StateWaitingForACK
	StateCanceled
	StateTerminated
	StateConfirmed
)

var stateNames = [...]string{"null", "invite sent", "1xx received", "invite received", "waiting for answer",
	"answered", "waiting for ACK", "canceled", "terminated", "confirmed"}

func (s SessionState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "SessionState(" + strconv.Itoa(int(s)) + ")"
}

// ProgressEvent: a provisional response arrived (outgoing call) or was
// sent (incoming call).
type ProgressEvent struct {
	Originator Originator
	Response   *sip.Response
}

// AcceptedEvent: the call was answered (a 2xx sent or received).
type AcceptedEvent struct {
	Originator Originator
	Response   *sip.Response
}

// ConfirmedEvent: the ACK was sent or received; the call is up.
type ConfirmedEvent struct {
	Originator Originator
	ACK        *sip.Request
}

// EndEvent reports why a call ended (Ended) or failed before it was up
// (Failed), as JsSIP's "ended" and "failed": who ended it, the message that
// did, and the cause.
type EndEvent struct {
	Originator Originator
	// Message is the BYE, CANCEL or failure response that ended the call,
	// or nil.
	Message sip.Message
	Cause   Cause
}

// HoldEvent: the call was put on hold or taken off it, by the local or the
// remote side.
type HoldEvent struct{ Originator Originator }

// MuteEvent: local audio or video was muted or unmuted.
type MuteEvent struct{ Audio, Video bool }

// DTMFEvent: a DTMF tone was sent or received, by RFC 4733 or SIP INFO.
type DTMFEvent struct {
	Originator Originator
	Tone       rune
	Duration   time.Duration
	// Request is the INFO that carried it, or nil for RFC 4733.
	Request *sip.Request
}

// InfoEvent: an INFO request other than DTMF was sent or received.
type InfoEvent struct {
	Originator  Originator
	ContentType string
	Body        []byte
	Request     *sip.Request
}

// SessionHandlers are a call's event handlers, called in order on the UA's
// event goroutine. Set them in CallOptions for an outgoing call, or with
// Session.SetHandlers inside the OnNewSession handler for an incoming one,
// so that no event is missed.
type SessionHandlers struct {
	Progress  func(ProgressEvent)
	Accepted  func(AcceptedEvent)
	Confirmed func(ConfirmedEvent)
	Ended     func(EndEvent)
	Failed    func(EndEvent)
	Hold      func(HoldEvent)
	Unhold    func(HoldEvent)
	Muted     func(MuteEvent)
	Unmuted   func(MuteEvent)
	NewDTMF   func(DTMFEvent)
	NewInfo   func(InfoEvent)
	// NewRefer gets a REFER received in the call (a transfer request),
	// already answered 202; without it the REFER is refused with 603.
	NewRefer func(*ReferRequest)
}

// NewSessionEvent: a call was placed (Originator Local) or arrived
// (Originator Remote, Request is the INVITE).
type NewSessionEvent struct {
	Originator Originator
	Session    *Session
	Request    *sip.Request
	// Replaces is the call that an incoming INVITE with a Replaces header
	// replaces (RFC 3891); it is hung up once the new call is confirmed.
	Replaces *Session
}

// OnNewSession sets the handler for new calls, outgoing and incoming.
// Without a handler, incoming calls are rejected with 480.
func (ua *UA) OnNewSession(f func(NewSessionEvent)) { set(ua, &ua.handlers.newSession, f) }

// Session is a call: an INVITE dialog and its media. Its methods are safe
// for concurrent use; media operations (gathering, applying descriptions)
// run on a goroutine of the session, never on the UA loop.
type Session struct {
	ua         *UA
	originator Originator
	media      media.Session
	remote     sip.Address

	hmu      sync.Mutex
	handlers SessionHandlers
	hooks    SessionHooks // set before the call is negotiated; read on the loop

	// Read from any goroutine.
	stateV               atomic.Int32
	localHold, remoteHld atomic.Bool
	start, end           atomic.Pointer[time.Time]
	done                 chan struct{}
	doneOnce             sync.Once
	muteMu               sync.Mutex
	audioMuted           bool
	videoMuted           bool

	// Loop state.
	invite       *sip.Request // the INVITE we sent (latest) or received
	out          *outgoing
	srv          *transaction.Server
	dlg          *dialog.Dialog
	early        map[string]*dialog.Dialog
	localTag     string
	answer       *sip.Response // our 2xx, kept for the dialog
	byeOnACK     *EndEvent
	timers       []clock.Timer
	reinviting   bool
	offerInACK   bool // an incoming INVITE without SDP: the answer comes in the ACK
	pendingCause Cause
	// Session timer and reliable provisional responses.
	timer            sessionTimer
	peerAllowsUpdate bool
	rseqs            map[string]uint32 // last RSeq PRACKed, by early dialog
	rseq             uint32            // RSeq of our reliable 180
	unacked          *sip.Response     // our reliable 180 until its PRACK
	retried422       bool
	// Transfer (session_refer.go).
	referSubs map[uint32]*referSub // REFERs we sent, by CSeq number
	replaces  *Session             // the call this one replaces
}

// State returns the call's state.
func (s *Session) State() SessionState { return SessionState(s.stateV.Load()) }

func (s *Session) setState(st SessionState) { s.stateV.Store(int32(st)) }

// Originator says who placed the call: Local for outgoing calls.
func (s *Session) Originator() Originator { return s.originator }

// Remote returns the other party's address (To of an outgoing call, From
// of an incoming one).
func (s *Session) Remote() sip.Address { return s.remote }

// Media returns the call's media session.
func (s *Session) Media() media.Session { return s.media }

// StartTime returns when the call was answered; zero before.
func (s *Session) StartTime() time.Time {
	if t := s.start.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// EndTime returns when the call ended; zero before.
func (s *Session) EndTime() time.Time {
	if t := s.end.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// Done is closed when the call has ended or failed.
func (s *Session) Done() <-chan struct{} { return s.done }

// IsEstablished reports whether the call is confirmed.
func (s *Session) IsEstablished() bool { return s.State() == StateConfirmed }

// IsEnded reports whether the call has ended or failed.
func (s *Session) IsEnded() bool {
	st := s.State()
	return st == StateTerminated || st == StateCanceled
}

// IsOnHold reports whether the call is on hold, locally and remotely.
func (s *Session) IsOnHold() (local, remote bool) { return s.localHold.Load(), s.remoteHld.Load() }

// IsMuted reports whether local audio and video are muted.
func (s *Session) IsMuted() (audio, video bool) {
	s.muteMu.Lock()
	defer s.muteMu.Unlock()
	return s.audioMuted, s.videoMuted
}

// SetHandlers replaces the call's event handlers.
func (s *Session) SetHandlers(h SessionHandlers) {
	s.hmu.Lock()
	s.handlers = h
	s.hmu.Unlock()
}

// emit queues an event; the handler is read when the event is delivered,
// so handlers set by an earlier event's handler see it.
func (s *Session) emit(call func(h *SessionHandlers)) {
	s.ua.disp.post(func() {
		s.hmu.Lock()
		h := s.handlers
		s.hmu.Unlock()
		call(&h)
	})
}

// after runs f on the loop after d unless the session ended.
func (s *Session) after(d time.Duration, f func()) {
	t := s.ua.clk.AfterFunc(d, func() {
		s.ua.post(func() {
			if !s.IsEnded() {
				f()
			}
		})
	})
	s.timers = append(s.timers, t)
}

// finish ends the call: state, times, timers, media, tables, and the
// Ended or Failed event.
func (s *Session) finish(failed bool, ev EndEvent) {
	if s.IsEnded() {
		return
	}
	s.setState(StateTerminated)
	now := s.ua.clk.Now()
	s.end.Store(&now)
	for _, t := range s.timers {
		t.Stop()
	}
	s.timers = nil
	s.ua.forgetSession(s)
	if s.media != nil {
		m := s.media
		go m.Close()
	}
	s.doneOnce.Do(func() { close(s.done) })
	if failed {
		s.emit(func(h *SessionHandlers) {
			if h.Failed != nil {
				h.Failed(ev)
			}
		})
	} else {
		s.emit(func(h *SessionHandlers) {
			if h.Ended != nil {
				h.Ended(ev)
			}
		})
	}
}

// TerminateOptions are the options of Session.Terminate.
type TerminateOptions struct {
	// StatusCode is the response for an incoming call not yet answered
	// (default 480), or the cause put in a Reason header on BYE or CANCEL.
	StatusCode int
	// ReasonPhrase goes with StatusCode.
	ReasonPhrase string
	// ExtraHeaders are added to the BYE, CANCEL or response.
	ExtraHeaders []string
}

// Terminate ends the call in whatever state it is: CANCEL before an
// answer, a failure response to an incoming call, BYE once answered (held
// back until the ACK for an incoming call that is waiting for it).
func (s *Session) Terminate(opts *TerminateOptions) error {
	if opts == nil {
		opts = &TerminateOptions{}
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return err
	}
	return s.ua.do(context.Background(), func() { s.terminate(opts, extra) })
}

// reasonHeader builds a Reason header value (RFC 3326).
func reasonHeader(code int, phrase string) string {
	if phrase == "" {
		phrase = sip.StatusText(code)
	}
	return "SIP ;cause=" + strconv.Itoa(code) + " ;text=" + sip.Quote(phrase)
}

func (s *Session) terminate(opts *TerminateOptions, extra []sip.Param) {
	switch s.State() {
	case StateNull, StateTerminated, StateCanceled:
		return
	case StateInviteSent, State1xxReceived:
		// CANCEL; the transaction layer holds it until a provisional
		// response arrives, as RFC 3261 §9.1 says.
		if s.out != nil && s.out.client != nil {
			if c, err := s.out.client.Cancel(nil); err == nil && opts.StatusCode != 0 {
				c.Request().Header().Add("Reason", reasonHeader(opts.StatusCode, opts.ReasonPhrase))
			}
		}
		s.finish(true, EndEvent{Originator: Local, Cause: CauseCanceled})
	case StateInviteReceived, StateWaitingForAnswer:
		code := opts.StatusCode
		if code < 300 || code > 699 {
			code = 480
		}
		s.respond(code, opts.ReasonPhrase, extra, nil)
		s.finish(true, EndEvent{Originator: Local, Cause: CauseRejected})
	case StateAnswered, StateWaitingForACK:
		// RFC 3261 §15: the callee sends BYE once the ACK arrives (or
		// Timer L ends the wait).
		ev := EndEvent{Originator: Local, Cause: CauseBye}
		s.byeOnACK = &ev
		s.pendingCause = CauseBye
	case StateConfirmed:
		s.sendBye(opts, extra)
		s.finish(false, EndEvent{Originator: Local, Cause: CauseBye})
	}
}

// sendBye sends BYE in the dialog.
func (s *Session) sendBye(opts *TerminateOptions, extra []sip.Param) {
	if s.dlg == nil {
		return
	}
	bye := s.dlg.NewRequest("BYE")
	if opts != nil && opts.StatusCode != 0 {
		bye.Header().Add("Reason", reasonHeader(opts.StatusCode, opts.ReasonPhrase))
	}
	addHeaders(bye.Header(), extra)
	s.ua.sendInDialog(bye, nil)
	s.dlg.Terminate()
}

// respond answers the INVITE of an incoming call.
func (s *Session) respond(code int, reason string, extra []sip.Param, body []byte) *sip.Response {
	resp := sip.NewResponse(s.invite, code, reason)
	resp.SetToTag(s.localTag)
	h := resp.Header()
	if code > 100 && code < 300 {
		rr, _ := s.invite.Header().RecordRoute()
		for _, r := range rr {
			h.Add("Record-Route", r.String())
		}
		h.Add("Contact", sip.Address{URI: s.ua.contactURI()}.String())
	}
	if code >= 200 && code < 300 {
		h.Add("Allow", allowHeader)
		h.Add("Supported", inviteSupported)
	}
	addHeaders(h, extra)
	if body != nil {
		resp.SetBody("application/sdp", body)
	}
	if err := s.srv.Respond(resp); err != nil {
		s.ua.log.Debug("INVITE response not sent", "code", code, "err", err)
	}
	return resp
}

// errSessionEnded is returned by methods called on an ended call.
var errSessionEnded = errors.New("ringo: the call has ended")

// errWrongState is returned by methods called in a state that does not
// allow them.
func errWrongState(op string, st SessionState) error {
	return fmt.Errorf("ringo: cannot %s a call in state %q", op, st)
}
