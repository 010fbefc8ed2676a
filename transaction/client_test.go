package transaction_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// Timer A doubles without a cap: 500 ms, 1 s, 2 s, 4 s, 8 s, 16 s; Timer B
// fires at 64*T1 = 32 s.
var timerASends = series(0, 500*ms, 1*sec, 2*sec, 4*sec, 8*sec, 16*sec)

// Timer E doubles up to T2: 500 ms, 1 s, 2 s, 4 s, 4 s, ...; Timer F fires
// at 32 s.
var timerESends = series(0, 500*ms, 1*sec, 2*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec)

type clientCase struct {
	name       string
	reliable   bool
	steps      func(e *clientEnv) []step
	wantSent   []string
	wantEvents []string
}

func runClientCases(t *testing.T, cases []clientCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &clientEnv{env: newEnv(t), reliable: tc.reliable}
			e.run(tc.steps(e))
			equalLists(t, "sent", e.sends(), tc.wantSent)
			equalLists(t, "events", e.events, tc.wantEvents)
			e.checkRetransmissions()
			if e.c.State() != transaction.Terminated {
				t.Errorf("state %v at the end, want Terminated", e.c.State())
			}
			if n := e.l.Len(); n != 0 {
				t.Errorf("%d transactions left", n)
			}
			if n := e.clk.Pending(); n != 0 {
				t.Errorf("%d timers left", n)
			}
		})
	}
}

func TestInviteClient(t *testing.T) {
	runClientCases(t, []clientCase{{
		name:     "unreliable/Calling: Timer A retransmits, Timer B times out",
		steps:    func(e *clientEnv) []step { return []step{{0, e.start("INVITE")}} },
		wantSent: at(inviteLine, timerASends...),
		wantEvents: []string{
			"32s error timeout B 408",
			"32s terminated INVITE",
		},
	}, {
		name:       "reliable/Calling: no Timer A, Timer B times out",
		reliable:   true,
		steps:      func(e *clientEnv) []step { return []step{{0, e.start("INVITE")}} },
		wantSent:   at(inviteLine, 0),
		wantEvents: []string{"32s error timeout B 408", "32s terminated INVITE"},
	}, {
		name: "unreliable/Proceeding then Completed: 1xx stops A and B, ACK, Timer D",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("INVITE")},
				{700 * ms, e.reply(100)},
				{1 * sec, e.reply(180)},
				{40 * sec, e.reply(486)}, // no Timer B once Proceeding
				{41 * sec, e.reply(486)}, // retransmission: ACK again, not passed up
				{50 * sec, e.reply(486)},
			}
		},
		wantSent: join(at(inviteLine, 0, 500*ms), at(ackLine, 40*sec, 41*sec, 50*sec)),
		wantEvents: []string{
			"700ms response 100",
			"1s response 180",
			"40s response 486",
			"1m12s terminated INVITE", // Timer D: 32 s after Completed
		},
	}, {
		name: "unreliable/Calling to Completed directly",
		steps: func(e *clientEnv) []step {
			return []step{{0, e.start("INVITE")}, {2 * sec, e.reply(503)}}
		},
		wantSent:   join(at(inviteLine, 0, 500*ms, 1500*ms), at(ackLine, 2*sec)),
		wantEvents: []string{"2s response 503", "34s terminated INVITE"},
	}, {
		name:     "reliable/Completed ends at once (Timer D = 0)",
		reliable: true,
		steps: func(e *clientEnv) []step {
			return []step{{0, e.start("INVITE")}, {100 * ms, e.reply(180)}, {3 * sec, e.reply(404)}}
		},
		wantSent:   join(at(inviteLine, 0), at(ackLine, 3*sec)),
		wantEvents: []string{"100ms response 180", "3s response 404", "3s terminated INVITE"},
	}, {
		name: "unreliable/Accepted: 2xx retransmissions passed up until Timer M",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("INVITE")},
				{1 * sec, e.reply(200)},
				{2 * sec, e.reply(200)},
				{3 * sec, e.reply(486)}, // not a 2xx: ignored in Accepted
				{4 * sec, e.reply(200)},
			}
		},
		wantSent: at(inviteLine, 0, 500*ms),
		wantEvents: []string{
			"1s response 200",
			"2s response 200",
			"4s response 200",
			"33s terminated INVITE", // Timer M = 64*T1 after the first 2xx
		},
	}, {
		name:     "reliable/Accepted: Timer M too",
		reliable: true,
		steps: func(e *clientEnv) []step {
			return []step{{0, e.start("INVITE")}, {1 * sec, e.reply(200)}}
		},
		wantSent:   at(inviteLine, 0),
		wantEvents: []string{"1s response 200", "33s terminated INVITE"},
	}, {
		name: "unreliable/Accepted: SendACK answers 2xx retransmissions itself",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("INVITE")},
				{1 * sec, func(*env) {
					resp := response(e.c.Request(), 200, "t1")
					e.l.HandleMessage(resp, peer, false)
					ack := msg(t, `
ACK sip:bob@192.0.2.9 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060
Max-Forwards: 70
From: Alice <sip:alice@example.com>;tag=a1
To: Bob <sip:bob@example.com>;tag=t1
Call-ID: call-1@192.0.2.1
CSeq: 1 ACK
Content-Length: 0

`).(*sip.Request)
					if err := e.c.SendACK(ack, peer); err != nil {
						t.Fatal(err)
					}
					if b := ack.Header().Get("Via"); !strings.Contains(b, "branch="+sip.MagicCookie) {
						t.Errorf("SendACK left the Via without a branch: %s", b)
					}
				}},
				{1500 * ms, e.reply(200)}, // same To tag: ACK resent, not passed up
				{2 * sec, func(*env) { // another fork: passed up
					e.l.HandleMessage(response(e.c.Request(), 200, "t2"), peer, false)
				}},
			}
		},
		wantSent: join(at(inviteLine, 0, 500*ms), at("ACK sip:bob@192.0.2.9 SIP/2.0", 1*sec, 1500*ms)),
		wantEvents: []string{
			"1s response 200",
			"2s response 200",
			"33s terminated INVITE",
		},
	}, {
		name: "unreliable/transport error on a retransmission",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("INVITE")},
				{400 * ms, func(*env) { e.sendErr = errors.New("network is unreachable") }},
			}
		},
		wantSent:   at(inviteLine, 0),
		wantEvents: []string{"500ms error transport 503", "500ms terminated INVITE"},
	}, {
		name: "unreliable/transport error on the ACK",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("INVITE")},
				{100 * ms, func(*env) { e.sendErr = errors.New("boom") }},
				{200 * ms, e.reply(404)},
			}
		},
		wantSent: at(inviteLine, 0),
		wantEvents: []string{
			"200ms response 404",
			"200ms error transport 503",
			"200ms terminated INVITE",
		},
	}})
}

func TestNonInviteClient(t *testing.T) {
	runClientCases(t, []clientCase{{
		name:       "unreliable/Trying: Timer E capped at T2, Timer F times out",
		steps:      func(e *clientEnv) []step { return []step{{0, e.start("OPTIONS")}} },
		wantSent:   at(optionsLine, timerESends...),
		wantEvents: []string{"32s error timeout F 408", "32s terminated OPTIONS"},
	}, {
		name:       "reliable/Trying: no Timer E, Timer F times out",
		reliable:   true,
		steps:      func(e *clientEnv) []step { return []step{{0, e.start("OPTIONS")}} },
		wantSent:   at(optionsLine, 0),
		wantEvents: []string{"32s error timeout F 408", "32s terminated OPTIONS"},
	}, {
		name: "unreliable/Proceeding: Timer E at T2, then Timer F",
		steps: func(e *clientEnv) []step {
			return []step{{0, e.start("OPTIONS")}, {1200 * ms, e.reply(100)}}
		},
		// E fired at 500 ms (next 1 s), fires at 1.5 s in Proceeding and
		// from then on every T2.
		wantSent: at(optionsLine, 0, 500*ms, 1500*ms, 5500*ms, 9500*ms, 13500*ms, 17500*ms, 21500*ms, 25500*ms, 29500*ms),
		wantEvents: []string{
			"1.2s response 100",
			"32s error timeout F 408",
			"32s terminated OPTIONS",
		},
	}, {
		name: "unreliable/Completed: Timer K absorbs retransmissions",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("OPTIONS")},
				{600 * ms, e.reply(100)},
				{2 * sec, e.reply(200)},
				{3 * sec, e.reply(200)}, // absorbed
				{4 * sec, e.reply(100)}, // absorbed
			}
		},
		wantSent: at(optionsLine, 0, 500*ms, 1500*ms),
		wantEvents: []string{
			"600ms response 100",
			"2s response 200",
			"7s terminated OPTIONS", // Timer K = T4
		},
	}, {
		name:     "reliable/Completed ends at once (Timer K = 0)",
		reliable: true,
		steps: func(e *clientEnv) []step {
			return []step{{0, e.start("OPTIONS")}, {10 * sec, e.reply(404)}}
		},
		wantSent:   at(optionsLine, 0),
		wantEvents: []string{"10s response 404", "10s terminated OPTIONS"},
	}, {
		name: "unreliable/transport error on a retransmission",
		steps: func(e *clientEnv) []step {
			return []step{
				{0, e.start("OPTIONS")},
				{1 * sec, func(*env) { e.sendErr = errors.New("no route") }},
			}
		},
		wantSent:   at(optionsLine, 0, 500*ms),
		wantEvents: []string{"1.5s error transport 503", "1.5s terminated OPTIONS"},
	}})
}

// The ACK for a non-2xx is built by the transaction (RFC 3261 §17.1.1.3):
// the INVITE's Request-URI, top Via only, Route, From, Call-ID, CSeq number
// with ACK, and the To of the response.
func TestInviteClientACKBytes(t *testing.T) {
	e := &clientEnv{env: newEnv(t)}
	inv := msg(t, `
INVITE sip:bob@example.com;transport=udp SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack1;rport
Via: SIP/2.0/UDP 192.0.2.200:5060;branch=z9hG4bKbelow
Max-Forwards: 69
Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
Route: <sip:p3.example.com;lr>
From: "Alice" <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>
Call-ID: ack-bytes@192.0.2.1
CSeq: 4711 INVITE
Contact: <sip:alice@192.0.2.1>
Content-Type: application/sdp
Content-Length: 4

v=0
`).(*sip.Request)
	c, err := e.l.Request(inv, peer, false, e.clientHandler())
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	resp := msg(t, `
SIP/2.0 486 Busy Here
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack1;rport=5060;received=192.0.2.1
Via: SIP/2.0/UDP 192.0.2.200:5060;branch=z9hG4bKbelow
From: "Alice" <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=busy7
Call-ID: ack-bytes@192.0.2.1
CSeq: 4711 INVITE
Content-Length: 0

`)
	e.l.HandleMessage(resp, peer, false)
	want := strings.ReplaceAll(strings.TrimLeft(`
ACK sip:bob@example.com;transport=udp SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack1;rport
Max-Forwards: 69
Route: <sip:p1.example.com;lr>
Route: <sip:p2.example.com;lr>
Route: <sip:p3.example.com;lr>
From: "Alice" <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=busy7
Call-ID: ack-bytes@192.0.2.1
CSeq: 4711 ACK
Content-Length: 0

`, "\n"), "\n", "\r\n")
	if len(e.sent) != 2 {
		t.Fatalf("sent %d messages, want INVITE and ACK", len(e.sent))
	}
	if got := e.sent[1].data; got != want {
		t.Errorf("ACK:\n%s\nwant:\n%s", got, want)
	}
	// The ACK went to where the INVITE went.
	if e.sent[1].dest != peer.String() {
		t.Errorf("ACK went to %s", e.sent[1].dest)
	}
}

// A branch is written into the top Via when the request has none; a given
// branch is kept.
func TestRequestBranch(t *testing.T) {
	e := newEnv(t)
	req := request(t, "OPTIONS", "")
	req.Header().Set("Via", "SIP/2.0/UDP 192.0.2.1:5060;rport, SIP/2.0/UDP 10.0.0.1")
	c, err := e.l.Request(req, peer, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	vias, err := req.Header().Via()
	if err != nil || len(vias) != 2 {
		t.Fatalf("Via after Request: %v %v", vias, err)
	}
	if b := vias[0].Branch(); !strings.HasPrefix(b, sip.MagicCookie) || len(b) < 20 || b != c.Branch() {
		t.Errorf("branch %q, client's %q", b, c.Branch())
	}
	if !vias[0].Params.Has("rport") || vias[1].Host != "10.0.0.1" {
		t.Errorf("Via lost parameters or values: %v", req.Header().Values("Via"))
	}

	req2 := request(t, "OPTIONS", "z9hG4bKmine")
	c2, err := e.l.Request(req2, peer, false, nil)
	if err != nil || c2.Branch() != "z9hG4bKmine" {
		t.Fatalf("given branch: %v %v", c2, err)
	}
	// The same branch and method again is refused; an INVITE and its
	// CANCEL share a branch and may coexist.
	if _, err := e.l.Request(request(t, "OPTIONS", "z9hG4bKmine"), peer, false, nil); err == nil {
		t.Error("duplicate branch accepted")
	}
}

func TestRequestErrors(t *testing.T) {
	e := newEnv(t)
	if _, err := e.l.Request(request(t, "ACK", "z9hG4bKx"), peer, false, nil); err == nil {
		t.Error("ACK accepted as a transaction")
	}
	bad := request(t, "OPTIONS", "z9hG4bKy")
	bad.Header().Set("CSeq", "1 INVITE")
	if _, err := e.l.Request(bad, peer, false, nil); err == nil {
		t.Error("CSeq method mismatch accepted")
	}
	noVia := request(t, "OPTIONS", "z9hG4bKy")
	noVia.Header().Del("Via")
	if _, err := e.l.Request(noVia, peer, false, nil); err == nil {
		t.Error("request without Via accepted")
	}

	e.sendErr = errors.New("connection refused")
	_, err := e.l.Request(request(t, "INVITE", "z9hG4bKz"), peer, false, nil)
	if !errors.Is(err, transaction.ErrTransport) || describe(err) != "transport 503" {
		t.Errorf("send failure: %v", err)
	}
	if e.l.Len() != 0 || e.clk.Pending() != 0 {
		t.Errorf("failed Request left %d transactions, %d timers", e.l.Len(), e.clk.Pending())
	}

	e.l.Close()
	if _, err := e.l.Request(request(t, "OPTIONS", "z9hG4bKw"), peer, false, nil); !errors.Is(err, transaction.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// Responses match by branch and CSeq method (§17.1.3): a response with
// another method or branch is stray.
func TestClientMatching(t *testing.T) {
	e := &clientEnv{env: newEnv(t)}
	e.start("INVITE")(e.env)
	resp := response(e.c.Request(), 180, "t1")
	resp.Header().Set("CSeq", "1 CANCEL")
	e.l.HandleMessage(resp, peer, false)
	other := response(e.c.Request(), 180, "t1")
	other.Header().Set("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKother")
	e.l.HandleMessage(other, peer, false)
	noVia := response(e.c.Request(), 180, "t1")
	noVia.Header().Del("Via")
	e.l.HandleMessage(noVia, peer, false) // dropped
	e.reply(180)(e.env)
	equalLists(t, "events", e.events, []string{"0s stray SIP/2.0 180", "0s stray SIP/2.0 180", "0s response 180"})
	if e.c.State() != transaction.Proceeding {
		t.Errorf("state %v", e.c.State())
	}
}

// Client.Cancel waits for a provisional response (§9.1) and sends a CANCEL
// with the INVITE's branch, its own transaction.
func TestClientCancel(t *testing.T) {
	e := &clientEnv{env: newEnv(t)}
	e.start("INVITE")(e.env)
	cancelEvents := transaction.ClientFuncs{
		Response:   func(c *transaction.Client, r *sip.Response) { e.logf("cancel response %d", r.StatusCode) },
		Terminated: func(c *transaction.Client) { e.logf("cancel terminated") },
	}
	cc, err := e.c.Cancel(cancelEvents)
	if err != nil {
		t.Fatal(err)
	}
	if cc.Branch() != e.c.Branch() || cc.Request().Method != "CANCEL" {
		t.Fatalf("CANCEL branch %q method %q", cc.Branch(), cc.Request().Method)
	}
	if _, err := e.c.Cancel(nil); err == nil {
		t.Error("second Cancel accepted")
	}
	e.advanceTo(700 * ms)
	if len(e.sent) != 2 {
		t.Fatalf("CANCEL sent before a provisional response: %v", e.sends())
	}
	e.reply(180)(e.env)
	e.advanceTo(1300 * ms)
	e.l.HandleMessage(response(cc.Request(), 200, "t1"), peer, false)
	e.advanceTo(2 * sec)
	e.reply(487)(e.env)
	e.runOut()
	equalLists(t, "sent", e.sends(), join(
		at(inviteLine, 0, 500*ms),
		at(cancelLine, 700*ms, 1200*ms), // Timer E for the CANCEL from 700 ms
		at(ackLine, 2*sec),
	))
	equalLists(t, "events", e.events, []string{
		"700ms response 180",
		"1.3s cancel response 200",
		"2s response 487",
		"6.3s cancel terminated", // Timer K
		"34s terminated INVITE",
	})
	want := strings.ReplaceAll(strings.TrimLeft(`
CANCEL sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1
Max-Forwards: 70
Route: <sip:proxy.example.com;lr>
From: Alice <sip:alice@example.com>;tag=a1
To: Bob <sip:bob@example.com>
Call-ID: call-1@192.0.2.1
CSeq: 1 CANCEL
Content-Length: 0

`, "\n"), "\n", "\r\n")
	if e.sent[2].data != want {
		t.Errorf("CANCEL:\n%s\nwant:\n%s", e.sent[2].data, want)
	}
	if _, err := e.c.Cancel(nil); err == nil {
		t.Error("Cancel after the final response accepted")
	}
}

// An INVITE whose CANCEL got no final response within 64*T1 gives up
// (§9.1), over reliable and unreliable transports.
func TestClientCancelTimeout(t *testing.T) {
	for _, reliable := range []bool{false, true} {
		e := &clientEnv{env: newEnv(t), reliable: reliable}
		e.start("INVITE")(e.env)
		e.advanceTo(1 * sec)
		e.reply(180)(e.env)
		e.advanceTo(2 * sec)
		cc, err := e.c.Cancel(nil)
		if err != nil {
			t.Fatal(err)
		}
		e.advanceTo(3 * sec)
		e.l.HandleMessage(response(cc.Request(), 200, "t1"), peer, reliable)
		e.runOut()
		equalLists(t, "events", e.events, []string{
			"1s response 180",
			"34s error timeout B 408",
			"34s terminated INVITE",
		})
		if e.l.Len() != 0 {
			t.Errorf("%d transactions left", e.l.Len())
		}
	}
}

// A CANCEL held for a provisional response is dropped when a final response
// comes first.
func TestClientCancelDropped(t *testing.T) {
	e := &clientEnv{env: newEnv(t)}
	e.start("INVITE")(e.env)
	cc, err := e.c.Cancel(transaction.ClientFuncs{Terminated: func(*transaction.Client) { e.logf("cancel terminated") }})
	if err != nil {
		t.Fatal(err)
	}
	e.advanceTo(100 * ms)
	e.reply(200)(e.env)
	if cc.State() != transaction.Terminated {
		t.Errorf("held CANCEL in state %v", cc.State())
	}
	if _, err := e.c.Cancel(nil); !errors.Is(err, transaction.ErrTooLate) && err == nil {
		t.Errorf("Cancel in Accepted: %v", err)
	}
	equalLists(t, "sent", e.sends(), at(inviteLine, 0))
	equalLists(t, "events", e.events, []string{"100ms cancel terminated", "100ms response 200"})
}
