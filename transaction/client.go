package transaction

import (
	"errors"
	"fmt"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

// Client is a client transaction: an INVITE client transaction (RFC 3261
// §17.1.1 with RFC 6026) or a non-INVITE one (§17.1.2). It sends its
// request, retransmits it on unreliable transports, passes the responses to
// its ClientHandler, and for an INVITE acknowledges non-2xx final responses
// itself.
//
// Its methods must be called on the loop goroutine.
type Client struct {
	l        *Layer
	req      *sip.Request
	dest     Addr
	reliable bool
	invite   bool
	state    State
	key      clientKey
	h        ClientHandler

	retx, life txTimer
	interval   time.Duration

	// ack is the ACK for a non-2xx final response, built once (§17.1.1.3).
	ack *sip.Request
	// acks are the ACKs that the TU sent with SendACK, by the To tag of
	// the 2xx they acknowledge; ack1 holds the first without allocating.
	acks []sentACK
	ack1 [1]sentACK

	// cancel is the CANCEL of this INVITE; waiting is set on a CANCEL
	// that waits for a provisional response to its INVITE before it may
	// be sent (§9.1).
	cancel  *Client
	waiting bool
}

// sentACK is an ACK the TU sent for a 2xx, resent when that 2xx is
// retransmitted.
type sentACK struct {
	toTag string
	ack   *sip.Request
	dest  Addr
}

// Request starts a client transaction for req, sent to dest, and returns
// it. reliable tells whether the transport to dest is reliable (TCP, TLS,
// WebSocket): then the request is not retransmitted and the Completed
// state ends at once.
//
// req must have a Via header (the transport fills in its sent-by) and a
// CSeq whose method is req.Method. If the top Via has no branch, Request
// gives it a new one (sip.NewBranch). req must not be an ACK, which is not
// a transaction (see Client.SendACK). The transaction owns req from now
// on: it sends the same value again on each retransmission.
//
// The request is sent before Request returns; if the Sender fails, Request
// returns an *Error wrapping ErrTransport and no transaction. h receives
// the transaction's events; nil ignores them.
func (l *Layer) Request(req *sip.Request, dest Addr, reliable bool, h ClientHandler) (*Client, error) {
	c, err := l.newClient(req, dest, reliable, h)
	if err != nil {
		return nil, err
	}
	if err := c.start(); err != nil {
		return nil, err
	}
	return c, nil
}

func (l *Layer) newClient(req *sip.Request, dest Addr, reliable bool, h ClientHandler) (*Client, error) {
	if l.closed {
		return nil, ErrClosed
	}
	if req.Method == "ACK" {
		return nil, errors.New("transaction: an ACK is not a transaction; send it with Client.SendACK or the transport")
	}
	hdr := req.Header()
	cseq, err := hdr.CSeq()
	if err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	if cseq.Method != req.Method {
		return nil, fmt.Errorf("transaction: CSeq method %q differs from request method %q", cseq.Method, req.Method)
	}
	branch, err := ensureBranch(hdr)
	if err != nil {
		return nil, err
	}
	key := clientKey{branch: branch, method: req.Method}
	if l.clients[key] != nil {
		return nil, fmt.Errorf("transaction: a %s client transaction with branch %q exists already", req.Method, branch)
	}
	if h == nil {
		h = nopClientHandler{}
	}
	c := &Client{l: l, req: req, dest: dest, reliable: reliable, invite: req.Method == "INVITE", key: key, h: h}
	c.retx = newTxTimer(l, c)
	c.life = newTxTimer(l, c)
	if c.invite {
		c.state = Calling
	} else {
		c.state = Trying
	}
	l.clients[key] = c
	return c, nil
}

// ensureBranch returns the branch of the top Via, first giving it a new
// one if it has none.
func ensureBranch(h *sip.Header) (string, error) {
	via, err := h.TopVia()
	if err != nil {
		return "", fmt.Errorf("transaction: %w", err)
	}
	if b := via.Branch(); b != "" {
		return b, nil
	}
	b := sip.NewBranch()
	h.ReplaceFirst("Via", h.Get("Via")+";branch="+b)
	return b, nil
}

// start sends the request and arms Timers A and B, or E and F.
func (c *Client) start() error {
	t1 := c.l.t1
	if c.invite {
		if !c.reliable {
			c.interval = t1
			c.retx.start(timerA, t1)
		}
		c.life.start(timerB, 64*t1)
	} else {
		if !c.reliable {
			c.interval = t1
			c.retx.start(timerE, t1)
		}
		c.life.start(timerF, 64*t1)
	}
	if err := c.l.send(c.req, c.dest); err != nil {
		c.state = Terminated
		c.stopTimers()
		c.l.removeClient(c)
		return transportError(err)
	}
	return nil
}

// Request returns the request the transaction sends.
func (c *Client) Request() *sip.Request { return c.req }

// Dest returns where the request goes.
func (c *Client) Dest() Addr { return c.dest }

// Reliable reports whether the transport is reliable.
func (c *Client) Reliable() bool { return c.reliable }

// State returns the transaction's state.
func (c *Client) State() State { return c.state }

// Branch returns the branch parameter that identifies the transaction.
func (c *Client) Branch() string { return c.key.branch }

// SendACK sends ack, the ACK for a 2xx response this INVITE transaction
// passed up, to dest. The TU builds it (RFC 3261 §13.2.2.4: it belongs to
// the dialog); SendACK gives its top Via a new branch if it has none. While
// the transaction stays in the Accepted state (Timer M), a retransmission
// of a 2xx with the same To tag is answered with the same ACK by the layer
// and not passed to the handler again. A Sender error is returned as an
// *Error wrapping ErrTransport.
func (c *Client) SendACK(ack *sip.Request, dest Addr) error {
	if !c.invite || ack.Method != "ACK" {
		return errors.New("transaction: SendACK needs an ACK for an INVITE transaction")
	}
	if c.state != Accepted {
		return fmt.Errorf("transaction: SendACK in state %v; send the ACK with the transport", c.state)
	}
	if _, err := ensureBranch(ack.Header()); err != nil {
		return err
	}
	tag := tagOf(ack.Header().Get("To"))
	found := false
	for i := range c.acks {
		if c.acks[i].toTag == tag {
			c.acks[i].ack, c.acks[i].dest = ack, dest
			found = true
		}
	}
	if !found {
		if c.acks == nil {
			c.acks = c.ack1[:0]
		}
		c.acks = append(c.acks, sentACK{toTag: tag, ack: ack, dest: dest})
	}
	if err := c.l.send(ack, dest); err != nil {
		return transportError(err)
	}
	return nil
}

// Cancel starts the CANCEL of this INVITE transaction (RFC 3261 §9.1) and
// returns its client transaction, which goes to the same destination. The
// CANCEL is built by the layer: the INVITE's Request-URI, Call-ID, From, To,
// CSeq number, top Via (same branch), Route and Max-Forwards.
//
// If no provisional response has arrived yet, the CANCEL is held until one
// does, as §9.1 requires; if a final response comes first, the held CANCEL
// is terminated without being sent. Once a final response has arrived,
// Cancel returns ErrTooLate.
//
// If the INVITE has no final response 64*T1 after the CANCEL was sent,
// the INVITE transaction gives up as §9.1 says: its handler gets an *Error
// for Timer B (408) and HandleTerminated.
func (c *Client) Cancel(h ClientHandler) (*Client, error) {
	if !c.invite {
		return nil, errors.New("transaction: only an INVITE can be cancelled")
	}
	if c.cancel != nil {
		return nil, errors.New("transaction: CANCEL already started")
	}
	if c.state != Calling && c.state != Proceeding {
		return nil, ErrTooLate
	}
	cc, err := c.l.newClient(buildCancel(c.req), c.dest, c.reliable, h)
	if err != nil {
		return nil, err
	}
	c.cancel = cc
	if c.state == Calling {
		cc.waiting = true
		return cc, nil
	}
	if err := cc.start(); err != nil {
		return nil, err
	}
	c.life.start(timerB, 64*c.l.t1)
	return cc, nil
}

// receive handles a response matched to the transaction.
func (c *Client) receive(resp *sip.Response) {
	if c.invite {
		c.receiveInvite(resp)
	} else {
		c.receiveNonInvite(resp)
	}
}

func (c *Client) receiveInvite(resp *sip.Response) {
	code := resp.StatusCode
	switch c.state {
	case Calling, Proceeding:
		switch {
		case code < 200:
			if c.state == Calling {
				c.state = Proceeding
				c.stopTimers()
			}
			c.h.HandleResponse(c, resp)
			c.sendHeldCancel()
		case code < 300:
			c.state = Accepted
			c.stopTimers()
			c.life.start(timerM, 64*c.l.t1)
			c.dropHeldCancel()
			c.h.HandleResponse(c, resp)
		default:
			c.state = Completed
			c.stopTimers()
			c.ack = buildACK(c.req, resp)
			c.dropHeldCancel()
			if err := c.l.send(c.ack, c.dest); err != nil {
				c.h.HandleResponse(c, resp)
				c.fail(transportError(err))
				return
			}
			if !c.reliable {
				c.life.start(timerD, c.l.timerD)
			}
			c.h.HandleResponse(c, resp)
			if c.reliable {
				c.terminate()
			}
		}
	case Completed:
		if code >= 300 {
			if err := c.l.send(c.ack, c.dest); err != nil {
				c.fail(transportError(err))
			}
		}
	case Accepted:
		if code < 200 || code >= 300 {
			return
		}
		if a := c.findACK(resp); a != nil {
			if err := c.l.send(a.ack, a.dest); err != nil {
				c.l.log.Debug("transaction: resending ACK failed", "to", a.dest, "err", err)
			}
			return
		}
		c.h.HandleResponse(c, resp)
	}
}

// findACK returns the ACK the TU sent for the 2xx's To tag, or nil.
func (c *Client) findACK(resp *sip.Response) *sentACK {
	if len(c.acks) == 0 {
		return nil
	}
	tag := tagOf(resp.Header().Get("To"))
	for i := range c.acks {
		if c.acks[i].toTag == tag {
			return &c.acks[i]
		}
	}
	return nil
}

func (c *Client) receiveNonInvite(resp *sip.Response) {
	switch c.state {
	case Trying, Proceeding:
		if resp.StatusCode < 200 {
			c.state = Proceeding
			c.h.HandleResponse(c, resp)
			return
		}
		c.state = Completed
		c.stopTimers()
		if !c.reliable {
			c.life.start(timerK, c.l.t4)
		}
		c.h.HandleResponse(c, resp)
		if c.reliable {
			c.terminate()
		}
	}
}

// onTimer handles the expiry of one of the transaction's timers.
func (c *Client) onTimer(id timerID) {
	switch id {
	case timerA:
		if c.state != Calling {
			return
		}
		c.interval *= 2
		c.retx.start(timerA, c.interval)
		c.retransmit()
	case timerE:
		if c.state != Trying && c.state != Proceeding {
			return
		}
		if c.state == Proceeding {
			c.interval = c.l.t2
		} else {
			c.interval = min(2*c.interval, c.l.t2)
		}
		c.retx.start(timerE, c.interval)
		c.retransmit()
	case timerB, timerF:
		c.fail(timeoutError(id.String(), ErrTimeout))
	case timerD, timerK, timerM:
		c.terminate()
	}
}

// retransmit sends the request again.
func (c *Client) retransmit() {
	if err := c.l.send(c.req, c.dest); err != nil {
		c.fail(transportError(err))
	}
}

// fail reports err to the TU and terminates.
func (c *Client) fail(err error) {
	if c.state == Terminated {
		return
	}
	c.state = Terminated
	c.stopTimers()
	c.l.removeClient(c)
	c.dropHeldCancel()
	c.h.HandleError(c, err)
	c.h.HandleTerminated(c)
}

// terminate ends the transaction normally.
func (c *Client) terminate() {
	if c.state == Terminated {
		return
	}
	c.state = Terminated
	c.stopTimers()
	c.l.removeClient(c)
	c.dropHeldCancel()
	c.h.HandleTerminated(c)
}

func (c *Client) stopTimers() {
	c.retx.stop()
	c.life.stop()
}

// sendHeldCancel sends a CANCEL that waited for a provisional response.
func (c *Client) sendHeldCancel() {
	cc := c.cancel
	if cc == nil || !cc.waiting || cc.state == Terminated {
		return
	}
	cc.waiting = false
	if err := cc.start(); err != nil {
		cc.h.HandleError(cc, err)
		cc.h.HandleTerminated(cc)
		return
	}
	c.life.start(timerB, 64*c.l.t1)
}

// dropHeldCancel terminates a CANCEL that was never sent.
func (c *Client) dropHeldCancel() {
	if cc := c.cancel; cc != nil && cc.waiting {
		cc.waiting = false
		cc.terminate()
	}
}

// removeClient forgets a terminated client transaction.
func (l *Layer) removeClient(c *Client) {
	if l.clients[c.key] == c {
		delete(l.clients, c.key)
	}
}
