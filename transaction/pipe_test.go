package transaction_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// pipe connects two Layers in memory on one fake clock, as two user agents
// on one loop: what one sends is queued and delivered to the other by
// drain, serialized and parsed again when wire is set.
type pipe struct {
	tb       testing.TB
	clk      *clock.Fake
	a, b     *transaction.Layer
	wire     bool
	reliable bool
	queue    []delivery
	// drop, if set, decides whether the n-th message (from 0) is lost.
	drop func(n int) bool
	n    int
}

type delivery struct {
	to   *transaction.Layer
	from addr
	msg  sip.Message
	data []byte
}

const (
	addrA = addr("192.0.2.1:5060")
	addrB = addr("192.0.2.2:5060")
)

func newPipe(tb testing.TB, wire, reliable bool, ha, hb transaction.Handler) *pipe {
	p := &pipe{tb: tb, clk: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), wire: wire, reliable: reliable}
	var err error
	p.a, err = transaction.NewLayer(transaction.Config{Sender: p.sender(addrA), Handler: ha, Clock: p.clk})
	if err != nil {
		tb.Fatal(err)
	}
	p.b, err = transaction.NewLayer(transaction.Config{Sender: p.sender(addrB), Handler: hb, Clock: p.clk})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func (p *pipe) sender(self addr) transaction.Sender {
	return transaction.SenderFunc(func(msg sip.Message, dest transaction.Addr) error {
		n := p.n
		p.n++
		if p.drop != nil && p.drop(n) {
			return nil
		}
		to := p.a
		if dest == addrB {
			to = p.b
		}
		d := delivery{to: to, from: self, msg: msg}
		if p.wire {
			d.data = msg.Bytes()
			d.msg = nil
		}
		p.queue = append(p.queue, d)
		return nil
	})
}

// drain delivers queued messages until none is left.
func (p *pipe) drain() {
	for len(p.queue) > 0 {
		d := p.queue[0]
		p.queue[0] = delivery{}
		p.queue = p.queue[1:]
		msg := d.msg
		if msg == nil {
			var err error
			if msg, err = sip.Parse(d.data); err != nil {
				p.tb.Fatal(err)
			}
		}
		d.to.HandleMessage(msg, d.from, p.reliable)
	}
	p.queue = p.queue[:0]
}

// newRequest builds a request from A to B as a UAC core would.
func newRequest(method string, seq int) *sip.Request {
	req := sip.NewRequest(method, sip.URI{Scheme: "sip", User: "bob", Host: "192.0.2.2", Port: 5060})
	h := req.Header()
	h.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;rport")
	h.Add("Max-Forwards", "70")
	h.Add("From", "<sip:alice@example.com>;tag="+sip.NewTag())
	h.Add("To", "<sip:bob@example.com>")
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", strconv.Itoa(seq)+" "+method)
	h.Add("Contact", "<sip:alice@192.0.2.1:5060>")
	return req
}

// newACK builds the ACK for a 2xx as a UAC core would (§13.2.2.4).
func newACK(inv *sip.Request, resp *sip.Response) *sip.Request {
	ack := sip.NewRequest("ACK", inv.URI)
	h, ih := ack.Header(), inv.Header()
	h.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;rport")
	h.Add("Max-Forwards", "70")
	h.Add("From", ih.Get("From"))
	h.Add("To", resp.Header().Get("To"))
	h.Add("Call-ID", ih.CallID())
	cseq, _ := ih.CSeq()
	h.Add("CSeq", strconv.FormatUint(uint64(cseq.Seq), 10)+" ACK")
	return ack
}

// uas answers every request with 200 and counts the ACKs.
type uas struct {
	requests, acks int
}

func (u *uas) HandleRequest(s *transaction.Server, req *sip.Request) {
	u.requests++
	s.SetHandler(u)
	s.Respond(sip.NewResponse(req, 200, ""))
}
func (u *uas) HandleStray(sip.Message, transaction.Addr)       {}
func (u *uas) HandleACK(*transaction.Server, *sip.Request)     { u.acks++ }
func (u *uas) HandleError(*transaction.Server, error)          {}
func (u *uas) HandleTerminated(*transaction.Server)            {}
func (u *uac) HandleRequest(*transaction.Server, *sip.Request) {}
func (u *uac) HandleStray(sip.Message, transaction.Addr)       {}

// uac records final responses and ACKs 2xx responses to an INVITE.
type uac struct {
	finals, errors int
}

func (u *uac) HandleResponse(c *transaction.Client, resp *sip.Response) {
	if resp.StatusCode < 200 {
		return
	}
	u.finals++
	if resp.IsSuccess() && c.Request().Method == "INVITE" {
		if err := c.SendACK(newACK(c.Request(), resp), c.Dest()); err != nil {
			u.errors++
		}
	}
}
func (u *uac) HandleError(*transaction.Client, error) { u.errors++ }
func (u *uac) HandleTerminated(*transaction.Client)   {}

// Two layers complete INVITE and non-INVITE transactions through each
// other, and a lossy pipe still gets them done by retransmission.
func TestPipe(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reliable bool
		drop     func(int) bool
	}{
		{"reliable", true, nil},
		{"unreliable", false, nil},
		{"unreliable, every third message lost", false, func(n int) bool { return n%3 == 2 }},
		{"unreliable, first two of each kind lost", false, func(n int) bool { return n < 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, s := &uac{}, &uas{}
			p := newPipe(t, true, tc.reliable, c, s)
			p.drop = tc.drop
			for i, method := range []string{"OPTIONS", "INVITE", "MESSAGE", "INVITE"} {
				if _, err := p.a.Request(newRequest(method, i+1), addrB, tc.reliable, c); err != nil {
					t.Fatal(err)
				}
				for range 200 {
					p.drain()
					p.clk.Advance(100 * time.Millisecond)
				}
			}
			p.drain()
			for {
				d, ok := p.clk.Next()
				if !ok {
					break
				}
				p.clk.Advance(d)
				p.drain()
			}
			if c.finals != 4 || c.errors != 0 || s.acks != 2 {
				t.Errorf("finals %d, errors %d, ACKs %d", c.finals, c.errors, s.acks)
			}
			if tc.drop == nil && s.requests != 4 {
				t.Errorf("server saw %d requests", s.requests)
			}
			if p.a.Len()+p.b.Len() != 0 {
				t.Errorf("%d + %d transactions left", p.a.Len(), p.b.Len())
			}
		})
	}
}

// BenchmarkTransaction runs whole transactions between two layers in
// memory: request, 200, and for INVITE the ACK, then the clock moves on so
// that every timer (K, J, M, L, ...) fires and both sides forget them.
// "wire" serializes and parses each message as a transport would; "direct"
// hands the message values over and measures the layer alone.
func BenchmarkTransaction(b *testing.B) {
	for _, method := range []string{"OPTIONS", "INVITE"} {
		for _, reliable := range []bool{true, false} {
			for _, wire := range []bool{true, false} {
				name := method + "/" + map[bool]string{true: "reliable", false: "unreliable"}[reliable] +
					"/" + map[bool]string{true: "wire", false: "direct"}[wire]
				b.Run(name, func(b *testing.B) {
					c, s := &uac{}, &uas{}
					p := newPipe(b, wire, reliable, c, s)
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						if _, err := p.a.Request(newRequest(method, i+1), addrB, reliable, c); err != nil {
							b.Fatal(err)
						}
						p.drain()
						p.clk.Advance(40 * time.Second)
					}
					if c.finals != s.requests || c.errors != 0 || p.a.Len()+p.b.Len() != 0 {
						b.Fatalf("finals %d requests %d errors %d left %d", c.finals, s.requests, c.errors, p.a.Len()+p.b.Len())
					}
				})
			}
		}
	}
}
