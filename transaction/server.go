package transaction

import (
	"fmt"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

// Server is a server transaction: an INVITE server transaction (RFC 3261
// §17.2.1 with RFC 6026) or a non-INVITE one (§17.2.2). It passes its
// request to the TU once, sends the TU's responses, answers request
// retransmissions with the last response, and retransmits final responses
// of an INVITE until the ACK comes.
//
// Its methods must be called on the loop goroutine.
type Server struct {
	l        *Layer
	req      *sip.Request
	src      Addr
	reliable bool
	invite   bool
	state    State
	h        ServerHandler

	key    serverKey
	legacy *legacyInfo // for a request without the magic cookie

	retx, life txTimer
	interval   time.Duration
	arrived    time.Time
	cseq       sip.CSeq

	// provisional is the last provisional response sent; held is a 100
	// for a non-INVITE request that RFC 4320 makes wait.
	provisional *sip.Response
	held        *sip.Response
	// final is the final response sent, finalToTag its To tag.
	final      *sip.Response
	finalToTag string
	// acked is set when the ACK for a 2xx arrived.
	acked     bool
	ackKey    ackKey
	ackKeySet bool
}

func newServer(l *Layer, req *sip.Request, src Addr, reliable bool, cseq sip.CSeq) *Server {
	s := &Server{l: l, req: req, src: src, reliable: reliable, invite: req.Method == "INVITE",
		h: nopServerHandler{}, cseq: cseq, arrived: l.clock.Now()}
	s.retx = newTxTimer(l, s)
	s.life = newTxTimer(l, s)
	if s.invite {
		s.state = Proceeding
	} else {
		s.state = Trying
	}
	return s
}

// begin arms the 100 Trying timer of an INVITE and passes the request to
// the TU.
func (s *Server) begin() {
	if s.invite {
		s.retx.start(timerTrying, TryingDelay)
	}
	s.l.handler.HandleRequest(s, s.req)
}

// Request returns the request that created the transaction.
func (s *Server) Request() *sip.Request { return s.req }

// Source returns the address the request came from, where responses go.
func (s *Server) Source() Addr { return s.src }

// Reliable reports whether the request came over a reliable transport.
func (s *Server) Reliable() bool { return s.reliable }

// State returns the transaction's state.
func (s *Server) State() State { return s.state }

// SetHandler sets the handler of the transaction's events; nil ignores
// them. It is usually called from Handler.HandleRequest.
func (s *Server) SetHandler(h ServerHandler) {
	if h == nil {
		h = nopServerHandler{}
	}
	s.h = h
}

// Respond sends resp, a response to the transaction's request, and moves
// the transaction on:
//
//   - a provisional response keeps it in (or moves it to) Proceeding;
//   - a 2xx to an INVITE moves it to Accepted (RFC 6026), where the layer
//     retransmits the 2xx as RFC 3261 §13.3.1.4 asks of the UAS core, on
//     every transport, at T1, 2*T1, ... capped at T2, until an ACK comes
//     or Timer L (64*T1) ends the transaction; further 2xx responses from
//     the TU are sent too;
//   - a 300-699 to an INVITE moves it to Completed (Timer G retransmits it
//     on unreliable transports, Timer H waits 64*T1 for the ACK);
//   - a final response to another request moves it to Completed (Timer J,
//     64*T1 on unreliable transports, absorbs retransmissions).
//
// For a non-INVITE request only 100 may be provisional (RFC 4320 §4.1):
// other 1xx codes are refused. Over an unreliable transport the 100 is
// held back until the time a client's Timer E takes to reach T2 (3.5 s
// with the default timers) has passed since the request arrived, and
// dropped if a final response is sent first. The layer never sends a
// provisional response to a non-INVITE request on its own.
//
// A Sender error terminates the transaction and is returned as an *Error
// wrapping ErrTransport; the handler hears only HandleTerminated. A
// response after the final one returns ErrFinalSent.
func (s *Server) Respond(resp *sip.Response) error {
	code := resp.StatusCode
	if code < 100 || code > 699 {
		return fmt.Errorf("transaction: status code %d out of range", code)
	}
	switch s.state {
	case Terminated:
		return ErrTerminated
	case Completed, Confirmed:
		return ErrFinalSent
	case Accepted:
		if code < 200 || code >= 300 {
			return ErrFinalSent
		}
		return s.sendOrDie(resp)
	}
	if s.invite {
		return s.respondInvite(resp)
	}
	return s.respondNonInvite(resp)
}

func (s *Server) respondInvite(resp *sip.Response) error {
	code := resp.StatusCode
	t1 := s.l.t1
	switch {
	case code < 200:
		s.retx.stop() // the 100 Trying timer
		s.provisional = resp
		return s.sendOrDie(resp)
	case code < 300:
		s.state = Accepted
		s.setFinal(resp)
		s.retx.stop()
		s.interval = t1
		s.retx.start(timerG, t1)
		s.life.start(timerL, 64*t1)
		k := newACKKey(s.req.Header(), s.cseq.Seq)
		k.toTag = s.finalToTag
		s.ackKey, s.ackKeySet = k, true
		s.l.accepted[k] = s
		return s.sendOrDie(resp)
	default:
		s.state = Completed
		s.setFinal(resp)
		s.retx.stop()
		if !s.reliable {
			s.interval = t1
			s.retx.start(timerG, t1)
		}
		s.life.start(timerH, 64*t1)
		return s.sendOrDie(resp)
	}
}

func (s *Server) respondNonInvite(resp *sip.Response) error {
	code := resp.StatusCode
	if code < 200 {
		if code != 100 {
			return fmt.Errorf("transaction: %d to a non-INVITE request: RFC 4320 allows only 100", code)
		}
		if s.state == Trying && !s.reliable {
			if wait := s.holdTime() - s.l.clock.Now().Sub(s.arrived); wait > 0 {
				s.held = resp
				s.retx.start(timerHold, wait)
				return nil
			}
		}
		s.state = Proceeding
		s.provisional = resp
		return s.sendOrDie(resp)
	}
	s.state = Completed
	s.setFinal(resp)
	s.held = nil
	s.retx.stop()
	if !s.reliable {
		s.life.start(timerJ, 64*s.l.t1)
	}
	if err := s.sendOrDie(resp); err != nil {
		return err
	}
	if s.reliable {
		s.terminate()
	}
	return nil
}

// holdTime is how long after a non-INVITE request arrives a client's
// Timer E reaches T2 (RFC 4320 §4.1): T1 + 2*T1 + ... until the next
// interval would be T2.
func (s *Server) holdTime() time.Duration {
	var d time.Duration
	for e := s.l.t1; e < s.l.t2; e *= 2 {
		d += e
	}
	return d
}

func (s *Server) setFinal(resp *sip.Response) {
	s.final = resp
	s.finalToTag = tagOf(resp.Header().Get("To"))
}

// sendOrDie sends resp; a failure terminates the transaction.
func (s *Server) sendOrDie(resp *sip.Response) error {
	if err := s.l.send(resp, s.src); err != nil {
		s.state = Terminated
		s.stopTimers()
		s.l.removeServer(s)
		s.h.HandleTerminated(s)
		return transportError(err)
	}
	return nil
}

// resend sends a response again from a timer or for a retransmitted
// request; a failure is reported to the handler and ends the transaction.
func (s *Server) resend(resp *sip.Response) {
	if err := s.l.send(resp, s.src); err != nil {
		s.fail(transportError(err))
	}
}

// receive handles a request matched to the transaction: a retransmission,
// or an ACK.
func (s *Server) receive(req *sip.Request) {
	if req.Method == "ACK" {
		s.receiveACK(req)
		return
	}
	switch s.state {
	case Proceeding:
		if s.provisional == nil && s.invite {
			// The client retransmits before our 100 was due: send it now.
			s.retx.stop()
			s.provisional = sip.NewResponse(s.req, 100, "")
		}
		if s.provisional != nil {
			s.resend(s.provisional)
		}
	case Completed:
		s.resend(s.final)
	}
	// Trying absorbs retransmissions (§17.2.2); so do Accepted (RFC 6026
	// §8.7) and Confirmed.
}

func (s *Server) receiveACK(ack *sip.Request) {
	if !s.invite {
		return
	}
	switch s.state {
	case Completed:
		s.state = Confirmed
		s.stopTimers()
		if s.reliable {
			s.terminate()
			return
		}
		s.life.start(timerI, s.l.t4)
	case Accepted:
		if !s.acked {
			s.acked = true
			s.retx.stop()
		}
		s.h.HandleACK(s, ack)
	}
}

// onTimer handles the expiry of one of the transaction's timers.
func (s *Server) onTimer(id timerID) {
	switch id {
	case timerTrying:
		if s.state == Proceeding && s.provisional == nil {
			s.provisional = sip.NewResponse(s.req, 100, "")
			s.resend(s.provisional)
		}
	case timerHold:
		if s.state == Trying && s.held != nil {
			s.state = Proceeding
			s.provisional, s.held = s.held, nil
			s.resend(s.provisional)
		}
	case timerG:
		if s.state == Completed || s.state == Accepted && !s.acked {
			s.interval = min(2*s.interval, s.l.t2)
			s.retx.start(timerG, s.interval)
			s.resend(s.final)
		}
	case timerH:
		s.fail(timeoutError("H", ErrNoACK))
	case timerL:
		if !s.acked {
			s.fail(timeoutError("L", ErrNoACK))
			return
		}
		s.terminate()
	case timerI, timerJ:
		s.terminate()
	}
}

// fail reports err to the TU and terminates.
func (s *Server) fail(err error) {
	if s.state == Terminated {
		return
	}
	s.state = Terminated
	s.stopTimers()
	s.l.removeServer(s)
	s.h.HandleError(s, err)
	s.h.HandleTerminated(s)
}

// terminate ends the transaction normally.
func (s *Server) terminate() {
	if s.state == Terminated {
		return
	}
	s.state = Terminated
	s.stopTimers()
	s.l.removeServer(s)
	s.h.HandleTerminated(s)
}

func (s *Server) stopTimers() {
	s.retx.stop()
	s.life.stop()
}
