//go:build !js

package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
)

// registered connects a UA over network and registers it.
func registered(t *testing.T, s *server.Server, network, user string, opt uaOptions) *ua {
	t.Helper()
	u := newUA(t, s, network, user, opt)
	if resp := u.register(600); resp.StatusCode != 200 {
		t.Fatalf("%s: REGISTER: %s", user, resp.StartLine())
	}
	return u
}

// message sends a MESSAGE from u to user and returns the request as it
// arrives at to and the response u gets.
func message(t *testing.T, from, to *ua, text string) (*sip.Request, *sip.Response) {
	t.Helper()
	req := from.newRequest("MESSAGE", to.aor(), to.aor())
	req.SetBody("text/plain", []byte(text))
	c := from.start(req)
	in := to.expect("MESSAGE")
	to.reply(in, 200, "")
	return in.req, c.final()
}

// A MESSAGE from a UDP client reaches a WebSocket-registered user over
// its connection, and the answer goes back; then the other way round.
func TestMessageUDPToWS(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "ws", "alice", uaOptions{})
	bob := registered(t, s, "udp", "bob", uaOptions{})

	got, resp := message(t, bob, alice, "hello alice")
	if resp.StatusCode != 200 {
		t.Fatalf("MESSAGE: %s", resp.StartLine())
	}
	if string(got.Body()) != "hello alice" {
		t.Errorf("body %q", got.Body())
	}
	if ct, _ := got.Header().ContentType(); !ct.Is("text/plain") {
		t.Errorf("content type %v", ct)
	}
	if !strings.Contains(got.URI.Host, ".invalid") || got.URI.User != "alice" {
		t.Errorf("Request-URI %s, want alice's contact", got.URI.String())
	}
	vias, _ := got.Header().Via()
	if len(vias) != 2 || vias[0].Transport != "WS" || vias[1].Transport != "UDP" {
		t.Errorf("Via %v", got.Header().Values("Via"))
	}
	if mf, _ := got.Header().MaxForwards(); mf != 69 {
		t.Errorf("Max-Forwards %d, want 69", mf)
	}
	if got.Header().Has("Record-Route") {
		t.Errorf("MESSAGE record-routed")
	}
	if vias, _ := resp.Header().Via(); len(vias) != 1 {
		t.Errorf("response Via %v", resp.Header().Values("Via"))
	}

	got, resp = message(t, alice, bob, "hello bob")
	if resp.StatusCode != 200 || string(got.Body()) != "hello bob" {
		t.Fatalf("MESSAGE back: %s, body %q", resp.StartLine(), got.Body())
	}
}

// An INVITE from a WebSocket client to a TCP client: 180 and 200 come
// back, the ACK and a BYE follow the route set of the Record-Route values
// (two, since the transport changes), and a BYE from the callee goes
// back over the WebSocket.
func TestCallWSToTCP(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "ws", "alice", uaOptions{})
	bob := registered(t, s, "tcp", "bob", uaOptions{})

	inv := alice.newRequest("INVITE", bob.aor(), bob.aor())
	inv.SetBody("application/sdp", []byte("v=0\r\n"))
	c := alice.start(inv)
	in := bob.expect("INVITE")
	rr := in.req.Header().Values("Record-Route")
	if len(rr) != 2 {
		t.Fatalf("Record-Route %v, want two values", rr)
	}
	if !strings.Contains(rr[0], "transport=tcp") || !strings.Contains(rr[1], "transport=ws") ||
		!strings.Contains(rr[0], ";lr") {
		t.Errorf("Record-Route %v: want the TCP side first, then the WS side", rr)
	}
	if got := s.Addrs().TCP.String(); !strings.Contains(rr[0], got) {
		t.Errorf("Record-Route %s does not name the TCP listener %s", rr[0], got)
	}
	bobTag := sip.NewTag()
	bob.reply(in, 180, bobTag)
	if r := c.next(); r.StatusCode == 100 {
		if r = c.next(); r.StatusCode != 180 {
			t.Fatalf("want 180, got %s", r.StartLine())
		}
	} else if r.StatusCode != 180 {
		t.Fatalf("want 180, got %s", r.StartLine())
	}
	ok := bob.reply(in, 200, bobTag)
	resp := c.final()
	if resp.StatusCode != 200 {
		t.Fatalf("INVITE: %s", resp.StartLine())
	}
	_ = ok

	// The caller's dialog: its route set is the Record-Route reversed.
	d, err := dialog.NewUAC(inv, resp)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.RouteSet) != 2 || d.RouteSet[0].URI.Params.Value("transport") != "ws" {
		t.Fatalf("caller's route set %v", d.RouteSet)
	}
	ack := d.NewAck(2)
	cseq, _ := inv.Header().CSeq()
	ack = d.NewAck(cseq.Seq)
	alice.sendStateless(ack)
	gotACK := bob.expect("ACK")
	if gotACK.req.Header().Has("Route") {
		t.Errorf("ACK still carries Route %v", gotACK.req.Header().Values("Route"))
	}
	if gotACK.req.URI.User != "bob" {
		t.Errorf("ACK Request-URI %s", gotACK.req.URI.String())
	}

	// The caller hangs up.
	bye := d.NewRequest("BYE")
	bye.Header().Prepend("Via", alice.via)
	bc := alice.start(bye)
	inBye := bob.expect("BYE")
	if inBye.req.Header().Has("Route") {
		t.Errorf("BYE still carries Route")
	}
	if inBye.req.Header().Has("Record-Route") {
		t.Errorf("in-dialog BYE record-routed")
	}
	bob.reply(inBye, 200, "")
	if r := bc.final(); r.StatusCode != 200 {
		t.Fatalf("BYE: %s", r.StartLine())
	}

	// The callee's dialog routes the other way, back over the WebSocket.
	bd, err := dialog.NewUAS(in.req, bobTag)
	if err != nil {
		t.Fatal(err)
	}
	if len(bd.RouteSet) != 2 || bd.RouteSet[0].URI.Params.Value("transport") != "tcp" {
		t.Fatalf("callee's route set %v", bd.RouteSet)
	}
	info := bd.NewRequest("INFO")
	info.Header().Prepend("Via", bob.via)
	ic := bob.start(info)
	inInfo := alice.expect("INFO")
	if !strings.HasSuffix(inInfo.req.URI.Host, ".invalid") {
		t.Errorf("INFO Request-URI %s", inInfo.req.URI.String())
	}
	alice.reply(inInfo, 200, "")
	if r := ic.final(); r.StatusCode != 200 {
		t.Fatalf("INFO: %s", r.StartLine())
	}
}

// Two UDP clients on the same listener: one Record-Route value names both
// flows, and in-dialog requests go to the side they did not come from.
func TestCallSameTransport(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "udp", "alice", uaOptions{})
	bob := registered(t, s, "udp", "bob", uaOptions{})
	inv := alice.newRequest("INVITE", bob.aor(), bob.aor())
	c := alice.start(inv)
	in := bob.expect("INVITE")
	rr := in.req.Header().Values("Record-Route")
	if len(rr) != 1 || !strings.Contains(rr[0], ".") {
		t.Fatalf("Record-Route %v, want one value with two tokens", rr)
	}
	tag := sip.NewTag()
	bob.reply(in, 200, tag)
	resp := c.final()
	d, err := dialog.NewUAC(inv, resp)
	if err != nil {
		t.Fatal(err)
	}
	cseq, _ := inv.Header().CSeq()
	alice.sendStateless(d.NewAck(cseq.Seq))
	bob.expect("ACK")

	bd, _ := dialog.NewUAS(in.req, tag)
	bye := bd.NewRequest("BYE")
	bye.Header().Prepend("Via", bob.via)
	bc := bob.start(bye)
	inBye := alice.expect("BYE")
	alice.reply(inBye, 200, "")
	if r := bc.final(); r.StatusCode != 200 {
		t.Fatalf("BYE: %s", r.StartLine())
	}
}

// A CANCEL is answered 200, reaches the callee, and the 487 comes back.
func TestCancel(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "udp", "alice", uaOptions{})
	bob := registered(t, s, "ws", "bob", uaOptions{})
	inv := alice.newRequest("INVITE", bob.aor(), bob.aor())
	c := alice.start(inv)
	in := bob.expect("INVITE")
	tag := sip.NewTag()
	bob.reply(in, 180, tag)
	for r := c.next(); r.StatusCode != 180; r = c.next() {
	}

	var cancel *call
	alice.do(func() {
		cc, err := c.client.Cancel(nil)
		if err != nil {
			t.Error(err)
			return
		}
		cancel = &call{u: alice, client: cc, req: cc.Request()}
	})
	inCancel := bob.expect("CANCEL")
	bob.reply(inCancel, 200, "")
	bob.reply(in, 487, tag)
	if r := c.final(); r.StatusCode != 487 {
		t.Fatalf("INVITE after CANCEL: %s", r.StartLine())
	}
	_ = cancel

	// A CANCEL that matches nothing gets 481.
	stray := alice.newRequest("CANCEL", bob.aor(), bob.aor())
	if r := alice.send(stray); r.StatusCode != 481 {
		t.Errorf("stray CANCEL: %s", r.StartLine())
	}
}

// 404 for an unknown user, 480 for a known one who is not registered,
// OPTIONS to the server itself answered 200 by the server.
func TestErrorsAndOptions(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "tcp", "alice", uaOptions{})
	bob := registered(t, s, "udp", "bob", uaOptions{})
	bob.register(0)

	msg := alice.newRequest("MESSAGE", "sip:nobody@example.com", "sip:nobody@example.com")
	if r := alice.send(msg); r.StatusCode != 404 {
		t.Errorf("unknown user: %s", r.StartLine())
	}
	msg = alice.newRequest("MESSAGE", bob.aor(), bob.aor())
	if r := alice.send(msg); r.StatusCode != 480 {
		t.Errorf("offline user: %s", r.StartLine())
	}
	inv := alice.newRequest("INVITE", bob.aor(), bob.aor())
	if r := alice.send(inv); r.StatusCode != 480 {
		t.Errorf("INVITE to offline user: %s", r.StartLine())
	}

	for _, ruri := range []string{"sip:" + s.Addrs().TCP.String(), "sip:example.com"} {
		opt := alice.newRequest("OPTIONS", ruri, ruri)
		r := alice.send(opt)
		if r.StatusCode != 200 || !r.Header().HasToken("Allow", "MESSAGE") {
			t.Errorf("OPTIONS %s:\n%s", ruri, r)
		}
	}
	alice.expectNothing(50 * time.Millisecond)
}

// A request to a user with two bindings is forked to both; the first 2xx
// is forwarded and the other branch is cancelled.
func TestFork(t *testing.T) {
	s := startServer(t, server.Config{})
	phone := registered(t, s, "udp", "alice", uaOptions{})
	laptop := registered(t, s, "ws", "alice", uaOptions{})
	bob := registered(t, s, "tcp", "bob", uaOptions{})

	inv := bob.newRequest("INVITE", phone.aor(), phone.aor())
	c := bob.start(inv)
	inPhone := phone.expect("INVITE")
	inLaptop := laptop.expect("INVITE")
	phone.reply(inPhone, 180, "p")
	laptop.reply(inLaptop, 180, "l")
	laptop.reply(inLaptop, 200, "l")
	if r := c.final(); r.StatusCode != 200 || r.Header().Get("To") == "" {
		t.Fatalf("forked INVITE: %s", r.StartLine())
	}
	cancel := phone.expect("CANCEL")
	phone.reply(cancel, 200, "")
	phone.reply(inPhone, 487, "p")

	// MESSAGE: both get it, one answers 404 and one 200: 200 wins.
	msg := bob.newRequest("MESSAGE", phone.aor(), phone.aor())
	mc := bob.start(msg)
	a, b := phone.expect("MESSAGE"), laptop.expect("MESSAGE")
	phone.reply(a, 486, "")
	laptop.reply(b, 200, "")
	if r := mc.final(); r.StatusCode != 200 {
		t.Errorf("forked MESSAGE: %s", r.StartLine())
	}
	// Both refuse: the lower class wins, 4xx over 5xx.
	msg = bob.newRequest("MESSAGE", phone.aor(), phone.aor())
	mc = bob.start(msg)
	a, b = phone.expect("MESSAGE"), laptop.expect("MESSAGE")
	phone.reply(a, 503, "")
	laptop.reply(b, 486, "")
	if r := mc.final(); r.StatusCode != 486 {
		t.Errorf("both refuse: %s, want 486", r.StartLine())
	}
}

// With users configured, requests from local users are challenged with
// 407 and pass once authenticated; the credentials are not forwarded.
func TestProxyAuth(t *testing.T) {
	s := startServer(t, server.Config{Users: map[string]string{"alice": "a", "bob": "b"}})
	alice := registered(t, s, "ws", "alice", uaOptions{password: "a"})
	bob := registered(t, s, "udp", "bob", uaOptions{password: "b"})

	req := alice.newRequest("MESSAGE", bob.aor(), bob.aor())
	if r := alice.start(req.Clone()).final(); r.StatusCode != 407 || !r.Header().Has("Proxy-Authenticate") {
		t.Fatalf("unauthenticated MESSAGE:\n%s", r)
	}
	c := make(chan *sip.Response, 1)
	go func() { c <- alice.send(req) }()
	in := bob.expect("MESSAGE")
	if in.req.Header().Has("Proxy-Authorization") {
		t.Errorf("credentials forwarded")
	}
	bob.reply(in, 200, "")
	if r := <-c; r.StatusCode != 200 {
		t.Fatalf("authenticated MESSAGE: %s", r.StartLine())
	}
}

// Max-Forwards 0 gets 483 from the proxy, but an OPTIONS with
// Max-Forwards 0 is answered by the server itself.
func TestMaxForwards(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "udp", "alice", uaOptions{})
	bob := registered(t, s, "tcp", "bob", uaOptions{})

	req := alice.newRequest("MESSAGE", bob.aor(), bob.aor())
	req.Header().Set("Max-Forwards", "0")
	if r := alice.send(req); r.StatusCode != 483 {
		t.Errorf("Max-Forwards 0: %s", r.StartLine())
	}
	req = alice.newRequest("OPTIONS", bob.aor(), bob.aor())
	req.Header().Set("Max-Forwards", "0")
	if r := alice.send(req); r.StatusCode != 200 || !r.Header().Has("Allow") {
		t.Errorf("OPTIONS with Max-Forwards 0: %s", r.StartLine())
	}
	bob.expectNothing(20 * time.Millisecond)
}

// Timer C: an INVITE branch that stays in Proceeding for more than three
// minutes is cancelled, and the caller gets 408 when the callee does not
// answer the CANCEL either.
func TestTimerC(t *testing.T) {
	clk := fakeClock()
	s := startServer(t, server.Config{Clock: clk})
	alice := registered(t, s, "tcp", "alice", uaOptions{})
	bob := registered(t, s, "tcp", "bob", uaOptions{})
	inv := alice.newRequest("INVITE", bob.aor(), bob.aor())
	c := alice.start(inv)
	in := bob.expect("INVITE")
	bob.reply(in, 180, sip.NewTag())
	if r := c.next(); r.StatusCode != 180 {
		t.Fatalf("want 180, got %s", r.StartLine())
	}
	clk.Advance(3 * time.Minute)
	bob.expectNothing(20 * time.Millisecond)
	clk.Advance(2 * time.Second)
	bob.expect("CANCEL") // not answered
	ping(t, s, bob)      // the server's loop has armed the CANCEL's timers
	clk.Advance(32 * time.Second)
	if r := c.final(); r.StatusCode != 408 {
		t.Fatalf("after Timer C: %s, want 408", r.StartLine())
	}
}

// SUBSCRIBE is record-routed, and the NOTIFY the notifier sends in the
// dialog comes back to the subscriber's WebSocket.
func TestSubscribeNotify(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := registered(t, s, "ws", "alice", uaOptions{})
	bob := registered(t, s, "udp", "bob", uaOptions{})
	sub := alice.newRequest("SUBSCRIBE", bob.aor(), bob.aor())
	sub.Header().Add("Event", "presence")
	sub.Header().Add("Expires", "600")
	c := alice.start(sub)
	in := bob.expect("SUBSCRIBE")
	if rr := in.req.Header().Values("Record-Route"); len(rr) != 2 {
		t.Fatalf("SUBSCRIBE Record-Route %v", rr)
	}
	tag := sip.NewTag()
	bob.reply(in, 200, tag)
	if r := c.final(); r.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %s", r.StartLine())
	}
	d, err := dialog.NewUAS(in.req, tag)
	if err != nil {
		t.Fatal(err)
	}
	notify := d.NewRequest("NOTIFY")
	notify.Header().Prepend("Via", bob.via)
	notify.Header().Add("Event", "presence")
	notify.Header().Add("Subscription-State", "active;expires=600")
	notify.SetBody("application/pidf+xml", []byte("<presence/>"))
	nc := bob.start(notify)
	got := alice.expect("NOTIFY")
	if string(got.req.Body()) != "<presence/>" || got.req.Header().Get("Subscription-State") == "" {
		t.Errorf("NOTIFY arrived as\n%s", got.req)
	}
	alice.reply(got, 200, "")
	if r := nc.final(); r.StatusCode != 200 {
		t.Fatalf("NOTIFY: %s", r.StartLine())
	}
}

// ping sends an OPTIONS to the server itself and waits for its 200: once
// it is back, the server's loop has finished whatever it was doing when
// the OPTIONS arrived.
func ping(t *testing.T, s *server.Server, u *ua) {
	t.Helper()
	ruri := "sip:" + s.Addrs().UDP.String()
	if r := u.send(u.newRequest("OPTIONS", ruri, ruri)); r.StatusCode != 200 {
		t.Fatalf("OPTIONS ping: %s", r.StartLine())
	}
}
