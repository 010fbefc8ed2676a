package transaction_test

import (
	"fmt"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// A non-INVITE client transaction over UDP: the request is retransmitted
// by Timer E until the response comes, and Timer K ends the transaction.
// A fake clock stands in for time, so the example runs instantly; a real
// UA passes Config.Post to bring timer expiries onto its loop.
func ExampleLayer_Request() {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	start := clk.Now()
	server := &wire{}
	layer, err := transaction.NewLayer(transaction.Config{
		Sender: transaction.SenderFunc(func(msg sip.Message, dest transaction.Addr) error {
			fmt.Printf("%v send %s to %v\n", clk.Now().Sub(start), msg.StartLine(), dest)
			server.last = msg
			return nil
		}),
		Handler: transaction.HandlerFuncs{},
		Clock:   clk,
	})
	if err != nil {
		panic(err)
	}
	defer layer.Close()

	req := sip.NewRequest("OPTIONS", sip.MustParseURI("sip:bob@192.0.2.2"))
	req.Header().Add("Via", "SIP/2.0/UDP 192.0.2.1:5060") // the branch is added
	req.Header().Add("From", "<sip:alice@example.com>;tag=1928301774")
	req.Header().Add("To", "<sip:bob@example.com>")
	req.Header().Add("Call-ID", "a84b4c76e66710")
	req.Header().Add("CSeq", "63104 OPTIONS")
	req.Header().Add("Max-Forwards", "70")

	_, err = layer.Request(req, addr("192.0.2.2:5060"), false, transaction.ClientFuncs{
		Response: func(c *transaction.Client, resp *sip.Response) {
			fmt.Printf("%v response %d, state %v\n", clk.Now().Sub(start), resp.StatusCode, c.State())
		},
		Terminated: func(c *transaction.Client) {
			fmt.Printf("%v terminated\n", clk.Now().Sub(start))
		},
	})
	if err != nil {
		panic(err)
	}
	clk.Advance(2 * time.Second) // Timer E: 500 ms, then 1 s later
	resp := sip.NewResponse(server.last.(*sip.Request), 200, "")
	layer.HandleMessage(resp, addr("192.0.2.2:5060"), false)
	clk.Advance(10 * time.Second) // Timer K: T4 = 5 s
	// Output:
	// 0s send OPTIONS sip:bob@192.0.2.2 SIP/2.0 to 192.0.2.2:5060
	// 500ms send OPTIONS sip:bob@192.0.2.2 SIP/2.0 to 192.0.2.2:5060
	// 1.5s send OPTIONS sip:bob@192.0.2.2 SIP/2.0 to 192.0.2.2:5060
	// 2s response 200, state Completed
	// 7s terminated
}

// wire is the example's stand-in for the network: it remembers the last
// message sent.
type wire struct{ last sip.Message }

// An INVITE server transaction over UDP: the layer sends 100 Trying when
// the TU has not answered within 200 ms, retransmits the TU's 486 by Timer
// G until the ACK comes, and Timer I ends the transaction.
func ExampleLayer_HandleMessage() {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	start := clk.Now()
	var pending *transaction.Server
	layer, err := transaction.NewLayer(transaction.Config{
		Sender: transaction.SenderFunc(func(msg sip.Message, dest transaction.Addr) error {
			fmt.Printf("%v send %s\n", clk.Now().Sub(start), msg.StartLine())
			return nil
		}),
		Handler: transaction.HandlerFuncs{Request: func(s *transaction.Server, req *sip.Request) {
			fmt.Printf("%v new %s transaction\n", clk.Now().Sub(start), req.Method)
			s.SetHandler(transaction.ServerFuncs{Terminated: func(*transaction.Server) {
				fmt.Printf("%v terminated\n", clk.Now().Sub(start))
			}})
			pending = s // answered later
		}},
		Clock: clk,
	})
	if err != nil {
		panic(err)
	}
	defer layer.Close()

	invite := []byte("INVITE sip:bob@192.0.2.2 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:alice@example.com>;tag=1928301774\r\n" +
		"To: <sip:bob@example.com>\r\n" +
		"Call-ID: a84b4c76e66710\r\n" +
		"CSeq: 314159 INVITE\r\n" +
		"Content-Length: 0\r\n\r\n")
	msg, _ := sip.Parse(invite)
	src := addr("192.0.2.1:5060")
	layer.HandleMessage(msg, src, false)
	clk.Advance(time.Second)

	busy := sip.NewResponse(pending.Request(), 486, "")
	pending.Respond(busy)
	clk.Advance(2 * time.Second) // Timer G: 500 ms, then 1 s later

	ack := sip.NewRequest("ACK", sip.MustParseURI("sip:bob@192.0.2.2"))
	for _, name := range []string{"Via", "From", "Call-ID"} {
		ack.Header().Add(name, msg.Header().Get(name))
	}
	ack.Header().Add("To", busy.Header().Get("To"))
	ack.Header().Add("CSeq", "314159 ACK")
	layer.HandleMessage(ack, src, false)
	clk.Advance(10 * time.Second) // Timer I: T4 = 5 s
	// Output:
	// 0s new INVITE transaction
	// 200ms send SIP/2.0 100 Trying
	// 1s send SIP/2.0 486 Busy Here
	// 1.5s send SIP/2.0 486 Busy Here
	// 2.5s send SIP/2.0 486 Busy Here
	// 8s terminated
}
