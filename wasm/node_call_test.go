//go:build !js

package wasm_test

import (
	"context"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media"
)

// testSDP is a session description for calls whose media the application
// brings (options.sdp): signalling only.
func testSDP(port string) string {
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio " + port + " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
}

// Calls between the wasm build in Node.js and a native UA, with the
// application's own SDP: both directions, INFO and DTMF by INFO both ways,
// hold and unhold, hang-up from each side, and the RTCSession getters.
func TestNodeCallSignallingWithNativeUA(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	calls := make(chan *ringo.Session, 2)
	events := make(chan string, 32)
	alice := nativeUA(t, srv, "alice", "", func(ua *ringo.UA) {
		ua.OnNewSession(func(ev ringo.NewSessionEvent) {
			if ev.Originator != ringo.Remote {
				return
			}
			ev.Session.SetHandlers(ringo.SessionHandlers{
				Confirmed: func(ringo.ConfirmedEvent) { events <- "confirmed" },
				Ended:     func(e ringo.EndEvent) { events <- "ended:" + string(e.Originator) },
				NewDTMF:   func(e ringo.DTMFEvent) { events <- "dtmf:" + string(e.Tone) },
				NewInfo:   func(e ringo.InfoEvent) { events <- "info:" + string(e.Body) },
			})
			calls <- ev.Session
		})
	})
	bob := runPeer(t, ctx, peerScript(t, "peer.js"), map[string]string{
		"RINGO_WS_URL": wsURL(srv),
		"RINGO_URI":    "sip:bob@ringo.test",
	})
	bob.Expect(ctx, "registered")

	// Wasm calls native.
	bob.Send(map[string]any{"cmd": "call", "id": "c1", "target": "alice", "sdp": testSDP("4000")})
	if ev := bob.Expect(ctx, "session"); ev["originator"] != "local" || ev["direction"] != "outgoing" {
		t.Errorf("session: %v", ev)
	}
	var in *ringo.Session
	select {
	case in = <-calls:
	case <-ctx.Done():
		t.Fatal("no incoming call at the native UA")
	}
	if err := in.Answer(ctx, &ringo.AnswerOptions{Media: &media.StaticSession{Answer: testSDP("5000")}}); err != nil {
		t.Fatal(err)
	}
	expectSession(t, ctx, bob, "c1", "accepted", "confirmed")
	want(t, ctx, events, "confirmed")
	if st := status(t, ctx, bob, "c1"); st["established"] != true || st["status"] != 9.0 {
		t.Errorf("status after confirmed: %v", st)
	}

	bob.Send(map[string]any{"cmd": "info", "id": "c1", "content_type": "application/x-test", "body": "ping"})
	want(t, ctx, events, "info:ping")
	if ev := expectSession(t, ctx, bob, "c1", "newInfo"); ev["originator"] != "local" || ev["body"] != "ping" {
		t.Errorf("newInfo: %v", ev)
	}
	bob.Send(map[string]any{"cmd": "dtmf", "id": "c1", "tones": "1#"})
	want(t, ctx, events, "dtmf:1")
	want(t, ctx, events, "dtmf:#")
	if _, err := in.SendInfo(ctx, "application/dtmf-relay", []byte("Signal=5\r\nDuration=100\r\n")); err != nil {
		t.Fatal(err)
	}
	want(t, ctx, events, "dtmf:5") // the native side's own event, originator local
	// bob's own tones come first, with originator local.
	for _, tone := range []string{"1", "#", "5"} {
		ev := expectSession(t, ctx, bob, "c1", "newDTMF")
		if origin := map[bool]string{true: "remote", false: "local"}[tone == "5"]; ev["tone"] != tone || ev["originator"] != origin {
			t.Errorf("newDTMF: %v, want %s from %s", ev, tone, origin)
		}
	}
	if _, err := in.SendInfo(ctx, "text/plain", []byte("pong")); err != nil {
		t.Fatal(err)
	}
	want(t, ctx, events, "info:pong")
	if ev := expectSession(t, ctx, bob, "c1", "newInfo"); ev["originator"] != "remote" || ev["body"] != "pong" || ev["content_type"] != "text/plain" {
		t.Errorf("newInfo: %v", ev)
	}

	bob.Send(map[string]any{"cmd": "hold", "id": "c1"})
	if ev := expectSession(t, ctx, bob, "c1", "hold"); ev["originator"] != "local" {
		t.Errorf("hold: %v", ev)
	}
	if st := status(t, ctx, bob, "c1"); st["hold"].(map[string]any)["local"] != true {
		t.Errorf("isOnHold after hold: %v", st)
	}
	bob.Send(map[string]any{"cmd": "unhold", "id": "c1"})
	expectSession(t, ctx, bob, "c1", "unhold")

	bob.Send(map[string]any{"cmd": "terminate", "id": "c1"})
	if ev := expectSession(t, ctx, bob, "c1", "ended"); ev["originator"] != "local" || ev["cause"] != "Terminated" {
		t.Errorf("ended: %v", ev)
	}
	want(t, ctx, events, "ended:remote")

	// Native calls wasm; wasm answers, native hangs up.
	var out *ringo.Session
	go func() {
		s, err := alice.Call(ctx, "bob", &ringo.CallOptions{
			Media:    &media.StaticSession{Offer: testSDP("6000")},
			Handlers: ringo.SessionHandlers{Confirmed: func(ringo.ConfirmedEvent) { events <- "out confirmed" }},
		})
		if err != nil {
			t.Error(err)
		}
		calls <- s
	}()
	ev := bob.Expect(ctx, "session")
	if ev["originator"] != "remote" || ev["from"] != "sip:alice@ringo.test" || ev["direction"] != "incoming" {
		t.Errorf("session: %v", ev)
	}
	id := ev["id"].(string)
	bob.Send(map[string]any{"cmd": "answer", "id": id, "sdp": testSDP("7000")})
	expectSession(t, ctx, bob, id, "accepted", "confirmed")
	want(t, ctx, events, "out confirmed")
	out = <-calls
	if err := out.Terminate(nil); err != nil {
		t.Fatal(err)
	}
	if ev := expectSession(t, ctx, bob, id, "ended"); ev["originator"] != "remote" {
		t.Errorf("ended: %v", ev)
	}
	bob.Stop(ctx)
}

// expectSession waits for the call's events in order and returns the last.
func expectSession(t *testing.T, ctx context.Context, p *testpeer.NodeProcess, id string, names ...string) map[string]any {
	t.Helper()
	var ev map[string]any
	for _, name := range names {
		for {
			e, err := p.WaitFor(ctx, "session_event")
			if err != nil {
				t.Fatalf("waiting for %s: %v", name, err)
			}
			if e["id"] == id && e["name"] == name {
				ev = e
				break
			}
			if e["name"] == "failed" || e["name"] == "ended" {
				t.Fatalf("waiting for %s, got %v", name, e)
			}
		}
	}
	return ev
}

func status(t *testing.T, ctx context.Context, p *testpeer.NodeProcess, id string) map[string]any {
	t.Helper()
	p.Send(map[string]any{"cmd": "status", "id": id})
	return p.Expect(ctx, "status")
}

func want(t *testing.T, ctx context.Context, ch <-chan string, w string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != w {
			t.Fatalf("native side: got %q, want %q", got, w)
		}
	case <-ctx.Done():
		t.Fatalf("native side: no %q", w)
	}
}
