//go:build !js

package wasm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
)

// TestBrowserRingoJsSIPKamailio is issue 7's "a Ringo web page and a JsSIP
// web page call each other through Kamailio": two headless Chromiums, one
// running the harness's phone page on JsSIP 3.13 (the npm package, bundled
// by interop/browser/build.js), the other the same page on Ringo
// (testdata/browser-hook.js), both registered with Kamailio over WebSocket
// with digest authentication.
//
// Each page calls the other. In each call: newRTCSession on both sides
// with the right originator, From and To; answer, accepted and confirmed
// on both; audio both ways (getStats inbound and outbound packets on both
// pages); DTMF by INFO both ways, reported as newDTMF; hold and unhold by
// the callee (so Ringo holds as caller's peer once and holds itself once),
// with the hold and unhold events on both sides, the directions
// sendonly/recvonly then sendrecv, and audio flowing again after unhold;
// and hang-up, by the Ringo page in the first call and the JsSIP page in
// the second, ending both sides with cause Terminated. Then a MESSAGE goes
// each way between the pages. Kamailio's log shows every INVITE and
// MESSAGE was authenticated.
func TestBrowserRingoJsSIPKamailio(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 180*time.Second)
	defer cancel()
	users := map[string]string{"ringo": "ringo-pw", "jssip": "jssip-pw"}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})

	// The JsSIP browser starts first: startRingoBrowser sets NODE_OPTIONS
	// for the rest of the test, and a driver started after that serves
	// Ringo instead of JsSIP.
	start := time.Now()
	jb := testpeer.StartBrowser(t, ctx, testpeer.BrowserOptions{})
	t.Logf("Chromium %s with JsSIP up in %v", jb.Version(), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	rb := startRingoBrowser(t, ctx)
	t.Logf("Chromium %s with Ringo up in %v (wasm build included)", rb.Version(), time.Since(start).Round(time.Millisecond))

	start = time.Now()
	js := jb.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: k.WSURL(), URI: k.URI("jssip"), Password: users["jssip"]})
	t.Logf("JsSIP page registered in %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	rg := rb.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: k.WSURL(), URI: k.URI("ringo"), Password: users["ringo"]})
	t.Logf("Ringo page registered in %v", time.Since(start).Round(time.Millisecond))
	// Which library each page runs shows in its REGISTER's User-Agent:
	// phone.js sends "JsSIP " + JsSIP.version, which is Ringo's version
	// (undefined until the wasm has loaded) on the Ringo page.
	const jssipUA = "JsSIP 3.13.8 "
	for _, user := range []string{"jssip", "ringo"} {
		cs := k.WaitRegistered(ctx, user)
		if len(cs) != 1 {
			t.Fatalf("%s: Kamailio holds %d contacts, want 1: %+v", user, len(cs), cs)
		}
		t.Logf("%s registered %s, User-Agent %q", user, cs[0].Address, cs[0].UserAgent)
		if isJsSIP := strings.HasPrefix(cs[0].UserAgent, jssipUA); isJsSIP != (user == "jssip") {
			t.Errorf("%s's page registered with User-Agent %q: JsSIP 3.13.8 = %v, want %v", user, cs[0].UserAgent, isJsSIP, user == "jssip")
		}
	}

	// No subtests: the phones fail the test they were made in (the
	// BrowserPhone methods call this t's Fatal).
	t.Log("the Ringo page calls the JsSIP page")
	pageCall(t, ctx, rg, js, js, rg)
	t.Log("the JsSIP page calls the Ringo page")
	pageCall(t, ctx, js, rg, rg, js)
	t.Log("MESSAGE both ways")
	pageMessage(t, ctx, rg, js, "text/plain;charset=utf-8", "hello JsSIP, from Ringo: ünïcödé ☎")
	pageMessage(t, ctx, js, rg, "application/json", `{"from":"JsSIP","to":"Ringo"}`)

	for _, want := range []string{
		"AUTH ok REGISTER ringo", "AUTH ok REGISTER jssip",
		"AUTH ok INVITE ringo", "AUTH ok INVITE jssip",
		"AUTH ok MESSAGE ringo", "AUTH ok MESSAGE jssip",
	} {
		if !strings.Contains(k.Log(), want) {
			t.Errorf("Kamailio's log lacks %q: the request did not go through Kamailio's digest check", want)
		}
	}
	rg.Close(ctx)
	js.Close(ctx)
	rb.Stop(ctx)
	jb.Stop(ctx)
}

// pageCall runs one call between two browser phones: caller calls callee,
// holder holds and unholds, hanger hangs up.
func pageCall(t *testing.T, ctx context.Context, caller, callee, holder, hanger *testpeer.BrowserPhone) {
	other := func(p *testpeer.BrowserPhone) *testpeer.BrowserPhone {
		if p == caller {
			return callee
		}
		return caller
	}
	both := []*testpeer.BrowserPhone{caller, callee}

	caller.MustSend(map[string]any{"cmd": "call", "target": callee.URI()})
	if ev := caller.ExpectFrom(ctx, "newRTCSession", "local"); ev["from"] != caller.URI() || ev["to"] != callee.URI() {
		t.Errorf("%s's newRTCSession from %v to %v, want from %s to %s", caller.Name(), ev["from"], ev["to"], caller.URI(), callee.URI())
	}
	if ev := callee.ExpectFrom(ctx, "newRTCSession", "remote"); ev["from"] != caller.URI() || ev["to"] != callee.URI() {
		t.Errorf("%s's newRTCSession from %v to %v, want from %s to %s", callee.Name(), ev["from"], ev["to"], caller.URI(), callee.URI())
	}
	callee.MustSend(map[string]any{"cmd": "answer"})
	if ev := caller.ExpectFrom(ctx, "accepted", "remote"); ev["status"] != float64(200) {
		t.Errorf("%s's accepted: %v, want status 200", caller.Name(), ev)
	}
	caller.ExpectFrom(ctx, "confirmed", "local")
	callee.ExpectFrom(ctx, "accepted", "local")
	callee.ExpectFrom(ctx, "confirmed", "remote")

	// Audio both ways.
	for _, p := range both {
		ev := p.Expect(ctx, "rtp_started")
		t.Logf("%s: first inbound RTP %v ms after the call started (%v)", p.Name(), ev["setup_ms"], ev["selected_pair"])
	}
	for _, p := range both {
		st := waitStats(t, ctx, p, "audio packets in and out", func(st testpeer.BrowserStats) bool {
			return st.InboundPackets > 0 && st.OutboundPackets > 0
		})
		t.Logf("%s: audio in %d packets, out %d, ICE %s, %s", p.Name(), st.InboundPackets, st.OutboundPackets, st.ICEState, st.SelectedPair)
		if st.Direction != "sendrecv" {
			t.Errorf("%s: direction %q, want sendrecv", p.Name(), st.Direction)
		}
		for _, a := range st.RemoteAddresses {
			if a != "host:udp:127.0.0.1" && a != "prflx:udp:" {
				t.Errorf("%s: remote ICE candidate %q, want loopback only", p.Name(), a)
			}
		}
	}

	// DTMF by INFO, both ways.
	for _, d := range []struct {
		from  *testpeer.BrowserPhone
		tones string
	}{{caller, "1#"}, {callee, "*9"}} {
		to := other(d.from)
		d.from.MustSend(map[string]any{"cmd": "dtmf", "tones": d.tones, "transport": "INFO"})
		for _, tone := range strings.Split(d.tones, "") {
			if ev := to.ExpectFrom(ctx, "newDTMF", "remote"); ev["tone"] != tone {
				t.Errorf("%s's newDTMF %v, want tone %s from %s", to.Name(), ev, tone, d.from.Name())
			}
		}
	}

	// Hold and unhold.
	held := other(holder)
	holder.MustSend(map[string]any{"cmd": "hold"})
	holder.ExpectFrom(ctx, "hold", "local")
	held.ExpectFrom(ctx, "hold", "remote")
	holder.WaitDirection(ctx, "sendonly")
	held.WaitDirection(ctx, "recvonly")
	holder.MustSend(map[string]any{"cmd": "unhold"})
	holder.ExpectFrom(ctx, "unhold", "local")
	held.ExpectFrom(ctx, "unhold", "remote")
	holder.WaitDirection(ctx, "sendrecv")
	held.WaitDirection(ctx, "sendrecv")
	for _, p := range both {
		before := p.MustStats(ctx).InboundPackets
		waitStats(t, ctx, p, "inbound audio after unhold", func(st testpeer.BrowserStats) bool {
			return st.InboundPackets > before
		})
	}

	// Hang-up.
	hanger.MustSend(map[string]any{"cmd": "hangup"})
	if ev := hanger.ExpectFrom(ctx, "ended", "local"); ev["cause"] != "Terminated" {
		t.Errorf("%s's ended: %v, want cause Terminated", hanger.Name(), ev)
	}
	if ev := other(hanger).ExpectFrom(ctx, "ended", "remote"); ev["cause"] != "Terminated" {
		t.Errorf("%s's ended: %v, want cause Terminated", other(hanger).Name(), ev)
	}
}

// waitStats polls p's getStats until ok accepts them, for up to 10 s (a
// bound, not a measure), and fails the test if it never does.
func waitStats(t *testing.T, ctx context.Context, p *testpeer.BrowserPhone, what string, ok func(testpeer.BrowserStats) bool) testpeer.BrowserStats {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		st := p.MustStats(ctx)
		if ok(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: no %s within 10 s: %+v", p.Name(), what, st)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// pageMessage sends a MESSAGE from one browser phone to the other and
// checks what arrives and the sender's 200.
func pageMessage(t *testing.T, ctx context.Context, from, to *testpeer.BrowserPhone, contentType, body string) {
	t.Helper()
	id := from.Name() + "-message"
	from.MustSend(map[string]any{"cmd": "message", "id": id, "target": to.URI(), "body": body, "content_type": contentType})
	got := to.Expect(ctx, "newMessage")
	if got["from"] != from.URI() || got["to"] != to.URI() || got["body"] != body || got["content_type"] != contentType {
		t.Errorf("%s received %q (%v) from %v to %v; want %q (%s) from %s to %s",
			to.Name(), got["body"], got["content_type"], got["from"], got["to"], body, contentType, from.URI(), to.URI())
	}
	ev, err := from.WaitForAny(ctx, "message_sent", "message_failed")
	if err != nil {
		t.Fatal(err)
	}
	if ev["event"] != "message_sent" || ev["id"] != id || ev["status"] != float64(200) {
		t.Errorf("%s's MESSAGE: %v, want message_sent with status 200", from.Name(), ev)
	}
}
