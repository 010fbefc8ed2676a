package ringo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
)

const peerOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"

// peerInvite sends an INVITE from the scripted peer to the UA.
func peerInvite(p *peer, extra ...string) *sip.Request {
	req := sip.NewRequest("INVITE", sip.MustParseURI("sip:alice@ringo.test"))
	h := req.Header()
	h.Add("Via", "SIP/2.0/WS proxy.invalid;branch="+sip.NewBranch())
	h.Add("From", "<sip:bob@ringo.test>;tag=bobtag")
	h.Add("To", "<sip:alice@ringo.test>")
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", "10 INVITE")
	h.Add("Max-Forwards", "69")
	h.Add("Contact", "<sip:bob@proxy.invalid;transport=ws>")
	for _, x := range extra {
		name, value, _ := strings.Cut(x, ":")
		h.Add(name, strings.TrimSpace(value))
	}
	req.SetBody("application/sdp", []byte(peerOffer))
	p.send(req)
	return req
}

// TestIncomingCallPRACKAndSessionTimer: the caller requires 100rel and asks
// for a 90 s session timer refreshed by the callee: the UA sends 180
// reliably with RSeq, retransmits it until the PRACK, answers with
// Session-Expires, and refreshes with UPDATE at 45 s.
func TestIncomingCallPRACKAndSessionTimer(t *testing.T) {
	p := newPeer(t)
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	ua := startUA(t, p, clk, func(c *Config) { c.ManualRegister = true; c.KeepAliveInterval = -1 })
	sessions := make(chan *Session, 1)
	ua.OnNewSession(func(e NewSessionEvent) { sessions <- e.Session })
	start(t, ua)

	inv := peerInvite(p, "Require: 100rel", "Supported: timer, 100rel", "Session-Expires: 90;refresher=uas", "Allow: INVITE, ACK, BYE, UPDATE, PRACK")
	ringing := p.nextResponse()
	rseq, err := ringing.Header().RSeq()
	if ringing.StatusCode != 180 || err != nil || !ringing.Header().HasToken("Require", "100rel") {
		t.Fatalf("want a reliable 180, got %d RSeq %v (%v)", ringing.StatusCode, rseq, err)
	}
	// No PRACK yet: the 180 comes again after T1.
	clk.Advance(500 * time.Millisecond)
	if again := p.nextResponse(); again.StatusCode != 180 {
		t.Fatalf("retransmission: %d", again.StatusCode)
	}
	to, _ := ringing.Header().To()
	pr := sip.NewRequest("PRACK", sip.MustParseURI("sip:alice@127.0.0.1"))
	h := pr.Header()
	h.Add("Via", "SIP/2.0/WS proxy.invalid;branch="+sip.NewBranch())
	h.Add("From", "<sip:bob@ringo.test>;tag=bobtag")
	h.Add("To", to.String())
	h.Add("Call-ID", inv.Header().CallID())
	h.Add("CSeq", "11 PRACK")
	h.Add("Max-Forwards", "69")
	h.Add("RAck", sip.RAck{RSeq: rseq, CSeq: 10, Method: "INVITE"}.String())
	p.send(pr)
	if r := p.nextResponse(); r.StatusCode != 200 {
		t.Fatalf("PRACK answered %d", r.StatusCode)
	}
	clk.Advance(time.Second)
	select {
	case m := <-p.in:
		t.Fatalf("180 retransmitted after its PRACK: %s", m.StartLine())
	case <-time.After(50 * time.Millisecond):
	}

	s := <-sessions
	if err := s.Answer(context.Background(), &AnswerOptions{Media: &media.StaticSession{Answer: peerOffer}}); err != nil {
		t.Fatal(err)
	}
	ok := p.nextResponse()
	if got := ok.Header().Get("Session-Expires"); ok.StatusCode != 200 || got != "90;refresher=uas" {
		t.Fatalf("200 with Session-Expires %q", got)
	}
	ack := sip.NewRequest("ACK", sip.MustParseURI("sip:alice@127.0.0.1"))
	ah := ack.Header()
	ah.Add("Via", "SIP/2.0/WS proxy.invalid;branch="+sip.NewBranch())
	ah.Add("From", "<sip:bob@ringo.test>;tag=bobtag")
	ah.Add("To", ok.Header().Get("To"))
	ah.Add("Call-ID", inv.Header().CallID())
	ah.Add("CSeq", "10 ACK")
	ah.Add("Max-Forwards", "69")
	p.send(ack)
	for i := 0; i < 100 && !s.IsEstablished(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !s.IsEstablished() {
		t.Fatal("call not confirmed by the ACK")
	}
	clk.Advance(45 * time.Second)
	upd := p.nextRequest("UPDATE")
	if got := upd.Header().Get("Session-Expires"); got != "90;refresher=uac" || len(upd.Body()) != 0 {
		t.Errorf("refresh UPDATE: Session-Expires %q, body %q", got, upd.Body())
	}
	if upd.URI.User != "bob" {
		t.Errorf("refresh sent to %v, want the caller's Contact", upd.URI)
	}
	p.reply(upd, 200, "Session-Expires: 90;refresher=uac")
	s.Terminate(nil)
	p.nextRequest("BYE")
}

// TestIncomingCallSessionExpiresTooSmall: RFC 4028 §8.1.
func TestIncomingCallSessionExpiresTooSmall(t *testing.T) {
	p := newPeer(t)
	ua := startUA(t, p, clock.Real(), func(c *Config) { c.ManualRegister = true })
	ua.OnNewSession(func(e NewSessionEvent) { t.Error("a call with Session-Expires 30 reached the application") })
	start(t, ua)
	peerInvite(p, "Session-Expires: 30")
	r := p.nextResponse()
	if r.StatusCode != 422 || r.Header().Get("Min-SE") != "90" {
		t.Fatalf("got %d Min-SE %q, want 422 Min-SE 90", r.StatusCode, r.Header().Get("Min-SE"))
	}
}
