package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
	"github.com/ringo-sip/ringo/transport"
)

// ringoEndpoint is a Ringo user agent reduced to what a transaction needs:
// one socket, a transaction layer, and the loop goroutine that owns the
// layer, fed by a goroutine that reads the socket. ringo.UA runs its
// layer the same way: messages and timer expiries reach the loop through
// channels, and the loop parses, matches and sends.
type ringoEndpoint struct {
	sock  transport.Socket
	addr  ringoAddr
	layer *transaction.Layer

	cmds chan func()
	msgs chan []byte
	quit chan struct{}
	// loopDone and readDone close when the loop and the reader end.
	loopDone, readDone chan struct{}
	ctx                context.Context
	cancel             context.CancelFunc
	fail               func(error)
}

// ringoAddr names the endpoint's socket as a transaction address.
type ringoAddr struct{ s transport.Socket }

func (a ringoAddr) Network() string { return "ws" }
func (a ringoAddr) String() string  { return a.s.URI().String() }

func newRingoEndpoint(sock transport.Socket, h transaction.Handler, fail func(error)) (*ringoEndpoint, error) {
	e := &ringoEndpoint{
		sock:     sock,
		addr:     ringoAddr{sock},
		cmds:     make(chan func(), 32), // as ringo.UA
		msgs:     make(chan []byte, 64),
		quit:     make(chan struct{}),
		loopDone: make(chan struct{}),
		readDone: make(chan struct{}),
		fail:     fail,
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	var err error
	e.layer, err = transaction.NewLayer(transaction.Config{
		Sender:  transaction.SenderFunc(e.send),
		Handler: h,
		Post:    func(f func()) { e.post(f) },
		Logger:  quiet,
	})
	if err != nil {
		return nil, err
	}
	go e.read()
	go e.loop()
	return e, nil
}

// post runs f on the loop, unless the loop has ended.
func (e *ringoEndpoint) post(f func()) {
	select {
	case e.cmds <- f:
	case <-e.loopDone:
	}
}

func (e *ringoEndpoint) read() {
	defer close(e.readDone)
	for {
		b, err := e.sock.Read(e.ctx)
		if err != nil {
			return
		}
		select {
		case e.msgs <- b:
		case <-e.quit:
			return
		}
	}
}

func (e *ringoEndpoint) loop() {
	defer close(e.loopDone)
	for {
		select {
		case f := <-e.cmds:
			f()
		case b := <-e.msgs:
			e.receive(b)
		case <-e.quit:
			return
		}
	}
}

// receive parses a message and hands it to the layer, as ringo.UA does.
func (e *ringoEndpoint) receive(b []byte) {
	msg, err := sip.Parse(b)
	if err != nil {
		e.fail(fmt.Errorf("ringo: parse: %w", err))
		return
	}
	if resp, ok := msg.(*sip.Response); ok {
		if err := sip.CheckResponse(resp); err != nil {
			e.fail(fmt.Errorf("ringo: bad response: %w", err))
			return
		}
	}
	e.layer.HandleMessage(msg, e.addr, true)
}

// send is the layer's Sender: it writes the message on the socket from
// the loop, each write bounded by a timeout, as ringo.UA's sendMessage
// does.
func (e *ringoEndpoint) send(msg sip.Message, _ transaction.Addr) error {
	b := msg.Bytes()
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	return e.sock.Send(ctx, b)
}

// sendTimeout is ringo.UA's bound on one write.
const sendTimeout = 5 * time.Second

// close stops the loop, the layer, the reader and the socket.
func (e *ringoEndpoint) close() {
	done := make(chan struct{})
	e.post(func() { e.layer.Close(); close(done) })
	<-done
	close(e.quit)
	<-e.loopDone
	e.cancel()
	e.sock.Close()
	<-e.readDone
}

// ringoPair is a Ringo UAC and a Ringo UAS connected over WebSocket on
// 127.0.0.1: the UAS listens, the UAC dials.
type ringoPair struct {
	ln       *transport.WebSocketListener
	uac, uas *ringoEndpoint
	target   sip.URI
	contact  string // the UAS's Contact
	from     sip.Address
	to       string

	// errs holds the first failure of a run.
	errs chan error

	// Run state on the UAC loop: INVITEs started and ACKs sent, and the
	// channel closed when the last ACK has been sent.
	want, started, acked int
	inFlight             int
	sent                 chan struct{}

	// On the UAS loop: ACKs received; allAcked gets a value when
	// ackWant of them have come.
	acks     atomic.Int64
	ackWant  atomic.Int64
	allAcked chan struct{}
}

func newRingoPair() (_ *ringoPair, err error) {
	p := &ringoPair{errs: make(chan error, 1), allAcked: make(chan struct{}, 1)}
	p.ln, err = transport.ListenWebSocket("127.0.0.1:0", nil, &transport.WebSocketHandlerOptions{Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	addr := p.ln.Addr()
	cs, err := transport.NewWebSocket("ws://"+addr.String()+"/", &transport.WebSocketOptions{Logger: quiet})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	if err := cs.Dial(ctx); err != nil {
		return nil, err
	}
	ss, err := p.ln.Accept(ctx)
	if err != nil {
		cs.Close()
		return nil, err
	}
	if p.uas, err = newRingoEndpoint(ss, ringoUAS{p}, p.fail); err != nil {
		cs.Close()
		ss.Close()
		return nil, err
	}
	if p.uac, err = newRingoEndpoint(cs, ringoUAC{p}, p.fail); err != nil {
		cs.Close()
		return nil, err
	}
	p.target = sip.URI{Scheme: "sip", User: "bob", Host: addr.Addr().String(), Port: int(addr.Port())}
	p.target.Params.Set("transport", "ws")
	p.contact = sip.Address{URI: p.target}.String()
	p.from = sip.Address{URI: sip.URI{Scheme: "sip", User: "alice", Host: "example.com"}}
	to := sip.Address{URI: p.target.Clone()}
	to.URI.Params = nil
	p.to = to.String()
	return p, nil
}

func (p *ringoPair) fail(err error) {
	select {
	case p.errs <- err:
	default:
	}
}

// run completes n INVITE transactions with inFlight of them open at a
// time, and returns when the UAS has received the n ACKs.
func (p *ringoPair) run(n, inFlight int) error {
	p.acks.Store(0)
	p.ackWant.Store(int64(n))
	sent := make(chan struct{})
	p.uac.post(func() {
		p.want, p.started, p.acked, p.inFlight, p.sent = n, 0, 0, inFlight, sent
		for range min(n, inFlight) {
			p.invite()
		}
	})
	for _, c := range []chan struct{}{sent, nil} {
		if c == nil {
			c = p.allAcked
		}
		select {
		case <-c:
		case err := <-p.errs:
			return err
		case <-time.After(runTimeout):
			return fmt.Errorf("ringo: timeout: %d ACKs received of %d", p.acks.Load(), n)
		}
	}
	return nil
}

// invite starts the next INVITE, on the UAC loop, as ringo.UA builds one.
func (p *ringoPair) invite() {
	p.started++
	req := sip.NewRequest("INVITE", p.target)
	h := req.Header()
	host, port := p.uac.sock.SentBy()
	v := sip.Via{Transport: p.uac.sock.ViaTransport(), Host: host, Port: port}
	v.Params.Set("branch", sip.NewBranch())
	h.Add("Via", v.String())
	h.Add("Max-Forwards", "70")
	h.Add("To", p.to)
	from := p.from.Clone()
	from.Params.Set("tag", sip.NewTag())
	h.Add("From", from.String())
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", "1 INVITE")
	h.Add("Contact", "<sip:alice@"+host+";transport=ws>")
	if _, err := p.uac.layer.Request(req, p.uac.addr, true, ringoUAC{p}); err != nil {
		p.fail(fmt.Errorf("ringo: INVITE: %w", err))
	}
}

func (p *ringoPair) close() {
	if p.uac != nil {
		p.uac.close()
	}
	if p.uas != nil {
		p.uas.close()
	}
	if p.ln != nil {
		p.ln.Close()
	}
}

// ringoUAC acknowledges each 2xx through the dialog it creates, as
// ringo.Session does, and starts the next INVITE.
type ringoUAC struct{ p *ringoPair }

func (u ringoUAC) HandleResponse(c *transaction.Client, resp *sip.Response) {
	p := u.p
	if resp.StatusCode < 200 {
		return
	}
	if resp.StatusCode >= 300 {
		p.fail(fmt.Errorf("ringo: INVITE answered %d", resp.StatusCode))
		return
	}
	d, err := dialog.NewUAC(c.Request(), resp)
	if err != nil {
		p.fail(fmt.Errorf("ringo: dialog: %w", err))
		return
	}
	ack := d.NewAck(d.LocalSeq)
	host, port := p.uac.sock.SentBy()
	v := sip.Via{Transport: p.uac.sock.ViaTransport(), Host: host, Port: port}
	v.Params.Set("branch", sip.NewBranch())
	ack.Header().Prepend("Via", v.String())
	if err := c.SendACK(ack, c.Dest()); err != nil {
		p.fail(fmt.Errorf("ringo: ACK: %w", err))
		return
	}
	p.acked++
	if p.started < p.want {
		p.invite()
	}
	if p.acked == p.want {
		close(p.sent)
	}
}

func (u ringoUAC) HandleError(_ *transaction.Client, err error) {
	u.p.fail(fmt.Errorf("ringo: client transaction: %w", err))
}
func (ringoUAC) HandleTerminated(*transaction.Client)            {}
func (ringoUAC) HandleRequest(*transaction.Server, *sip.Request) {}
func (u ringoUAC) HandleStray(msg sip.Message, _ transaction.Addr) {
	if resp, ok := msg.(*sip.Response); ok && resp.IsSuccess() {
		return // a 2xx retransmitted after Timer M: the dialog is gone
	}
	u.p.fail(errors.New("ringo: stray message at the UAC: " + msg.StartLine()))
}

// ringoUAS answers every INVITE with 200 and absorbs the ACK.
type ringoUAS struct{ p *ringoPair }

func (u ringoUAS) HandleRequest(s *transaction.Server, req *sip.Request) {
	if err := sip.CheckRequest(req); err != nil {
		u.p.fail(fmt.Errorf("ringo: UAS: %w", err))
		return
	}
	if req.Method != "INVITE" {
		s.Respond(sip.NewResponse(req, 405, ""))
		return
	}
	s.SetHandler(u)
	resp := sip.NewResponse(req, 200, "")
	resp.Header().Add("Contact", u.p.contact)
	if err := s.Respond(resp); err != nil {
		u.p.fail(fmt.Errorf("ringo: 200: %w", err))
	}
}

func (u ringoUAS) HandleACK(*transaction.Server, *sip.Request) { u.p.ack() }

func (u ringoUAS) HandleError(_ *transaction.Server, err error) {
	u.p.fail(fmt.Errorf("ringo: server transaction: %w", err))
}
func (ringoUAS) HandleTerminated(*transaction.Server) {}
func (u ringoUAS) HandleStray(msg sip.Message, _ transaction.Addr) {
	if req, ok := msg.(*sip.Request); ok && req.Method == "ACK" {
		return // an ACK retransmitted after Timer L
	}
	u.p.fail(errors.New("ringo: stray message at the UAS: " + msg.StartLine()))
}

// ack counts an ACK received by the UAS.
func (p *ringoPair) ack() {
	if p.acks.Add(1) == p.ackWant.Load() {
		select {
		case p.allAcked <- struct{}{}:
		default:
		}
	}
}

// quiet discards logs.
var quiet = slog.New(slog.DiscardHandler)
