//go:build !js

package wasm_test

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/webrtc"
	"github.com/ringo-sip/ringo/wasm"
)

// The web phone page in Chromium, used as a person would: it registers,
// calls a native Ringo UA that answers with WebRTC audio, sends DTMF from
// the dial pad, puts the call on hold and back, hangs up, is called back
// and answers, and exchanges messages. The native side counts the page's
// (fake microphone) audio packets.
func TestWebPhone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	if _, err := os.Stat(testpeer.DefaultChromium); err != nil {
		t.Fatalf("%s (%v)", testpeer.BrowserInstallHint, err)
	}
	srv := startServer(t, map[string]string{"alice": "a-pw", "bob": "b-pw"})
	web := httptest.NewServer(wasm.WebHandler(wasm.WebConfig{Dist: buildWasm(t), WSURL: wsURL(srv), Domain: "ringo.test"}))
	defer web.Close()

	engine, err := webrtc.New(webrtc.Config{IncludeLoopback: true, IPFilter: loopbackOnly})
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan *ringo.Session, 2)
	native := make(chan string, 16)
	bob := nativeUA(t, srv, "bob", "b-pw", func(ua *ringo.UA) {
		ua.OnNewSession(func(ev ringo.NewSessionEvent) {
			if ev.Originator != ringo.Remote {
				return
			}
			ev.Session.SetHandlers(ringo.SessionHandlers{
				NewDTMF: func(e ringo.DTMFEvent) { native <- "dtmf:" + string(e.Tone) },
				Hold:    func(ringo.HoldEvent) { native <- "hold" },
				Unhold:  func(ringo.HoldEvent) { native <- "unhold" },
				Ended:   func(e ringo.EndEvent) { native <- "ended:" + string(e.Originator) },
			})
			calls <- ev.Session
		})
		ua.OnNewMessage(func(r *ringo.IncomingRequest) { native <- "message:" + string(r.Body()) })
	})

	d := runPeer(t, ctx, peerScript(t, "webphone-driver.js"), nil)
	n := 0
	do := func(cmd map[string]any) map[string]any {
		t.Helper()
		n++
		cmd["id"] = n
		d.Send(cmd)
		ev, err := d.WaitForAny(ctx, "done", "text", "opened", "error")
		if err != nil {
			t.Fatal(err)
		}
		if ev["event"] == "error" {
			t.Fatalf("%v: %v", cmd, ev["message"])
		}
		return ev
	}
	waitText := func(sel, has string) {
		t.Helper()
		do(map[string]any{"cmd": "wait_text", "sel": sel, "has": has})
	}
	start := time.Now()
	ev := do(map[string]any{"cmd": "open", "url": web.URL})
	t.Logf("Chromium %v: web phone page with Ringo loaded in %v ms", ev["version"], ev["ready_ms"])
	waitText("#status", "loaded")
	do(map[string]any{"cmd": "fill", "sel": "#uri", "value": "sip:alice@ringo.test"})
	do(map[string]any{"cmd": "fill", "sel": "#password", "value": "a-pw"})
	do(map[string]any{"cmd": "click", "sel": "#register"})
	waitText("#status", "registered as sip:alice@ringo.test")
	t.Logf("registered %v after opening Chromium", time.Since(start).Round(time.Millisecond))

	// The page calls the native UA.
	do(map[string]any{"cmd": "fill", "sel": "#target", "value": "bob"})
	do(map[string]any{"cmd": "click", "sel": "#call"})
	var in *ringo.Session
	select {
	case in = <-calls:
	case <-ctx.Done():
		t.Fatal("no call at the native UA")
	}
	rec := &recorder{}
	m, err := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSink: rec})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Answer(ctx, &ringo.AnswerOptions{Media: m}); err != nil {
		t.Fatal(err)
	}
	waitText("#call_state", "in call with sip:bob@ringo.test")
	waitText("#duration", "00:02")
	if st := in.Media().Stats().Audio; st.Received.Packets == 0 {
		t.Errorf("native side received no audio from the page: %+v", st)
	} else if s := rec.last(2 * time.Second); audio.RMS(s) < 0.001 {
		t.Errorf("native side: the page's audio is silent (RMS %.4f)", audio.RMS(s))
	} else {
		t.Logf("native side: %d audio packets from the page (%s), RMS %.3f of full scale, %.0f Hz", st.Received.Packets, st.Codec, audio.RMS(s), audio.DominantFrequency(s, 8000))
	}
	for _, k := range []string{"5", "#"} {
		do(map[string]any{"cmd": "click", "sel": fmt.Sprintf("#pad button:text-is(%q)", k)})
		want(t, ctx, native, "dtmf:"+k)
	}
	do(map[string]any{"cmd": "click", "sel": "#hold"})
	want(t, ctx, native, "hold")
	waitText("#call_state", "on hold")
	do(map[string]any{"cmd": "click", "sel": "#hold"})
	want(t, ctx, native, "unhold")
	do(map[string]any{"cmd": "click", "sel": "#mute"})
	waitText("#mute", "Unmute")
	do(map[string]any{"cmd": "screenshot", "path": filepath.Join(t.TempDir(), "call.png")})
	do(map[string]any{"cmd": "click", "sel": "#hangup"})
	want(t, ctx, native, "ended:remote")
	waitText("#call_state", "call ended")

	// The native UA calls the page, which answers.
	go func() {
		m, err := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(440, 0.3)})
		if err != nil {
			t.Error(err)
			return
		}
		s, err := bob.Call(ctx, "alice", &ringo.CallOptions{Media: m})
		if err != nil {
			t.Error(err)
			return
		}
		calls <- s
	}()
	waitText("#incoming_from", "sip:bob@ringo.test")
	do(map[string]any{"cmd": "click", "sel": "#answer"})
	waitText("#call_state", "in call with sip:bob@ringo.test")
	out := <-calls
	deadline := time.Now().Add(10 * time.Second)
	for out.Media().Stats().Audio.Received.Packets == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if out.Media().Stats().Audio.Received.Packets == 0 {
		t.Errorf("native caller received no audio from the page")
	}
	if err := out.Terminate(nil); err != nil {
		t.Fatal(err)
	}
	waitText("#call_state", "call ended")

	// Messages both ways.
	do(map[string]any{"cmd": "fill", "sel": "#message_to", "value": "bob"})
	do(map[string]any{"cmd": "fill", "sel": "#message_text", "value": "hi from the page"})
	do(map[string]any{"cmd": "click", "sel": "#send"})
	want(t, ctx, native, "message:hi from the page")
	waitText("#message_log", "to bob: hi from the page")
	if _, err := bob.SendMessage(ctx, "alice", "hi from Go", nil); err != nil {
		t.Fatal(err)
	}
	waitText("#message_log", "bob: hi from Go")
	d.Stop(ctx)
}

// loopbackOnly keeps the native side's ICE candidates on 127.0.0.1.
func loopbackOnly(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil }
