package transaction_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

const (
	tryingLine  = "SIP/2.0 100 Trying"
	ringingLine = "SIP/2.0 180 Ringing"
	okLine      = "SIP/2.0 200 OK"
	busyLine    = "SIP/2.0 486 Busy Here"
)

// serverEnv extends env with a peer that sends one request.
type serverEnv struct {
	*env
	reliable bool
	method   string
}

// text is the request the peer sends, as it is on the wire.
func (e *serverEnv) text(method, branch, toTag string) string {
	to := "Bob <sip:bob@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	cseq := method
	if method == "ACK" {
		cseq = "ACK"
	}
	return fmt.Sprintf(`
%s sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.9:5060;branch=%s
Max-Forwards: 70
From: Alice <sip:alice@example.com>;tag=a1
To: %s
Call-ID: call-s@192.0.2.9
CSeq: 7 %s
Content-Length: 0

`, method, branch, to, cseq)
}

// recv delivers the request (again, for a retransmission).
func (e *serverEnv) recv() func(*env) {
	return func(*env) {
		e.l.HandleMessage(msg(e.t, e.text(e.method, "z9hG4bKs1", "")), peer, e.reliable)
	}
}

// ack delivers the ACK for a non-2xx: same branch (§17.1.1.3).
func (e *serverEnv) ack() func(*env) {
	return func(*env) {
		e.l.HandleMessage(msg(e.t, e.text("ACK", "z9hG4bKs1", "s1")), peer, e.reliable)
	}
}

// ack2xx delivers the ACK for a 2xx: a branch of its own (§13.2.2.4).
func (e *serverEnv) ack2xx() func(*env) {
	return func(*env) {
		e.l.HandleMessage(msg(e.t, e.text("ACK", "z9hG4bKack2xx", "s1")), peer, e.reliable)
	}
}

// respond makes the TU answer with code (To tag s1).
func (e *serverEnv) respond(code int) func(*env) {
	return func(*env) {
		s := e.servers[0]
		if err := s.Respond(response(s.Request(), code, "s1")); err != nil {
			e.logf("respond %d: %v", code, err)
		}
	}
}

type serverCase struct {
	name       string
	reliable   bool
	steps      func(e *serverEnv) []step
	wantSent   []string
	wantEvents []string
}

func runServerCases(t *testing.T, method string, cases []serverCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &serverEnv{env: newEnv(t), reliable: tc.reliable, method: method}
			e.run(tc.steps(e))
			equalLists(t, "sent", e.sends(), tc.wantSent)
			equalLists(t, "events", e.events, tc.wantEvents)
			e.checkRetransmissions()
			for _, s := range e.sent {
				if s.dest != peer.String() {
					t.Errorf("response went to %s", s.dest)
				}
			}
			if len(e.servers) != 1 {
				t.Fatalf("%d server transactions, want 1", len(e.servers))
			}
			if st := e.servers[0].State(); st != transaction.Terminated {
				t.Errorf("state %v at the end", st)
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

// Timer G: T1 doubling up to T2 from the final response at 1 s; Timer H
// at 1 s + 64*T1.
var timerGSends = series(1*sec, 500*ms, 1*sec, 2*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec)

func TestInviteServer(t *testing.T) {
	runServerCases(t, "INVITE", []serverCase{{
		name: "unreliable/Proceeding: 100 after 200 ms, resent on retransmission; Completed: Timer G, Timer H",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{500 * ms, e.recv()},
				{1 * sec, e.respond(486)},
			}
		},
		wantSent: join(at(tryingLine, 200*ms, 500*ms), at(busyLine, timerGSends...)),
		wantEvents: []string{
			"0s request INVITE",
			"33s error no-ack H 408",
			"33s terminated INVITE",
		},
	}, {
		name: "unreliable/TU answers within 200 ms: no 100; ACK → Confirmed, Timer I",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{100 * ms, e.respond(180)},
				{700 * ms, e.recv()}, // resends the 180
				{1 * sec, e.respond(486)},
				{2 * sec, e.recv()}, // resends the 486
				{3 * sec, e.ack()},
				{3200 * ms, e.ack()},      // absorbed
				{4 * sec, e.recv()},       // absorbed
				{5 * sec, e.respond(200)}, // too late
			}
		},
		wantSent: join(at(ringingLine, 100*ms, 700*ms), at(busyLine, 1*sec, 1500*ms, 2*sec, 2500*ms)),
		wantEvents: []string{
			"0s request INVITE",
			"5s respond 200: transaction: final response already sent",
			"8s terminated INVITE", // Timer I = T4 after the ACK
		},
	}, {
		name:     "reliable/no Timer G; ACK ends it at once (Timer I = 0)",
		reliable: true,
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {1 * sec, e.respond(486)}, {3 * sec, e.ack()}}
		},
		wantSent:   join(at(tryingLine, 200*ms), at(busyLine, 1*sec)),
		wantEvents: []string{"0s request INVITE", "3s terminated INVITE"},
	}, {
		name:     "reliable/Timer H",
		reliable: true,
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {1 * sec, e.respond(603)}}
		},
		wantSent:   join(at(tryingLine, 200*ms), at("SIP/2.0 603 Decline", 1*sec)),
		wantEvents: []string{"0s request INVITE", "33s error no-ack H 408", "33s terminated INVITE"},
	}, {
		name: "unreliable/Accepted: 2xx retransmitted until the ACK, Timer L",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{1 * sec, e.respond(200)},
				{5 * sec, e.ack2xx()},
				{5500 * ms, e.ack2xx()},   // passed up too (RFC 6026)
				{6 * sec, e.recv()},       // absorbed
				{7 * sec, e.respond(200)}, // a 2xx from the TU is sent
				{8 * sec, e.respond(486)},
			}
		},
		wantSent: join(at(tryingLine, 200*ms), at(okLine, 1*sec, 1500*ms, 2500*ms, 4500*ms, 7*sec)),
		wantEvents: []string{
			"0s request INVITE",
			"5s ack",
			"5.5s ack",
			"8s respond 486: transaction: final response already sent",
			"33s terminated INVITE",
		},
	}, {
		name: "unreliable/Accepted: no ACK by Timer L",
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {100 * ms, e.respond(200)}}
		},
		wantSent: at(okLine, series(100*ms, 500*ms, 1*sec, 2*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec, 4*sec)...),
		wantEvents: []string{
			"0s request INVITE",
			"32.1s error no-ack L 408",
			"32.1s terminated INVITE",
		},
	}, {
		name:     "reliable/Accepted: the 2xx is retransmitted even so (§13.3.1.4)",
		reliable: true,
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {1 * sec, e.respond(200)}, {2 * sec, e.ack2xx()}}
		},
		wantSent:   join(at(tryingLine, 200*ms), at(okLine, 1*sec, 1500*ms)),
		wantEvents: []string{"0s request INVITE", "2s ack", "33s terminated INVITE"},
	}, {
		name: "unreliable/transport error on a Timer G retransmission",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{1 * sec, e.respond(500)},
				{1200 * ms, func(*env) { e.sendErr = errors.New("unreachable") }},
			}
		},
		wantSent: join(at(tryingLine, 200*ms), at("SIP/2.0 500 Server Internal Error", 1*sec)),
		wantEvents: []string{
			"0s request INVITE",
			"1.5s error transport 503",
			"1.5s terminated INVITE",
		},
	}, {
		name: "unreliable/transport error on Respond",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{100 * ms, func(*env) { e.sendErr = errors.New("unreachable") }},
				{150 * ms, e.respond(180)},
			}
		},
		wantSent: nil,
		wantEvents: []string{
			"0s request INVITE",
			"150ms terminated INVITE",
			"150ms respond 180: transaction: transport error: unreachable (503)",
		},
	}})
}

func TestNonInviteServer(t *testing.T) {
	runServerCases(t, "OPTIONS", []serverCase{{
		name: "unreliable/Trying absorbs, Completed resends, Timer J",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{500 * ms, e.recv()}, // Trying: absorbed
				{1 * sec, e.respond(200)},
				{1500 * ms, e.recv()}, // Completed: 200 again
				{5 * sec, e.respond(200)},
			}
		},
		wantSent: at(okLine, 1*sec, 1500*ms),
		wantEvents: []string{
			"0s request OPTIONS",
			"5s respond 200: transaction: final response already sent",
			"33s terminated OPTIONS", // Timer J = 64*T1
		},
	}, {
		name: "unreliable/RFC 4320: a 100 waits until Timer E would reach T2",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{100 * ms, e.respond(100)},
				{1500 * ms, e.recv()}, // still Trying: absorbed
				{4 * sec, e.recv()},   // Proceeding: 100 again
				{5 * sec, e.respond(200)},
			}
		},
		wantSent:   join(at(tryingLine, 3500*ms, 4*sec), at(okLine, 5*sec)),
		wantEvents: []string{"0s request OPTIONS", "37s terminated OPTIONS"},
	}, {
		name: "unreliable/RFC 4320: a held 100 is dropped by the final response",
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {100 * ms, e.respond(100)}, {1 * sec, e.respond(404)}}
		},
		wantSent:   at("SIP/2.0 404 Not Found", 1*sec),
		wantEvents: []string{"0s request OPTIONS", "33s terminated OPTIONS"},
	}, {
		name: "unreliable/RFC 4320: no provisional other than 100",
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {100 * ms, e.respond(180)}, {200 * ms, e.respond(200)}}
		},
		wantSent: at(okLine, 200*ms),
		wantEvents: []string{
			"0s request OPTIONS",
			"100ms respond 180: transaction: 180 to a non-INVITE request: RFC 4320 allows only 100",
			"32.2s terminated OPTIONS",
		},
	}, {
		name:     "reliable/100 at once; Completed ends at once (Timer J = 0)",
		reliable: true,
		steps: func(e *serverEnv) []step {
			return []step{{0, e.recv()}, {100 * ms, e.respond(100)}, {1 * sec, e.respond(200)}}
		},
		wantSent:   join(at(tryingLine, 100*ms), at(okLine, 1*sec)),
		wantEvents: []string{"0s request OPTIONS", "1s terminated OPTIONS"},
	}, {
		name: "unreliable/transport error on a resent response",
		steps: func(e *serverEnv) []step {
			return []step{
				{0, e.recv()},
				{1 * sec, e.respond(200)},
				{1100 * ms, func(*env) { e.sendErr = errors.New("unreachable") }},
				{1500 * ms, e.recv()},
			}
		},
		wantSent:   at(okLine, 1*sec),
		wantEvents: []string{"0s request OPTIONS", "1.5s error transport 503", "1.5s terminated OPTIONS"},
	}})
}

// The 100 Trying of an INVITE server transaction is built as §8.2.6 says,
// without a To tag (§17.2.1).
func TestInviteServerTryingBytes(t *testing.T) {
	e := &serverEnv{env: newEnv(t), method: "INVITE"}
	e.recv()(e.env)
	e.advanceTo(TryingDelay())
	if len(e.sent) != 1 {
		t.Fatalf("sent %v", e.sends())
	}
	want := strings.ReplaceAll(strings.TrimLeft(`
SIP/2.0 100 Trying
Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKs1
From: Alice <sip:alice@example.com>;tag=a1
To: Bob <sip:bob@example.com>
Call-ID: call-s@192.0.2.9
CSeq: 7 INVITE
Content-Length: 0

`, "\n"), "\n", "\r\n")
	if e.sent[0].data != want {
		t.Errorf("100 Trying:\n%s\nwant:\n%s", e.sent[0].data, want)
	}
}

func TryingDelay() time.Duration { return transaction.TryingDelay }

// Bad requests are answered statelessly (400, 505) and create no
// transaction; bad ACKs are dropped.
func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	base := (&serverEnv{env: e}).text("OPTIONS", "z9hG4bKbad", "")
	for _, tc := range []struct {
		name, from, to string
		want           string
	}{
		{"version", "SIP/2.0\nVia", "SIP/3.0\r\nVia", "SIP/2.0 505 Version Not Supported"},
		{"CSeq method", "CSeq: 7 OPTIONS", "CSeq: 7 INFO", "SIP/2.0 400 Bad Request (CSeq method does not match the request method)"},
		{"CSeq number", "CSeq: 7 OPTIONS", "CSeq: x OPTIONS", "SIP/2.0 400 Bad Request"},
		{"Via", "SIP/2.0/UDP 192.0.2.9:5060", "SIP/2.0/UDP 192.0.2.9:99999", "SIP/2.0 400 Bad Request"},
	} {
		e.sent = nil
		text := strings.Replace(strings.ReplaceAll(base, "\n", "\r\n"), strings.ReplaceAll(tc.from, "\n", "\r\n"), tc.to, 1)
		m, err := sip.Parse([]byte(strings.TrimLeft(text, "\r\n")))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		e.l.HandleMessage(m, peer, false)
		if len(e.sent) != 1 || !strings.HasPrefix(e.sent[0].msg.StartLine(), tc.want) {
			t.Errorf("%s: sent %v, want %q", tc.name, e.sends(), tc.want)
		}
	}
	ack := msg(t, strings.Replace((&serverEnv{env: e}).text("ACK", "z9hG4bKbad", "x"), "CSeq: 7 ACK", "CSeq: 7 INVITE", 1))
	e.sent = nil
	e.l.HandleMessage(ack, peer, false)
	if len(e.sent) != 0 || len(e.events) != 0 || e.l.Len() != 0 {
		t.Errorf("bad ACK: sent %v, events %v", e.sends(), e.events)
	}
}
