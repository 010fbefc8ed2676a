//go:build !js

package wasm_test

import (
	"context"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
)

// Subscriptions between the wasm build in Node.js and a native UA, both
// ways, through JsSIP's Subscriber and Notifier API: accepted, active,
// NOTIFY bodies, a final NOTIFY with its reason, an unsubscribe.
func TestNodeSubscriptionsWithNativeUA(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	notifiers := make(chan *ringo.Notifier, 1)
	var alice *ringo.UA
	alice = nativeUA(t, srv, "alice", "", func(ua *ringo.UA) {
		ua.OnNewSubscribe(func(r *ringo.IncomingSubscribe) {
			n, err := ua.Notify(r, "text/plain", nil)
			if err != nil {
				t.Error(err)
				return
			}
			go func() {
				if err := n.Start(ctx, []byte("open")); err != nil {
					t.Error(err)
				}
				notifiers <- n
			}()
		})
	})
	bob := runPeer(t, ctx, peerScript(t, "peer.js"), map[string]string{
		"RINGO_WS_URL":      wsURL(srv),
		"RINGO_URI":         "sip:bob@ringo.test",
		"RINGO_NOTIFY_BODY": "busy",
	})
	bob.Expect(ctx, "registered")

	// Wasm subscribes to native.
	bob.Send(map[string]any{"cmd": "subscribe", "id": "s1", "target": "alice", "event": "presence", "accept": "text/plain", "expires": 300})
	bob.Expect(ctx, "subscriber_accepted")
	if ev := bob.Expect(ctx, "subscriber_active"); ev["state"] != 1.0 {
		t.Errorf("active: %v", ev)
	}
	if ev := bob.Expect(ctx, "subscriber_notify"); ev["body"] != "open" || ev["is_final"] != false || ev["method"] != "NOTIFY" {
		t.Errorf("notify: %v", ev)
	}
	n := <-notifiers
	if err := n.Terminate(ctx, []byte("closed"), "noresource", 0); err != nil {
		t.Fatal(err)
	}
	if ev := bob.Expect(ctx, "subscriber_notify"); ev["body"] != "closed" || ev["is_final"] != true {
		t.Errorf("final notify: %v", ev)
	}
	if ev := bob.Expect(ctx, "subscriber_terminated"); ev["code"] != 6.0 || ev["reason"] != "noresource" || ev["state"] != 2.0 {
		t.Errorf("terminated: %v, want FINAL_NOTIFY_RECEIVED (6), noresource", ev)
	}

	// Native subscribes to wasm.
	s, err := alice.Subscribe("bob", "presence", "text/plain", &ringo.SubscribeOptions{Expires: 120 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	bodies := make(chan string, 4)
	ended := make(chan ringo.SubscriberTerminatedEvent, 1)
	s.OnNotify(func(ev ringo.NotifyEvent) { bodies <- string(ev.Body) })
	s.OnTerminated(func(ev ringo.SubscriberTerminatedEvent) { ended <- ev })
	if err := s.Subscribe(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if ev := bob.Expect(ctx, "new_subscribe"); ev["event_package"] != "presence" || ev["from"] != "sip:alice@ringo.test" {
		t.Errorf("newSubscribe: %v", ev)
	}
	for _, want := range []string{"busy"} { // start() sent no body; notify("busy")
		select {
		case got := <-bodies:
			if got != want {
				t.Errorf("native got NOTIFY %q, want %q", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("no NOTIFY %q", want)
		}
	}
	if err := s.Terminate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The initial SUBSCRIBE (reported at start()), then the unsubscribe.
	for _, unsub := range []bool{false, true} {
		if ev := bob.Expect(ctx, "notifier_subscribe"); ev["is_unsubscribe"] != unsub || ev["method"] != "SUBSCRIBE" {
			t.Errorf("notifier subscribe: %v, want is_unsubscribe %v", ev, unsub)
		}
	}
	if ev := bob.Expect(ctx, "notifier_terminated"); ev["code"] != 5.0 || ev["state"] != 2.0 {
		t.Errorf("notifier terminated: %v, want UNSUBSCRIBE_RECEIVED (5)", ev)
	}
	select {
	case ev := <-ended:
		if ev.Code != ringo.FinalNotifyReceived {
			t.Errorf("native subscriber ended with %v", ev.Code)
		}
	case <-ctx.Done():
		t.Fatal("native subscription did not end")
	}
	bob.Stop(ctx)
}
