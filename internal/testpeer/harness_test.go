package testpeer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
)

// jssip starts jssip-ua.js as user of k with password pw and waits until it
// has registered.
func jssip(t *testing.T, ctx context.Context, k *testpeer.Kamailio, user, pw string) *testpeer.NodeProcess {
	t.Helper()
	return testpeer.StartJsSIP(t, ctx, testpeer.JsSIPOptions{
		WSURL:       k.WSURL(),
		URI:         k.URI(user),
		Password:    pw,
		DisplayName: user + " (JsSIP)",
	})
}

// TestJsSIPMessagesThroughKamailio: two JsSIP UAs register with Kamailio
// over WebSocket (answering its 401) and exchange a MESSAGE each way (each
// answering a 407); bodies and content types arrive intact.
func TestJsSIPMessagesThroughKamailio(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{
		Users: map[string]string{"alice": "alice-pw", "bob": "bob-pw"},
	})
	alice := jssip(t, ctx, k, "alice", "alice-pw")
	bob := jssip(t, ctx, k, "bob", "bob-pw")

	send := func(from, to *testpeer.NodeProcess, toUser, fromUser, body, ctype string) {
		t.Helper()
		from.Send(map[string]any{"cmd": "message", "id": body, "target": k.URI(toUser), "body": body, "content_type": ctype})
		sent := from.Expect(ctx, "message_sent")
		if sent["id"] != body || sent["status"] != float64(200) {
			t.Errorf("message_sent = %v, want id %q and status 200", sent, body)
		}
		got := to.Expect(ctx, "message")
		if got["body"] != body || got["content_type"] != ctype || got["from"] != k.URI(fromUser) {
			t.Errorf("%s received %v, want body %q, content type %q, from %s", toUser, got, body, ctype, k.URI(fromUser))
		}
	}
	send(alice, bob, "bob", "alice", "hello bob, ünïcödé\r\nsecond line", "text/plain;charset=utf-8")
	send(bob, alice, "alice", "bob", `{"reply":"hi alice"}`, "application/json")

	// Both digest paths ran: 401 for REGISTER, 407 for MESSAGE.
	for _, want := range []string{"AUTH ok REGISTER alice", "AUTH ok REGISTER bob", "AUTH ok MESSAGE alice", "AUTH ok MESSAGE bob"} {
		if !strings.Contains(k.Log(), want) {
			t.Errorf("kamailio log lacks %q", want)
		}
	}

	alice.Stop(ctx)
	bob.Stop(ctx)
}

// TestSIPpReceivesJsSIPMessage: sipp registers over UDP (a user without
// credentials) and receives a MESSAGE that JsSIP sends over WebSocket, so
// Kamailio relays from WS to UDP with the body intact.
func TestSIPpReceivesJsSIPMessage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{
		Users: map[string]string{"alice": "alice-pw"},
	})
	sipp := testpeer.StartSIPpReceiver(t, k, "carol")
	alice := jssip(t, ctx, k, "alice", "alice-pw")
	contacts := k.WaitRegistered(ctx, "carol")
	t.Logf("carol: %+v", contacts)
	if cs, err := k.Contacts(ctx, "nobody"); err != nil || len(cs) != 0 {
		t.Errorf("Contacts(nobody) = %v, %v; want none", cs, err)
	}

	const body = "hello sipp\nfrom JsSIP"
	alice.Send(map[string]any{"cmd": "message", "target": k.URI("carol"), "body": body, "content_type": "text/x-ringo"})
	if sent := alice.Expect(ctx, "message_sent"); sent["status"] != float64(200) {
		t.Errorf("message_sent = %v, want status 200", sent)
	}
	sipp.Check(ctx)
	msgs := sipp.Messages()
	for _, want := range []string{"MESSAGE sip:carol@127.0.0.1", "Content-Type: text/x-ringo", body} {
		if !strings.Contains(msgs, want) {
			t.Errorf("sipp's messages log lacks %q", want)
		}
	}
	if cs, _ := k.Contacts(ctx, "carol"); len(cs) != 0 {
		t.Errorf("carol still registered after sipp's un-REGISTER: %+v", cs)
	}
	alice.Stop(ctx)
}

// TestJsSIPWrongPassword: Kamailio rejects a bad password, so the auth in
// the harness is real.
func TestJsSIPWrongPassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: map[string]string{"alice": "alice-pw"}})
	p := testpeer.RunNode(t, ctx, "jssip-ua.js", map[string]string{
		"RINGO_WS_URL":   k.WSURL(),
		"RINGO_URI":      k.URI("alice"),
		"RINGO_PASSWORD": "wrong",
	})
	ev, err := p.WaitForAny(ctx, "registered", "registration_failed")
	if err != nil {
		t.Fatal(err)
	}
	if ev["event"] != "registration_failed" || ev["status"] != float64(401) {
		t.Errorf("registration_failed = %v, want status 401", ev)
	}
	if cs, err := k.Contacts(ctx, "alice"); err != nil || len(cs) != 0 {
		t.Errorf("Contacts(alice) = %v, %v; want none", cs, err)
	}
	p.Stop(ctx)
}

// TestJsSIPSubscribeThroughKamailio: a JsSIP Subscriber and a JsSIP
// Notifier, both on WebSocket, keep dialogs through Kamailio: the SUBSCRIBE
// is record-routed, NOTIFYs follow the route set to the subscriber's .invalid
// Contact through its ;alias, and a final NOTIFY ends the first subscription.
// The second ends with an un-SUBSCRIBE, which JsSIP sends without Route
// (its Notifier's 200 carried no Record-Route) and which the configuration
// routes on the R-URI.
func TestJsSIPSubscribeThroughKamailio(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{
		Users: map[string]string{"alice": "alice-pw", "bob": "bob-pw"},
	})
	alice := jssip(t, ctx, k, "alice", "alice-pw")
	bob := jssip(t, ctx, k, "bob", "bob-pw")

	subscribe := func(id string) (notifier any) {
		t.Helper()
		alice.Send(map[string]any{"cmd": "subscribe", "id": id, "target": k.URI("bob"), "event": "ringo-test", "accept": "text/plain", "expires": 120})
		sub := bob.Expect(ctx, "subscribe")
		if sub["event_package"] != "ringo-test" || sub["from"] != k.URI("alice") {
			t.Fatalf("bob's subscribe event = %v", sub)
		}
		bob.Send(map[string]any{"cmd": "notifier", "id": sub["id"], "content_type": "text/plain"})
		bob.Expect(ctx, "notifier_subscribe") // the initial SUBSCRIBE, answered 200
		alice.Expect(ctx, "subscriber_accepted")
		return sub["id"]
	}
	notify := func(n any, body string, final bool) {
		t.Helper()
		if final {
			bob.Send(map[string]any{"cmd": "notify_terminate", "id": n, "body": body})
		} else {
			bob.Send(map[string]any{"cmd": "notify", "id": n, "body": body})
		}
		ev := alice.Expect(ctx, "subscriber_notify")
		if ev["body"] != body || ev["content_type"] != "text/plain" || ev["is_final"] != final {
			t.Errorf("subscriber_notify = %v, want body %q, final %v", ev, body, final)
		}
	}

	n1 := subscribe("s1")
	notify(n1, "one", false)
	notify(n1, "two", false)
	notify(n1, "bye", true)
	if ev := alice.Expect(ctx, "subscriber_terminated"); ev["id"] != "s1" || ev["code"] != float64(6) {
		t.Errorf("subscriber_terminated = %v, want s1 with code 6 (final NOTIFY received)", ev)
	}
	if ev := bob.Expect(ctx, "notifier_terminated"); ev["code"] != float64(4) {
		t.Errorf("notifier_terminated = %v, want code 4 (final NOTIFY sent)", ev)
	}

	n2 := subscribe("s2")
	notify(n2, "three", false)
	alice.Send(map[string]any{"cmd": "unsubscribe", "id": "s2"})
	if ev := bob.Expect(ctx, "notifier_subscribe"); ev["is_unsubscribe"] != true {
		t.Errorf("notifier_subscribe = %v, want the un-SUBSCRIBE", ev)
	}
	if ev := bob.Expect(ctx, "notifier_terminated"); ev["code"] != float64(5) {
		t.Errorf("notifier_terminated = %v, want code 5 (un-SUBSCRIBE received)", ev)
	}
	alice.Stop(ctx)
	bob.Stop(ctx)
}

// TestKamailioRestart: Stop takes the server away under a registered JsSIP,
// Start brings it back on the same ports, and JsSIP reconnects and registers
// again.
func TestKamailioRestart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: map[string]string{"alice": "alice-pw"}})
	alice := jssip(t, ctx, k, "alice", "alice-pw")
	ws := k.WSURL()

	k.Stop()
	alice.Expect(ctx, "disconnected")
	k.Start()
	if k.WSURL() != ws {
		t.Errorf("WSURL after Start = %s, want %s", k.WSURL(), ws)
	}
	alice.Expect(ctx, "registered")
	k.WaitRegistered(ctx, "alice")
	alice.Stop(ctx)
}
