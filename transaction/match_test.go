package transaction_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// §17.2.3: a request matches by branch, sent-by and method; ACK matches the
// INVITE; a CANCEL has its own transaction and MatchCancel finds the
// INVITE.
func TestServerMatching(t *testing.T) {
	e := newEnv(t)
	se := &serverEnv{env: e}
	inv := se.text("INVITE", "z9hG4bKm1", "")
	e.l.HandleMessage(msg(t, inv), peer, false)
	// The same again, with the sent-by host in another case: a
	// retransmission.
	e.l.HandleMessage(msg(t, strings.Replace(inv, "192.0.2.9:5060;", "192.0.2.9:5060;", 1)), peer, false)
	e.l.HandleMessage(msg(t, strings.Replace(inv, "UDP 192.0.2.9", "udp 192.0.2.9", 1)), peer, false)
	// Another sent-by with the same branch: another transaction.
	e.l.HandleMessage(msg(t, strings.Replace(inv, "192.0.2.9:5060;", "192.0.2.10:5060;", 1)), peer, false)
	// Another method with the same branch: another transaction.
	e.l.HandleMessage(msg(t, se.text("OPTIONS", "z9hG4bKm1", "")), peer, false)
	// A CANCEL with the INVITE's branch.
	cancel := msg(t, strings.ReplaceAll(se.text("CANCEL", "z9hG4bKm1", ""), "7 CANCEL", "7 CANCEL")).(*sip.Request)
	e.l.HandleMessage(cancel, peer, false)

	equalLists(t, "events", e.events, []string{
		"0s request INVITE",
		"0s request INVITE",
		"0s request OPTIONS",
		"0s request CANCEL",
	})
	if e.l.Len() != 4 {
		t.Errorf("%d transactions, want 4", e.l.Len())
	}
	if got := e.l.MatchCancel(cancel); got != e.servers[0] {
		t.Errorf("MatchCancel found %v, want the first INVITE", got)
	}
	other := msg(t, se.text("CANCEL", "z9hG4bKnone", "")).(*sip.Request)
	if got := e.l.MatchCancel(other); got != nil {
		t.Errorf("MatchCancel of an unknown branch found %v", got)
	}
	// The INVITE's retransmissions (two of them) each made it send a 100.
	equalLists(t, "sent", e.sends(), []string{"0s " + tryingLine, "0s " + tryingLine})
	// An ACK with the INVITE's branch but no final response: ignored.
	e.l.HandleMessage(msg(t, se.text("ACK", "z9hG4bKm1", "x")), peer, false)
	// An ACK matching nothing: stray.
	e.l.HandleMessage(msg(t, se.text("ACK", "z9hG4bKnothing", "x")), peer, false)
	equalLists(t, "events", e.events[4:], []string{"0s stray ACK ACK"})
}

// The torture message inv2543 (RFC 4475 §3.4.1) comes from an RFC 2543
// element: no branch, no From tag. Its retransmissions, its ACK and its
// CANCEL are matched by the RFC 2543 rules of §17.2.3.
func TestRFC2543Matching(t *testing.T) {
	data, err := os.ReadFile("../../shared/testdata/torture/rfc4475/inv2543.dat")
	if err != nil {
		t.Fatalf("RFC 4475 torture tests missing (they live in ../shared/testdata beside the repository): %v", err)
	}
	parse := func(b []byte) *sip.Request {
		t.Helper()
		m, err := sip.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*sip.Request)
	}
	variant := func(from, to string) *sip.Request {
		t.Helper()
		s := string(data)
		if !strings.Contains(s, from) {
			t.Fatalf("inv2543.dat lacks %q", from)
		}
		return parse([]byte(strings.Replace(s, from, to, 1)))
	}

	e := newEnv(t)
	var respond int
	e.onRequest = func(s *transaction.Server, req *sip.Request) {
		if respond != 0 {
			if err := s.Respond(response(req, respond, "s1")); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.l.HandleMessage(parse(data), peer, false)
	e.l.HandleMessage(parse(data), peer, false) // retransmission
	if len(e.servers) != 1 {
		t.Fatalf("retransmission made %d transactions", len(e.servers))
	}
	inv := e.servers[0]
	if inv.State() != transaction.Proceeding || len(e.sent) != 1 {
		t.Fatalf("state %v, sent %v", inv.State(), e.sends())
	}

	// Another CSeq, Call-ID, Request-URI, To tag or top Via: a new
	// transaction each.
	for _, v := range [][2]string{
		{"CSeq: 56 INVITE", "CSeq: 57 INVITE"},
		{"Call-ID: inv2543.1717", "Call-ID: inv2543.1718"},
		{"INVITE sip:UserB@example.com", "INVITE sip:UserC@example.com"},
		{"To: sip:+16505552222@ss1.example.net;user=phone", "To: sip:+16505552222@ss1.example.net;user=phone;tag=x"},
		{"Via: SIP/2.0/UDP iftgw.example.com", "Via: SIP/2.0/UDP iftgw2.example.com"},
	} {
		n := len(e.servers)
		e.l.HandleMessage(variant(v[0], v[1]), peer, false)
		if len(e.servers) != n+1 {
			t.Errorf("%q → %q matched the first INVITE", v[0], v[1])
		}
	}

	// A CANCEL with the same identity finds the INVITE.
	cancel := variant("CSeq: 56 INVITE", "CSeq: 56 CANCEL")
	cancel.Method = "CANCEL"
	if got := e.l.MatchCancel(cancel); got != inv {
		t.Errorf("MatchCancel: %v", got)
	}

	// Reject the INVITE; its ACK (same Via, the To tag of the 486) moves it
	// to Confirmed; an ACK with another To tag does not.
	if err := inv.Respond(response(inv.Request(), 486, "s1")); err != nil {
		t.Fatal(err)
	}
	ack := func(toTag string) *sip.Request {
		a := variant("CSeq: 56 INVITE", "CSeq: 56 ACK")
		a.Method = "ACK"
		a.Header().Set("To", "sip:+16505552222@ss1.example.net;user=phone;tag="+toTag)
		a.SetBody("", nil)
		return a
	}
	strays := len(e.events)
	e.l.HandleMessage(ack("other"), peer, false)
	if inv.State() != transaction.Completed || len(e.events) != strays+1 || !strings.Contains(e.events[strays], "stray ACK") {
		t.Errorf("ACK with a wrong To tag: state %v, events %v", inv.State(), e.events[strays:])
	}
	e.l.HandleMessage(ack("s1"), peer, false)
	if inv.State() != transaction.Confirmed {
		t.Errorf("ACK: state %v, want Confirmed", inv.State())
	}

	// A 2xx to an RFC 2543 INVITE: its ACK reaches the TU.
	respond = 200
	e.l.HandleMessage(variant("CSeq: 56 INVITE", "CSeq: 90 INVITE"), peer, false)
	ok := e.servers[len(e.servers)-1]
	if ok.State() != transaction.Accepted {
		t.Fatalf("state %v", ok.State())
	}
	a := ack("s1")
	a.Header().Set("CSeq", "90 ACK")
	n := len(e.events)
	e.l.HandleMessage(a, peer, false)
	equalLists(t, "events", e.events[n:], []string{"0s ack"})

	// Timers I and L end the two answered INVITEs; the five variants,
	// never answered, wait for their TU.
	e.runOut()
	if inv.State() != transaction.Terminated || ok.State() != transaction.Terminated || e.l.Len() != 5 {
		t.Errorf("states %v %v, %d transactions left", inv.State(), ok.State(), e.l.Len())
	}
}
