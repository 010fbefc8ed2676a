//go:build !js

package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// timerC is how long an INVITE branch may stay in the Proceeding state
// before the proxy cancels it (RFC 3261 §16.6 step 11: more than 3
// minutes).
const timerC = 181 * time.Second

// allow is the Allow header of the server's own answers.
const allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, REFER, INFO, UPDATE, PRACK, REGISTER"

// dialogCreating reports whether a request outside a dialog may create
// one, and so is record-routed.
func dialogCreating(method string) bool {
	switch method {
	case "INVITE", "SUBSCRIBE", "REFER", "NOTIFY":
		return true
	}
	return false
}

// reply answers st with a response built from req.
func (s *Server) reply(st *transaction.Server, req *sip.Request, code int, reason string) {
	s.respond(st, sip.NewResponse(req, code, reason))
}

// respond sends resp on st, logging a failure.
func (s *Server) respond(st *transaction.Server, resp *sip.Response) {
	if err := st.Respond(resp); err != nil && !errors.Is(err, transaction.ErrTerminated) {
		s.log.Debug("server: response not sent", "status", resp.StatusCode, "to", st.Source(), "err", err)
	}
}

// onRequest is the transaction layer's Handler for new server
// transactions.
func (s *Server) onRequest(st *transaction.Server, req *sip.Request) {
	src := st.Source().(flow)
	if req.Method == "CANCEL" {
		s.onCancel(st, req)
		return
	}
	h := req.Header()
	res := s.resolve(req, src)
	mf, mfErr := h.MaxForwards()
	if mfErr == nil && mf == 0 && req.Method == "OPTIONS" {
		res = resolution{local: true} // RFC 3261 §16.3 step 3
	}
	if req.Method == "REGISTER" && !res.inDialog && !(res.foreign && len(res.targets) > 0) {
		s.handleRegister(st, req, src)
		return
	}
	if res.local {
		s.answerLocal(st, req)
		return
	}
	if unsup := unsupported(h, "Proxy-Require"); len(unsup) > 0 {
		resp := sip.NewResponse(req, 420, "")
		resp.Header().Add("Unsupported", strings.Join(unsup, ", "))
		s.respond(st, resp)
		return
	}
	if s.auth != nil && !res.inDialog {
		if s.fromLocalUser(req) {
			if _, ok := s.authenticate(st, req, true); !ok {
				return
			}
		} else if res.foreign {
			s.reply(st, req, 403, "Forbidden (relaying denied)")
			return
		}
	}
	if res.code != 0 {
		s.reply(st, req, res.code, res.reason)
		return
	}
	to, _ := h.To()
	rr := !res.inDialog && to.Tag() == "" && dialogCreating(req.Method)
	p := &proxyTx{s: s, st: st, req: req, src: src, invite: req.Method == "INVITE"}
	st.SetHandler(p)
	s.proxies[st] = p
	for _, t := range res.targets {
		p.fork(t, rr)
	}
	if p.invite && !p.allDone() {
		p.timerC = s.clk.AfterFunc(timerC, func() { s.post(p.onTimerC) })
	}
	p.maybeFinish()
}

// answerLocal answers a request addressed to the server itself: OPTIONS
// with 200, anything else with 405 (REGISTER never comes here).
func (s *Server) answerLocal(st *transaction.Server, req *sip.Request) {
	if req.Method == "ACK" {
		return
	}
	code := 405
	if req.Method == "OPTIONS" {
		code = 200
	}
	resp := sip.NewResponse(req, code, "")
	rh := resp.Header()
	rh.Add("Allow", allow)
	if code == 200 {
		rh.Add("Accept", "application/sdp, text/plain")
		rh.Add("Supported", "outbound")
	}
	s.respond(st, resp)
}

// onCancel answers a CANCEL and cancels the branches of the INVITE it
// matches (RFC 3261 §16.10).
func (s *Server) onCancel(st *transaction.Server, req *sip.Request) {
	inv := s.layer.MatchCancel(req)
	p := s.proxies[inv]
	if inv == nil || p == nil {
		s.reply(st, req, 481, "")
		return
	}
	s.reply(st, req, 200, "")
	p.cancelPending(nil)
}

// onStray handles ACKs and responses that match no transaction: an ACK
// for a 2xx after the INVITE server transaction ended is forwarded; a
// response is dropped.
func (s *Server) onStray(msg sip.Message, src transaction.Addr) {
	if ack, ok := msg.(*sip.Request); ok && ack.Method == "ACK" {
		s.forwardACK(ack, src.(flow))
		return
	}
	s.log.Debug("server: stray response dropped", "start", msg.StartLine(), "from", src)
}

// forwardACK forwards an ACK for a 2xx statelessly (RFC 3261 §16.11).
func (s *Server) forwardACK(ack *sip.Request, src flow) {
	res := s.resolve(ack, src)
	if len(res.targets) == 0 {
		s.log.Debug("server: ACK dropped: no route", "uri", ack.URI.String(), "code", res.code)
		return
	}
	t := res.targets[0]
	h := ack.Header()
	mf, err := h.MaxForwards()
	switch {
	case err != nil:
		h.Set("Max-Forwards", "70")
	case mf == 0:
		return
	default:
		h.Set("Max-Forwards", strconv.Itoa(mf-1))
	}
	ack.URI = t.uri
	h.Prepend("Via", viaValue(t.dst)+";branch="+sip.NewBranch())
	if err := s.send(ack, t.dst); err != nil {
		s.log.Debug("server: ACK not forwarded", "to", t.dst.String(), "err", err)
	}
}

// A proxyTx is the proxy's state for one request: its server transaction
// and a branch (client transaction) per target (RFC 3261 §16).
type proxyTx struct {
	s        *Server
	st       *transaction.Server
	req      *sip.Request
	src      flow
	invite   bool
	branches []*branch
	// finals are the final responses of the branches, in arrival order,
	// until one is forwarded.
	finals    []*sip.Response
	finalSent bool
	timerC    clock.Timer
}

// A branch is one forwarded copy of the request.
type branch struct {
	p    *proxyTx
	c    *transaction.Client
	dst  flow
	done bool // a final response or a failure came
}

// fork forwards a copy of the request to t (RFC 3261 §16.6).
func (p *proxyTx) fork(t target, rr bool) {
	s := p.s
	req := p.req.Clone()
	req.URI = t.uri
	h := req.Header()
	if mf, err := h.MaxForwards(); err == nil {
		h.Set("Max-Forwards", strconv.Itoa(mf-1))
	} else {
		h.Set("Max-Forwards", "70")
	}
	if rr {
		s.recordRoute(h, p.src, t.dst)
	}
	h.Prepend("Via", viaValue(t.dst))
	b := &branch{p: p, dst: t.dst}
	p.branches = append(p.branches, b)
	c, err := s.layer.Request(req, t.dst, t.dst.reliable(), b)
	if err != nil {
		s.log.Debug("server: forwarding failed", "to", t.dst.String(), "err", err)
		b.done = true
		p.finals = append(p.finals, sip.NewResponse(p.req, 480, "Temporarily Unavailable (contact unreachable)"))
		return
	}
	b.c = c
}

// HandleResponse handles a response of a branch (RFC 3261 §16.7).
func (b *branch) HandleResponse(_ *transaction.Client, resp *sip.Response) {
	p := b.p
	code := resp.StatusCode
	if code == 100 {
		return
	}
	// The top Via is ours; the rest go back with the response.
	if h := resp.Header(); !h.RemoveFirst("Via") || !h.Has("Via") {
		return
	}
	switch {
	case code < 200:
		if p.timerC != nil {
			p.timerC.Reset(timerC)
		}
		if !p.finalSent && p.invite {
			p.forward(resp)
		}
	case code < 300:
		b.done = true
		p.forward(resp)
		if !p.finalSent {
			p.finalSent = true
			p.stopTimerC()
			p.cancelPending(b)
		}
	default:
		if b.done {
			return
		}
		b.done = true
		if p.finalSent {
			return
		}
		p.finals = append(p.finals, resp)
		if code >= 600 {
			p.cancelPending(b)
		}
		p.maybeFinish()
	}
}

// HandleError handles a branch that failed without a final response: it
// counts as 408 for a timeout and as 480 for a flow that cannot be
// written to.
func (b *branch) HandleError(_ *transaction.Client, err error) {
	p := b.p
	if b.done {
		return
	}
	b.done = true
	code, reason := 408, ""
	var te *transaction.Error
	if errors.As(err, &te) && te.StatusCode == 503 {
		code, reason = 480, "Temporarily Unavailable (contact unreachable)"
	}
	p.s.log.Debug("server: branch failed", "to", b.dst.String(), "err", err)
	if !p.finalSent {
		p.finals = append(p.finals, sip.NewResponse(p.req, code, reason))
		p.maybeFinish()
	}
}

// HandleTerminated implements transaction.ClientHandler.
func (b *branch) HandleTerminated(*transaction.Client) {}

// forward sends a response back on the server transaction.
func (p *proxyTx) forward(resp *sip.Response) {
	p.s.respond(p.st, resp)
}

func (p *proxyTx) allDone() bool {
	for _, b := range p.branches {
		if !b.done {
			return false
		}
	}
	return true
}

// maybeFinish sends the best final response once every branch has one
// (RFC 3261 §16.7 step 6).
func (p *proxyTx) maybeFinish() {
	if p.finalSent || !p.allDone() {
		return
	}
	p.finalSent = true
	p.stopTimerC()
	best := p.best()
	if best == nil {
		best = sip.NewResponse(p.req, 408, "")
	}
	p.forward(best)
}

// best picks the final response to forward: a 6xx, else the lowest
// class, the first of it; 503 becomes 500; a 401 or 407 carries the
// challenges of every 401 and 407 received.
func (p *proxyTx) best() *sip.Response {
	var best *sip.Response
	for _, r := range p.finals {
		switch {
		case best == nil:
			best = r
		case best.StatusCode >= 600:
		case r.StatusCode >= 600 || r.StatusCode/100 < best.StatusCode/100:
			best = r
		}
	}
	if best == nil {
		return nil
	}
	if best.StatusCode == 503 {
		best.StatusCode, best.Reason = 500, sip.StatusText(500)
	}
	if best.StatusCode == 401 || best.StatusCode == 407 {
		bh := best.Header()
		for _, r := range p.finals {
			if r == best || r.StatusCode != 401 && r.StatusCode != 407 {
				continue
			}
			for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
				for _, f := range r.Header().Fields() {
					if strings.EqualFold(f.Name, name) {
						bh.Add(name, f.Value)
					}
				}
			}
		}
	}
	return best
}

// cancelPending cancels every INVITE branch without a final response but
// except (RFC 3261 §16.7 step 10, §16.10).
func (p *proxyTx) cancelPending(except *branch) {
	if !p.invite {
		return
	}
	for _, b := range p.branches {
		if b == except || b.done || b.c == nil {
			continue
		}
		if _, err := b.c.Cancel(nil); err != nil && !errors.Is(err, transaction.ErrTooLate) {
			p.s.log.Debug("server: CANCEL not sent", "to", b.dst.String(), "err", err)
		}
	}
}

// onTimerC cancels the branches of an INVITE that has waited too long
// for a final response.
func (p *proxyTx) onTimerC() {
	if p.finalSent {
		return
	}
	p.s.log.Debug("server: Timer C fired", "uri", p.req.URI.String())
	p.cancelPending(nil)
}

func (p *proxyTx) stopTimerC() {
	if p.timerC != nil {
		p.timerC.Stop()
	}
}

// HandleACK forwards the ACK for a 2xx that the server transaction
// passed up.
func (p *proxyTx) HandleACK(_ *transaction.Server, ack *sip.Request) {
	p.s.forwardACK(ack, p.src)
}

// HandleError logs a failed server transaction.
func (p *proxyTx) HandleError(_ *transaction.Server, err error) {
	p.s.log.Debug("server: server transaction failed", "method", p.req.Method, "err", err)
}

// HandleTerminated forgets the proxy context.
func (p *proxyTx) HandleTerminated(st *transaction.Server) {
	p.stopTimerC()
	if p.s.proxies[st] == p {
		delete(p.s.proxies, st)
	}
}
