package testpeer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
)

// TestBrowserPhonesCall: two JsSIP phones, pages of one headless Chromium,
// register with Kamailio over WebSocket and call each other: alice calls,
// bob answers, both confirm, audio from the fake devices flows both ways on
// 127.0.0.1 (getStats), INFO DTMF reaches bob, RFC 4733 DTMF leaves alice,
// hold turns the direction to sendonly/recvonly and stops the audio towards
// the holder, unhold brings it back, and bob's hangup ends alice's call.
// Then three calls that bob answers in the page measure the call set-up time
// (call() to the first inbound RTP packet in getStats), issue 5's
// "JsSIP ↔ JsSIP in Chromium" figure.
func TestBrowserPhonesCall(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{
		Users: map[string]string{"alice": "alice-pw", "bob": "bob-pw"},
	})
	start := time.Now()
	b := testpeer.StartBrowser(t, ctx, testpeer.BrowserOptions{})
	t.Logf("Chromium %s up in %v, pages from %s", b.Version(), time.Since(start).Round(time.Millisecond), b.URL())
	alice := b.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: k.WSURL(), URI: k.URI("alice"), Password: "alice-pw"})
	bob := b.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: k.WSURL(), URI: k.URI("bob"), Password: "bob-pw"})
	t.Logf("two phones registered %v after start", time.Since(start).Round(time.Millisecond))

	send := func(p *testpeer.BrowserPhone, cmd map[string]any) { t.Helper(); p.MustSend(cmd) }
	expect := func(p *testpeer.BrowserPhone, event, originator string) map[string]any {
		t.Helper()
		return p.ExpectFrom(ctx, event, originator)
	}
	stats := func(p *testpeer.BrowserPhone) testpeer.BrowserStats { t.Helper(); return p.MustStats(ctx) }
	direction := func(p *testpeer.BrowserPhone, want string) { t.Helper(); p.WaitDirection(ctx, want) }
	// inboundFlows polls p's inbound packet count until it changes (flowing)
	// or stays put for 300 ms (stopped), as want says.
	inboundFlows := func(p *testpeer.BrowserPhone, want bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		last := stats(p).InboundPackets
		for time.Now().Before(deadline) {
			time.Sleep(300 * time.Millisecond)
			n := stats(p).InboundPackets
			if (n != last) == want {
				return
			}
			last = n
		}
		t.Errorf("%s: inbound audio flowing = %v for 5 s, want %v", p.Name(), !want, want)
	}

	// The call.
	send(alice, map[string]any{"cmd": "call", "target": k.URI("bob")})
	expect(alice, "newRTCSession", "local")
	in := expect(bob, "newRTCSession", "remote")
	if in["from"] != k.URI("alice") {
		t.Errorf("bob's newRTCSession from %v, want %s", in["from"], k.URI("alice"))
	}
	if ev := expect(alice, "progress", "remote"); ev["status"] != float64(180) {
		t.Errorf("alice's progress = %v, want 180", ev)
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
	time.Sleep(500 * time.Millisecond) // a few packets more for the figures below
	for _, p := range []*testpeer.BrowserPhone{alice, bob} {
		st := stats(p)
		t.Logf("%s: %+v", p.Name(), st)
		if st.InboundPackets == 0 || st.OutboundPackets == 0 {
			t.Errorf("%s: audio packets in %d, out %d; want both > 0", p.Name(), st.InboundPackets, st.OutboundPackets)
		}
		if st.SamplesReceived == 0 || st.AudioEnergy == 0 {
			t.Errorf("%s: %d samples decoded, audio energy %v; want both > 0", p.Name(), st.SamplesReceived, st.AudioEnergy)
		}
		if st.Direction != "sendrecv" {
			t.Errorf("%s: direction %q, want sendrecv", p.Name(), st.Direction)
		}
		// Only 127.0.0.1 was offered, so every check and packet went there
		// (Chromium may send them from the host's other addresses: those
		// are the peer-reflexive candidates without an address).
		for _, a := range st.RemoteAddresses {
			if a != "host:udp:127.0.0.1" && a != "prflx:udp:" {
				t.Errorf("%s: remote ICE candidate %q, want only host:udp:127.0.0.1 (or a peer-reflexive one)", p.Name(), a)
			}
		}
	}

	// DTMF by SIP INFO: JsSIP reports these at the receiver.
	send(alice, map[string]any{"cmd": "dtmf", "tones": "1#", "transport": "INFO"})
	var got []string
	for len(got) < 2 {
		ev := expect(bob, "newDTMF", "remote")
		got = append(got, ev["tone"].(string))
	}
	if !slices.Equal(got, []string{"1", "#"}) {
		t.Errorf("bob's DTMF = %q, want 1 then #", got)
	}
	// DTMF by RFC 4733: JsSIP does not report it at the receiver; check
	// that alice's RTCDTMFSender played it.
	send(alice, map[string]any{"cmd": "dtmf", "tones": "23", "transport": "RFC2833", "duration": 100, "gap": 70})
	for _, want := range []string{"2", "3"} {
		if ev := alice.Expect(ctx, "dtmf_tone_sent"); ev["tone"] != want {
			t.Errorf("alice's RFC 4733 tone = %v, want %s", ev["tone"], want)
		}
	}

	// Hold and unhold by re-INVITE.
	send(alice, map[string]any{"cmd": "hold"})
	expect(alice, "hold", "local")
	expect(bob, "hold", "remote")
	direction(alice, "sendonly")
	direction(bob, "recvonly")
	inboundFlows(alice, false)
	inboundFlows(bob, true)
	send(alice, map[string]any{"cmd": "unhold"})
	expect(alice, "unhold", "local")
	expect(bob, "unhold", "remote")
	direction(alice, "sendrecv")
	direction(bob, "sendrecv")
	inboundFlows(alice, true)

	// Hangup from bob.
	send(bob, map[string]any{"cmd": "hangup"})
	if ev := bob.Expect(ctx, "ended"); ev["originator"] != "local" {
		t.Errorf("bob's ended = %v, want originator local", ev)
	}
	if ev := alice.Expect(ctx, "ended"); ev["originator"] != "remote" || ev["cause"] != "Terminated" {
		t.Errorf("alice's ended = %v, want originator remote, cause Terminated", ev)
	}

	// Set-up time: bob answers in the page, so no round trip through the
	// test adds to it.
	send(bob, map[string]any{"cmd": "auto_answer", "on": true})
	var setup []float64
	for range 3 {
		send(alice, map[string]any{"cmd": "call", "target": k.URI("bob")})
		call := expect(alice, "newRTCSession", "local")
		in := expect(bob, "newRTCSession", "remote")
		at := func(p *testpeer.BrowserPhone, session any, event string) map[string]any {
			t.Helper()
			ev, err := p.WaitForSession(ctx, session, event)
			if err != nil {
				t.Fatal(err)
			}
			return ev
		}
		sid, t0 := call["session"], call["t_ms"].(float64)
		invite := at(alice, sid, "sending")["t_ms"].(float64) - t0
		ok := at(alice, sid, "accepted")["t_ms"].(float64) - t0
		rtp := at(alice, sid, "rtp_started")["setup_ms"].(float64)
		setup = append(setup, rtp)
		t.Logf("alice: INVITE sent %.0f ms after call() (getUserMedia, offer, ICE gathering), 200 OK after %.0f ms, first RTP after %.0f ms",
			invite, ok, rtp)
		at(bob, in["session"], "rtp_started")
		send(alice, map[string]any{"cmd": "hangup"})
		at(alice, sid, "ended")
		at(bob, in["session"], "ended")
	}
	slices.Sort(setup)
	t.Logf("JsSIP ↔ JsSIP in Chromium through Kamailio on 127.0.0.1: call set-up (call() to first inbound RTP, getStats every 50 ms) min %v ms, median %v ms, max %v ms",
		setup[0], setup[len(setup)/2], setup[len(setup)-1])

	alice.Close(ctx)
	bob.Close(ctx)
	b.Stop(ctx)
	t.Logf("done in %v", time.Since(start).Round(time.Millisecond))
}

// fatalTB records the first Fatal instead of failing the test, to check the
// harness's install hints.
type fatalTB struct {
	testing.TB
	msg chan string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatal(args ...any) { f.msg <- fmt.Sprint(args...); runtime.Goexit() }

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg <- fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestBrowserMissingChromium: without a browser the harness fails, never
// skips, and says how to install one.
func TestBrowserMissingChromium(t *testing.T) {
	t.Parallel()
	f := &fatalTB{TB: t, msg: make(chan string, 1)}
	go func() {
		testpeer.StartBrowser(f, t.Context(), testpeer.BrowserOptions{Chromium: filepath.Join(t.TempDir(), "no-chromium")})
		f.msg <- "StartBrowser returned"
	}()
	msg := <-f.msg
	if !strings.Contains(msg, "apt-get install chromium") || !strings.Contains(msg, "npm ci") {
		t.Errorf("StartBrowser without Chromium: %q, want the install hint %q", msg, testpeer.BrowserInstallHint)
	}
}
