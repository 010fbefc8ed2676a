package transaction

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
)

// Default timer values of RFC 3261 §17.1.1.1 and Table 4.
const (
	// DefaultT1 is the RTT estimate: 500 ms.
	DefaultT1 = 500 * time.Millisecond
	// DefaultT2 is the longest retransmission interval for non-INVITE
	// requests and INVITE responses: 4 s.
	DefaultT2 = 4 * time.Second
	// DefaultT4 is the longest time a message stays in the network: 5 s.
	DefaultT4 = 5 * time.Second
	// DefaultTimerD is how long an INVITE client transaction waits for
	// response retransmissions on an unreliable transport: 32 s.
	DefaultTimerD = 32 * time.Second
	// TryingDelay is how long an INVITE server transaction waits for the
	// TU's first response before sending 100 Trying itself (§17.2.1).
	TryingDelay = 200 * time.Millisecond
)

// Config configures a Layer. The zero value of each field but Sender and
// Handler is its documented default.
type Config struct {
	// Sender sends every message the layer emits. Required.
	Sender Sender
	// Handler receives new server transactions and stray messages.
	// Required.
	Handler Handler
	// Clock drives the timers. Nil means clock.Real().
	Clock clock.Clock
	// Post runs f on the loop goroutine that drives the layer, later and
	// in order; the layer uses it to bring timer expiries, which the
	// clock reports on its own goroutine, back to the loop. Required
	// with the real clock. With nil, timer callbacks run the state
	// machines directly on whatever goroutine the clock calls them on,
	// which is right only for a clock.Fake advanced on the loop.
	Post func(f func())
	// T1, T2 and T4 are the timer values of RFC 3261 §17; zero means
	// DefaultT1, DefaultT2, DefaultT4. T2 must not be below T1.
	T1, T2, T4 time.Duration
	// TimerD is Timer D on unreliable transports; zero means
	// DefaultTimerD (32 s, as RFC 3261 requires at least). Tests that
	// run with the real clock and a small T1 may shorten it.
	TimerD time.Duration
	// Logger receives debug logs of dropped and stray messages. Nil
	// discards them.
	Logger *slog.Logger
}

// Layer is the transaction layer of one user agent: it creates client and
// server transactions, matches incoming messages to them, and runs their
// timers.
//
// A Layer is not safe for concurrent use. It belongs to one goroutine, the
// UA loop: every method, and every handler call it makes, runs there.
// Timer expiries reach the loop through Config.Post.
type Layer struct {
	sender  Sender
	handler Handler
	clock   clock.Clock
	post    func(func())
	log     *slog.Logger
	t1, t2  time.Duration
	t4      time.Duration
	timerD  time.Duration
	closed  bool

	clients map[clientKey]*Client
	servers map[serverKey]*Server
	// legacy holds the server transactions of requests whose branch lacks
	// the magic cookie, matched by RFC 3261 §17.2.3's RFC 2543 rules.
	legacy []*Server
	// timers holds the armed timer slots of every transaction; clockTimer
	// is set for the earliest (timerAt; zero when not armed).
	timers     timerHeap
	timerSeq   uint64
	clockTimer clock.Timer
	timerAt    time.Time
	fireFn     func()

	// accepted indexes INVITE server transactions in the Accepted state by
	// dialog and CSeq, so that the ACK for their 2xx (which has a branch
	// of its own) stops the 2xx retransmissions.
	accepted map[ackKey]*Server
}

// NewLayer returns a Layer configured by cfg, or an error that names the
// bad field.
func NewLayer(cfg Config) (*Layer, error) {
	if cfg.Sender == nil {
		return nil, errors.New("transaction: Config.Sender is nil")
	}
	if cfg.Handler == nil {
		return nil, errors.New("transaction: Config.Handler is nil")
	}
	l := &Layer{
		sender:   cfg.Sender,
		handler:  cfg.Handler,
		clock:    cfg.Clock,
		post:     cfg.Post,
		log:      cfg.Logger,
		t1:       cmp(cfg.T1, DefaultT1),
		t2:       cmp(cfg.T2, DefaultT2),
		t4:       cmp(cfg.T4, DefaultT4),
		timerD:   cmp(cfg.TimerD, DefaultTimerD),
		clients:  make(map[clientKey]*Client),
		servers:  make(map[serverKey]*Server),
		accepted: make(map[ackKey]*Server),
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"T1", cfg.T1}, {"T2", cfg.T2}, {"T4", cfg.T4}, {"TimerD", cfg.TimerD}} {
		if f.d < 0 {
			return nil, fmt.Errorf("transaction: Config.%s is negative (%v)", f.name, f.d)
		}
	}
	if l.t2 < l.t1 {
		return nil, fmt.Errorf("transaction: Config.T2 (%v) is below T1 (%v)", l.t2, l.t1)
	}
	if l.clock == nil {
		if l.post == nil {
			return nil, errors.New("transaction: Config.Post is required with the real clock")
		}
		l.clock = clock.Real()
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	return l, nil
}

func cmp(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Len returns the number of transactions that have not terminated.
func (l *Layer) Len() int { return len(l.clients) + len(l.servers) + len(l.legacy) }

// Close terminates every transaction and stops its timers, without calling
// any handler. Afterwards HandleMessage does nothing and Request returns
// ErrClosed.
func (l *Layer) Close() {
	if l.closed {
		return
	}
	l.closed = true
	for _, c := range l.clients {
		c.state = Terminated
	}
	for _, s := range l.servers {
		s.state = Terminated
	}
	for _, s := range l.legacy {
		s.state = Terminated
	}
	for _, t := range l.timers {
		t.index = -1
	}
	l.timers = nil
	if l.clockTimer != nil {
		l.clockTimer.Stop()
	}
	clear(l.clients)
	clear(l.servers)
	clear(l.accepted)
	l.legacy = nil
}

// HandleMessage passes a message received from src to the layer. reliable
// tells whether it came over a reliable transport (TCP, TLS, WebSocket,
// SCTP), which decides the timers of a server transaction it creates.
//
// A response goes to the client transaction it matches (RFC 3261 §17.1.3:
// the branch of the top Via and the CSeq method), or to
// Handler.HandleStray. A request goes to the server transaction it matches
// (§17.2.3: branch, sent-by and method, with ACK matching INVITE; the RFC
// 2543 rules when the branch lacks the magic cookie); an ACK that matches
// none but acknowledges a 2xx of an INVITE server transaction in the
// Accepted state goes to that transaction; any other ACK to
// Handler.HandleStray; any other request creates a server transaction and
// goes to Handler.HandleRequest.
//
// The layer checks only what it needs to match: a request with an
// unreadable top Via or CSeq, a CSeq method that differs from the request
// method, or a SIP version other than 2.0 is answered statelessly with 400
// or 505 (never an ACK), and a response with an unreadable top Via or CSeq
// is dropped. Full validation (sip.CheckRequest) is the TU's.
func (l *Layer) HandleMessage(msg sip.Message, src Addr, reliable bool) {
	if l.closed {
		return
	}
	switch m := msg.(type) {
	case *sip.Response:
		l.handleResponse(m, src)
	case *sip.Request:
		l.handleRequest(m, src, reliable)
	}
}

func (l *Layer) handleResponse(resp *sip.Response, src Addr) {
	h := resp.Header()
	via, err := h.TopVia()
	if err != nil {
		l.log.Debug("transaction: response dropped", "from", src, "err", err)
		return
	}
	cseq, err := h.CSeq()
	if err != nil {
		l.log.Debug("transaction: response dropped", "from", src, "err", err)
		return
	}
	c := l.clients[clientKey{branch: via.Branch(), method: cseq.Method}]
	if c == nil {
		l.log.Debug("transaction: stray response", "from", src, "status", resp.StatusCode, "cseq", cseq)
		l.handler.HandleStray(resp, src)
		return
	}
	c.receive(resp)
}

func (l *Layer) handleRequest(req *sip.Request, src Addr, reliable bool) {
	h := req.Header()
	via, verr := h.TopVia()
	cseq, cerr := h.CSeq()
	switch {
	case req.Proto != sip.Version:
		l.reject(req, src, 505, "")
		return
	case verr != nil:
		l.reject(req, src, 400, verr.Error())
		return
	case cerr != nil:
		l.reject(req, src, 400, cerr.Error())
		return
	case cseq.Method != req.Method:
		l.reject(req, src, 400, "CSeq method does not match the request method")
		return
	}
	branch := via.Branch()
	var s *Server
	var key serverKey
	legacy := !strings.HasPrefix(branch, sip.MagicCookie)
	if legacy {
		s = l.matchLegacy(req, &via, cseq)
	} else {
		key = newServerKey(branch, &via, req.Method)
		s = l.servers[key]
	}
	if s != nil {
		s.receive(req)
		return
	}
	if req.Method == "ACK" {
		if s := l.accepted[newACKKey(h, cseq.Seq)]; s != nil {
			s.receive(req)
			return
		}
		l.log.Debug("transaction: stray ACK", "from", src, "cseq", cseq)
		l.handler.HandleStray(req, src)
		return
	}
	s = newServer(l, req, src, reliable, cseq)
	if legacy {
		s.legacy = newLegacyInfo(req, &via, cseq)
		l.legacy = append(l.legacy, s)
	} else {
		s.key = key
		l.servers[key] = s
	}
	s.begin()
}

// reject answers a request the layer cannot match, without a transaction.
func (l *Layer) reject(req *sip.Request, src Addr, code int, detail string) {
	l.log.Debug("transaction: bad request", "from", src, "code", code, "detail", detail)
	if req.Method == "ACK" {
		return
	}
	h := req.Header()
	for _, name := range [...]string{"Via", "From", "To", "Call-ID", "CSeq"} {
		if !h.Has(name) {
			return
		}
	}
	reason := sip.StatusText(code)
	if detail != "" {
		detail = strings.Map(func(r rune) rune {
			if r < ' ' {
				return ' '
			}
			return r
		}, detail)
		if len(detail) > 120 {
			detail = detail[:120]
		}
		reason += " (" + detail + ")"
	}
	if err := l.sender.Send(sip.NewResponse(req, code, reason), src); err != nil {
		l.log.Debug("transaction: sending a stateless response failed", "to", src, "err", err)
	}
}

// MatchCancel returns the INVITE server transaction that a CANCEL request
// targets (RFC 3261 §9.2: the same branch and sent-by in the top Via, or by
// the RFC 2543 rules when the branch lacks the magic cookie), or nil if
// there is none. The CANCEL itself has a server transaction of its own,
// handed to Handler.HandleRequest; the TU answers it with 200 (or 481 when
// MatchCancel returns nil) and, if the INVITE transaction is still in the
// Proceeding state, answers the INVITE with 487.
func (l *Layer) MatchCancel(cancel *sip.Request) *Server {
	h := cancel.Header()
	via, err := h.TopVia()
	if err != nil {
		return nil
	}
	cseq, err := h.CSeq()
	if err != nil {
		return nil
	}
	branch := via.Branch()
	if strings.HasPrefix(branch, sip.MagicCookie) {
		return l.servers[newServerKey(branch, &via, "INVITE")]
	}
	info := newLegacyInfo(cancel, &via, cseq)
	for _, s := range l.legacy {
		if s.invite && s.legacy.matchCancel(info) {
			return s
		}
	}
	return nil
}

// send passes msg to the Sender.
func (l *Layer) send(msg sip.Message, dest Addr) error {
	return l.sender.Send(msg, dest)
}

// removeServer forgets a terminated server transaction.
func (l *Layer) removeServer(s *Server) {
	if s.legacy != nil {
		for i, x := range l.legacy {
			if x == s {
				l.legacy = append(l.legacy[:i], l.legacy[i+1:]...)
				break
			}
		}
	} else if l.servers[s.key] == s {
		delete(l.servers, s.key)
	}
	if s.ackKeySet && l.accepted[s.ackKey] == s {
		delete(l.accepted, s.ackKey)
	}
}
