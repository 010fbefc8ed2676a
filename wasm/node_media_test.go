//go:build !js

package wasm_test

import (
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/webrtc"
)

// recorder keeps the audio a native session receives.
type recorder struct {
	mu      sync.Mutex
	samples []int16
}

func (r *recorder) WritePCM(p []int16) error {
	r.mu.Lock()
	r.samples = append(r.samples, p...)
	r.mu.Unlock()
	return nil
}

func (r *recorder) Close() error { return nil }

// last returns the last d of audio, at 8 kHz.
func (r *recorder) last(d time.Duration) []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := int(d.Seconds() * 8000)
	if len(r.samples) < n {
		return append([]int16(nil), r.samples...)
	}
	return append([]int16(nil), r.samples[len(r.samples)-n:]...)
}

// Calls with media in Node.js, which JsSIP cannot make: the wasm build
// with @roamhq/wrtc calls a native Ringo UA (media/webrtc) and is called
// by it. Each side sends a tone and finds the other's in what it
// receives: 440 Hz from Node.js, 1000 Hz from the native side. DTMF from
// Node.js goes by INFO (wrtc has no RTCDTMFSender).
func TestNodeCallsWithMedia(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if _, err := os.Stat(filepath.Join("node_modules", "@roamhq", "wrtc")); err != nil {
		t.Fatalf("@roamhq/wrtc not installed (%v): cd wasm && npm ci", err)
	}
	srv := startServer(t, nil)
	engine, err := webrtc.New(webrtc.Config{IncludeLoopback: true, IPFilter: loopbackOnly, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan *ringo.Session, 2)
	tones := make(chan string, 8)
	native := nativeUA(t, srv, "alice", "", func(ua *ringo.UA) {
		ua.OnNewSession(func(ev ringo.NewSessionEvent) {
			if ev.Originator == ringo.Remote {
				ev.Session.SetHandlers(ringo.SessionHandlers{NewDTMF: func(e ringo.DTMFEvent) { tones <- string(e.Tone) }})
				calls <- ev.Session
			}
		})
	})
	node := runPeer(t, ctx, peerScript(t, "node-call.js"), map[string]string{
		"RINGO_WS_URL": wsURL(srv),
		"RINGO_URI":    "sip:bob@ringo.test",
	})
	node.Expect(ctx, "registered")

	// Node.js calls the native UA.
	start := time.Now()
	node.Send(map[string]any{"cmd": "call", "id": "c1", "target": "alice"})
	node.Expect(ctx, "session")
	var in *ringo.Session
	select {
	case in = <-calls:
	case <-ctx.Done():
		t.Fatal("no call at the native UA")
	}
	rec := &recorder{}
	m, err := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(1000, 0.3), AudioSink: rec})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Answer(ctx, &ringo.AnswerOptions{Media: m}); err != nil {
		t.Fatal(err)
	}
	expectSession(t, ctx, node, "c1", "accepted", "confirmed")
	heard := expectAudio(t, ctx, node, "c1", 1000)
	t.Logf("Node.js caller hears the native tone %v after call(): %.0f Hz, RMS %.0f", time.Since(start).Round(time.Millisecond), heard["hz"], heard["rms"])
	checkTone(t, ctx, rec, 440, "native callee")

	// @roamhq/wrtc has no RTCDTMFSender, so RFC 4733 fails in Node.js
	// (with an error that says so) and DTMF goes by INFO.
	node.Send(map[string]any{"cmd": "dtmf", "id": "c1", "tones": "9", "transport": "RFC2833"})
	if ev := node.Expect(ctx, "result"); ev["ok"] != false || !strings.Contains(ev["error"].(string), "telephone-event") {
		t.Errorf("RFC 4733 DTMF without RTCDTMFSender: %v", ev)
	}
	node.Send(map[string]any{"cmd": "dtmf", "id": "c1", "tones": "42", "transport": "INFO"})
	for _, want := range []string{"4", "2"} {
		select {
		case got := <-tones:
			if got != want {
				t.Errorf("native side got DTMF %q, want %q", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("no DTMF %q at the native side", want)
		}
	}
	node.Send(map[string]any{"cmd": "terminate", "id": "c1"})
	expectSession(t, ctx, node, "c1", "ended")

	// The native UA calls Node.js.
	rec2 := &recorder{}
	m2, err := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(1000, 0.3), AudioSink: rec2})
	if err != nil {
		t.Fatal(err)
	}
	out, err := native.Call(ctx, "bob", &ringo.CallOptions{Media: m2})
	if err != nil {
		t.Fatal(err)
	}
	ev := node.Expect(ctx, "session")
	id := ev["id"].(string)
	node.Send(map[string]any{"cmd": "answer", "id": id})
	expectSession(t, ctx, node, id, "accepted", "confirmed")
	expectAudio(t, ctx, node, id, 1000)
	checkTone(t, ctx, rec2, 440, "native caller")
	if err := out.Terminate(nil); err != nil {
		t.Fatal(err)
	}
	expectSession(t, ctx, node, id, "ended")

	node.Send(map[string]any{"cmd": "stop"})
	node.Expect(ctx, "stopped")
}

// expectAudio waits for a second of audio at the Node.js side whose
// frequency is near hz.
func expectAudio(t *testing.T, ctx context.Context, p *testpeer.NodeProcess, id string, hz float64) map[string]any {
	t.Helper()
	for {
		ev, err := p.WaitFor(ctx, "audio")
		if err != nil {
			t.Fatalf("Node.js side: no %v Hz audio: %v", hz, err)
		}
		if ev["id"] == id && math.Abs(ev["hz"].(float64)-hz) < hz*0.05 && ev["rms"].(float64) > 100 {
			return ev
		}
	}
}

// checkTone waits until the native side's last second of audio is a tone
// near hz.
func checkTone(t *testing.T, ctx context.Context, rec *recorder, hz float64, who string) {
	t.Helper()
	var got float64
	deadline := time.Now().Add(10 * time.Second)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		s := rec.last(time.Second)
		if len(s) >= 8000 && audio.RMS(s) > 0.01 { // RMS is a fraction of full scale
			if got = audio.DominantFrequency(s, 8000); math.Abs(got-hz) < hz*0.05 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s := rec.last(time.Second)
	t.Errorf("%s: %d samples, RMS %.3f, dominant frequency %.0f Hz; want %v Hz from Node.js", who, len(rec.samples), audio.RMS(s), got, hz)
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
