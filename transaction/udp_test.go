package transaction_test

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// loop is a UA loop for tests that use the real clock: one goroutine runs
// every posted function in order.
type loop struct {
	ch   chan func()
	done chan struct{}
}

func newLoop(t *testing.T) *loop {
	l := &loop{ch: make(chan func(), 1024), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for f := range l.ch {
			f()
		}
	}()
	t.Cleanup(func() {
		close(l.ch)
		<-l.done
	})
	return l
}

// post runs f on the loop. It never blocks the caller forever: a full
// queue means the test is broken anyway.
func (l *loop) post(f func()) {
	select {
	case l.ch <- f:
	case <-time.After(5 * time.Second):
		panic("test loop queue full")
	}
}

// do runs f on the loop and waits for it.
func (l *loop) do(f func()) {
	done := make(chan struct{})
	l.post(func() { f(); close(done) })
	<-done
}

// udpSender sends each message as one datagram from conn.
type udpSender struct {
	conn *net.UDPConn
	sent atomic.Int64
}

func (s *udpSender) Send(msg sip.Message, dest transaction.Addr) error {
	s.sent.Add(1)
	_, err := s.conn.WriteToUDP(msg.Bytes(), dest.(*net.UDPAddr))
	return err
}

// readUDP reads datagrams from conn, parses them and hands them to layer on
// the loop, until conn is closed.
func readUDP(t *testing.T, conn *net.UDPConn, lp *loop, layer *transaction.Layer, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65535)
		for {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			m, err := sip.Parse(append([]byte(nil), buf[:n]...))
			if err != nil {
				t.Errorf("unparseable datagram from %v: %v", from, err)
				continue
			}
			lp.post(func() { layer.HandleMessage(m, from, false) })
		}
	}()
}

func listenUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// relay forwards datagrams between a client and a server and drops every
// third one, counting both directions together.
type relay struct {
	front, back *net.UDPConn // the client talks to front, the server to back
	server      *net.UDPAddr
	client      atomic.Pointer[net.UDPAddr]
	count       atomic.Int64
	dropped     atomic.Int64
}

func (r *relay) forward(from, to *net.UDPConn, dest func() *net.UDPAddr, learn bool, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65535)
		for {
			n, src, err := from.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if learn {
				r.client.Store(src)
			}
			if r.count.Add(1)%3 == 0 {
				r.dropped.Add(1)
				continue
			}
			if d := dest(); d != nil {
				to.WriteToUDP(buf[:n], d)
			}
		}
	}()
}

// An INVITE (with 180, 200 and the ACK for the 200) and an OPTIONS complete
// over real UDP through a relay that loses every third datagram: the
// transactions retransmit until they get through.
func TestLossyUDP(t *testing.T) {
	lp := newLoop(t)
	var wg sync.WaitGroup
	cconn, sconn := listenUDP(t), listenUDP(t)
	r := &relay{front: listenUDP(t), back: listenUDP(t), server: sconn.LocalAddr().(*net.UDPAddr)}
	defer func() {
		for _, c := range []*net.UDPConn{cconn, sconn, r.front, r.back} {
			c.Close()
		}
		wg.Wait()
	}()
	r.forward(r.front, r.back, func() *net.UDPAddr { return r.server }, true, &wg)
	r.forward(r.back, r.front, r.client.Load, false, &wg)

	cfg := transaction.Config{
		Post: lp.post,
		T1:   20 * time.Millisecond, T2: 160 * time.Millisecond, T4: 100 * time.Millisecond,
		TimerD: 200 * time.Millisecond,
	}
	csend, ssend := &udpSender{conn: cconn}, &udpSender{conn: sconn}

	finals := make(chan string, 10)
	acked := make(chan struct{}, 10)
	serverHandler := transaction.HandlerFuncs{Request: func(s *transaction.Server, req *sip.Request) {
		s.SetHandler(transaction.ServerFuncs{ACK: func(*transaction.Server, *sip.Request) { acked <- struct{}{} }})
		if req.Method != "INVITE" {
			s.Respond(sip.NewResponse(req, 200, ""))
			return
		}
		ringing := sip.NewResponse(req, 180, "")
		s.Respond(ringing)
		ok := sip.NewResponse(req, 200, "")
		ok.SetToTag(tagOfResponse(ringing))
		time.AfterFunc(50*time.Millisecond, func() { lp.post(func() { s.Respond(ok) }) })
	}}
	cfg.Sender, cfg.Handler = ssend, serverHandler
	server, err := transaction.NewLayer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sender, cfg.Handler = csend, transaction.HandlerFuncs{}
	client, err := transaction.NewLayer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer lp.do(func() { client.Close(); server.Close() })
	readUDP(t, cconn, lp, client, &wg)
	readUDP(t, sconn, lp, server, &wg)

	front := r.front.LocalAddr().(*net.UDPAddr)
	via := fmt.Sprintf("SIP/2.0/UDP %s;rport", cconn.LocalAddr())
	handler := transaction.ClientFuncs{
		Response: func(c *transaction.Client, resp *sip.Response) {
			if resp.StatusCode < 200 {
				return
			}
			if resp.IsSuccess() && c.Request().Method == "INVITE" {
				ack := newACK(c.Request(), resp)
				ack.Header().Set("Via", via)
				if err := c.SendACK(ack, front); err != nil {
					t.Error(err)
				}
			}
			finals <- fmt.Sprintf("%s %d", c.Request().Method, resp.StatusCode)
		},
		Error: func(c *transaction.Client, err error) { finals <- c.Request().Method + " " + err.Error() },
	}
	for i, method := range []string{"INVITE", "OPTIONS", "INVITE", "MESSAGE"} {
		req := newRequest(method, i+1)
		req.Header().Set("Via", via)
		var err error
		lp.do(func() { _, err = client.Request(req, front, false, handler) })
		if err != nil {
			t.Fatal(err)
		}
		want := method + " 200"
		select {
		case got := <-finals:
			if got != want {
				t.Fatalf("%s: got %q", method, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no final response", method)
		}
		if method == "INVITE" {
			select {
			case <-acked:
			case <-time.After(10 * time.Second):
				t.Fatal("the server never got the ACK for its 200")
			}
		}
	}
	// Four transactions need at least 13 datagrams: INVITE, 180, 200, ACK
	// twice, then request and 200 twice.
	sent := csend.sent.Load() + ssend.sent.Load()
	t.Logf("%d datagrams sent, %d relayed, %d dropped", sent, r.count.Load(), r.dropped.Load())
	if r.dropped.Load() == 0 || sent <= 12 {
		t.Errorf("no retransmission happened: %d sent, %d dropped", sent, r.dropped.Load())
	}
}

func tagOfResponse(resp *sip.Response) string {
	to, _ := resp.Header().To()
	return to.Tag()
}
