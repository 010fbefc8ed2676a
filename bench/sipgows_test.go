package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipgo_sip "github.com/emiago/sipgo/sip"
)

// sipgoPair is a sipgo UAC and a sipgo UAS connected over WebSocket on
// 127.0.0.1: a Server with OnInvite answering 200 and OnAck counting, and
// a Client whose transport layer dials ws://127.0.0.1:port for the first
// request and keeps the connection for the others.
type sipgoPair struct {
	srvUA, cliUA *sipgo.UserAgent
	srv          *sipgo.Server
	client       *sipgo.Client
	ln           net.Listener
	served       chan struct{}
	target       sipgo_sip.Uri
	contact      sipgo_sip.ContactHeader // the UAC's
	srvContact   sipgo_sip.ContactHeader // the UAS's

	acks     atomic.Int64
	ackWant  atomic.Int64
	allAcked chan struct{}
}

var quietSipgo sync.Once

func newSipgoPair() (_ *sipgoPair, err error) {
	// sipgo's logger is global, and read by the goroutines of earlier
	// pairs that are still ending: set it once.
	quietSipgo.Do(func() { sipgo_sip.SetDefaultLogger(quiet) })
	p := &sipgoPair{allAcked: make(chan struct{}, 1), served: make(chan struct{})}
	if p.srvUA, err = sipgo.NewUA(); err != nil {
		return nil, err
	}
	if p.srv, err = sipgo.NewServer(p.srvUA, sipgo.WithServerLogger(quiet)); err != nil {
		p.srvUA.Close()
		return nil, err
	}
	if p.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		p.srvUA.Close()
		return nil, err
	}
	addr := p.ln.Addr().(*net.TCPAddr)
	p.target = sipgo_sip.Uri{Scheme: "sip", User: "bob", Host: "127.0.0.1", Port: addr.Port}
	p.srvContact = sipgo_sip.ContactHeader{Address: sipgo_sip.Uri{Scheme: "sip", User: "bob", Host: "127.0.0.1", Port: addr.Port,
		UriParams: wsParams()}}
	p.srv.OnInvite(func(req *sipgo_sip.Request, tx sipgo_sip.ServerTransaction) {
		res := sipgo_sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(&p.srvContact)
		tx.Respond(res)
	})
	p.srv.OnAck(func(*sipgo_sip.Request, sipgo_sip.ServerTransaction) {
		if p.acks.Add(1) == p.ackWant.Load() {
			select {
			case p.allAcked <- struct{}{}:
			default:
			}
		}
	})
	go func() {
		defer close(p.served)
		p.srv.ServeWS(p.ln)
	}()

	if p.cliUA, err = sipgo.NewUA(); err == nil {
		p.client, err = sipgo.NewClient(p.cliUA, sipgo.WithClientLogger(quiet), sipgo.WithClientHostname("127.0.0.1"))
	}
	if err != nil {
		p.close()
		return nil, err
	}
	p.contact = sipgo_sip.ContactHeader{Address: sipgo_sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1",
		UriParams: wsParams()}}
	return p, nil
}

// wsParams returns the URI parameters ";transport=ws".
func wsParams() sipgo_sip.HeaderParams {
	params := sipgo_sip.NewParams()
	params.Add("transport", "ws")
	return params
}

// run completes n INVITE transactions from inFlight goroutines, each with
// one transaction open at a time, and returns when the UAS has received
// the n ACKs.
func (p *sipgoPair) run(n, inFlight int) error {
	p.acks.Store(0)
	p.ackWant.Store(int64(n))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for range min(n, inFlight) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := p.transaction(); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	select {
	case <-p.allAcked:
		return nil
	case <-time.After(runTimeout):
		return fmt.Errorf("sipgo: timeout: %d ACKs received of %d", p.acks.Load(), n)
	}
}

// transaction sends an INVITE with client.TransactionRequest, waits for
// the 200 and sends the ACK as sipgo's dialog client builds it. Without a
// response the transaction ends by Timer B.
func (p *sipgoPair) transaction() error {
	ctx := context.Background()
	req := sipgo_sip.NewRequest(sipgo_sip.INVITE, p.target)
	req.SetTransport("WS")
	req.AppendHeader(&p.contact)
	tx, err := p.client.TransactionRequest(ctx, req)
	if err != nil {
		return fmt.Errorf("sipgo: INVITE: %w", err)
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			if !res.IsSuccess() {
				return fmt.Errorf("sipgo: INVITE answered %d", res.StatusCode)
			}
			if err := p.client.WriteRequest(newSipgoACK(req, res)); err != nil {
				return fmt.Errorf("sipgo: ACK: %w", err)
			}
			return nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return fmt.Errorf("sipgo: client transaction: %w", err)
			}
			return errors.New("sipgo: client transaction ended without a response")
		}
	}
}

// newSipgoACK builds the ACK for a 2xx as sipgo's DialogClientSession.Ack
// does (newAckRequestUAC, unexported in sipgo v1.7.3): Request-URI from
// the 2xx's Contact, From, To of the 2xx, Call-ID, CSeq with method ACK,
// Max-Forwards, Contact. Client.WriteRequest adds the Via.
func newSipgoACK(inv *sipgo_sip.Request, res *sipgo_sip.Response) *sipgo_sip.Request {
	recipient := &inv.Recipient
	if contact := res.Contact(); contact != nil {
		recipient = &contact.Address
	}
	ack := sipgo_sip.NewRequest(sipgo_sip.ACK, *recipient.Clone())
	ack.SipVersion = inv.SipVersion
	if h := inv.From(); h != nil {
		ack.AppendHeader(sipgo_sip.HeaderClone(h))
	}
	if h := res.To(); h != nil {
		ack.AppendHeader(sipgo_sip.HeaderClone(h))
	}
	if h := inv.CallID(); h != nil {
		ack.AppendHeader(sipgo_sip.HeaderClone(h))
	}
	if h := inv.CSeq(); h != nil {
		ack.AppendHeader(sipgo_sip.HeaderClone(h))
	}
	ack.CSeq().MethodName = sipgo_sip.ACK
	maxForwards := sipgo_sip.MaxForwardsHeader(70)
	ack.AppendHeader(&maxForwards)
	if h := inv.Contact(); h != nil {
		ack.AppendHeader(sipgo_sip.HeaderClone(h))
	}
	ack.SetBody(nil)
	ack.SetTransport(inv.Transport())
	ack.SetSource(inv.Source())
	ack.Laddr = inv.Laddr
	return ack
}

func (p *sipgoPair) close() {
	if p.cliUA != nil {
		p.cliUA.Close()
	}
	p.srvUA.Close()
	p.ln.Close()
	<-p.served
}
