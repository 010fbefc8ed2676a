//go:build !js

package wasm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
)

// startRingoBrowser starts the Chromium harness of internal/testpeer with
// its JsSIP phone page running on Ringo: testdata/browser-hook.js swaps
// the library the driver serves, nothing else.
func startRingoBrowser(t *testing.T, ctx context.Context) *testpeer.Browser {
	t.Helper()
	dist := buildWasm(t)
	t.Setenv("NODE_OPTIONS", fmt.Sprintf("--require %q", peerScript(t, "browser-hook.js")))
	t.Setenv("RINGO_WASM_DIR", dist)
	return testpeer.StartBrowser(t, ctx, testpeer.BrowserOptions{})
}

// Two Ringo pages in Chromium (the harness's JsSIP phone page, with
// Ringo as its JsSIP) call each other through the embedded server: audio
// flows both ways (getStats inbound packets), DTMF by INFO and RFC 4733,
// hold and unhold change the directions, messages are not part of the
// page; hang-up ends both sides.
func TestBrowserRingoPagesCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	srv := startServer(t, map[string]string{"alice": "alice-pw", "bob": "bob-pw"})
	start := time.Now()
	b := startRingoBrowser(t, ctx)
	alice := b.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: wsURL(srv), URI: "sip:alice@ringo.test", Password: "alice-pw"})
	bob := b.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: wsURL(srv), URI: "sip:bob@ringo.test", Password: "bob-pw"})
	t.Logf("Chromium %s: two Ringo pages registered %v after start", b.Version(), time.Since(start).Round(time.Millisecond))

	send := func(p *testpeer.BrowserPhone, cmd map[string]any) { t.Helper(); p.MustSend(cmd) }
	expect := func(p *testpeer.BrowserPhone, event, originator string) map[string]any {
		t.Helper()
		return p.ExpectFrom(ctx, event, originator)
	}
	stats := func(p *testpeer.BrowserPhone) testpeer.BrowserStats { t.Helper(); return p.MustStats(ctx) }
	direction := func(p *testpeer.BrowserPhone, want string) { t.Helper(); p.WaitDirection(ctx, want) }

	send(alice, map[string]any{"cmd": "call", "target": "sip:bob@ringo.test"})
	expect(alice, "newRTCSession", "local")
	if in := expect(bob, "newRTCSession", "remote"); in["from"] != "sip:alice@ringo.test" {
		t.Errorf("bob's newRTCSession: %v", in)
	}
	send(bob, map[string]any{"cmd": "answer"})
	expect(alice, "accepted", "remote")
	expect(alice, "confirmed", "local")
	expect(bob, "accepted", "local")
	expect(bob, "confirmed", "remote")
	for _, p := range []*testpeer.BrowserPhone{alice, bob} {
		ev := p.Expect(ctx, "rtp_started")
		t.Logf("%s: first inbound RTP %v ms after the call started (%v)", p.Name(), ev["setup_ms"], ev["selected_pair"])
	}
	time.Sleep(500 * time.Millisecond)
	for _, p := range []*testpeer.BrowserPhone{alice, bob} {
		st := stats(p)
		t.Logf("%s: %+v", p.Name(), st)
		if st.InboundPackets == 0 || st.OutboundPackets == 0 {
			t.Errorf("%s: audio packets in %d, out %d; want both > 0", p.Name(), st.InboundPackets, st.OutboundPackets)
		}
		if st.Direction != "sendrecv" {
			t.Errorf("%s: direction %q, want sendrecv", p.Name(), st.Direction)
		}
		for _, a := range st.RemoteAddresses {
			if a != "host:udp:127.0.0.1" && a != "prflx:udp:" {
				t.Errorf("%s: remote ICE candidate %q, want loopback only", p.Name(), a)
			}
		}
	}

	// DTMF by INFO is reported at the receiver; RFC 4733 goes through
	// RTCDTMFSender (browsers do not report received telephone-events).
	send(alice, map[string]any{"cmd": "dtmf", "tones": "1#", "transport": "INFO"})
	for _, tone := range []string{"1", "#"} {
		if ev := expect(bob, "newDTMF", "remote"); ev["tone"] != tone {
			t.Errorf("bob's newDTMF %v, want %s", ev, tone)
		}
	}
	send(bob, map[string]any{"cmd": "dtmf", "tones": "7", "transport": "RFC2833"})
	if ev := bob.Expect(ctx, "dtmf_tone_sent"); ev["tone"] != "7" {
		t.Errorf("bob's RTCDTMFSender played %v", ev)
	}
	send(alice, map[string]any{"cmd": "info", "content_type": "text/plain", "body": "over"})
	if ev := expect(bob, "newInfo", "remote"); ev["body"] != "over" {
		t.Errorf("bob's newInfo %v", ev)
	}

	// Hold and unhold.
	send(alice, map[string]any{"cmd": "hold"})
	expect(alice, "hold", "local")
	expect(bob, "hold", "remote")
	direction(alice, "sendonly")
	direction(bob, "recvonly")
	send(alice, map[string]any{"cmd": "unhold"})
	expect(alice, "unhold", "local")
	expect(bob, "unhold", "remote")
	direction(alice, "sendrecv")
	direction(bob, "sendrecv")

	send(alice, map[string]any{"cmd": "mute"})
	expect(alice, "muted", "")

	send(bob, map[string]any{"cmd": "hangup"})
	if ev := expect(bob, "ended", "local"); ev["cause"] != "Terminated" {
		t.Errorf("bob's ended: %v", ev)
	}
	if ev := expect(alice, "ended", "remote"); ev["cause"] != "Terminated" {
		t.Errorf("alice's ended: %v", ev)
	}
	alice.Close(ctx)
	bob.Close(ctx)
	b.Stop(ctx)
}
