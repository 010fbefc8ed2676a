//go:build !js

package wasm_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media/audio"
)

// The tones of TestBrowserRingoPageAndNativeCLI: the page's fake
// microphone plays micHz (from a WAV file Chromium loops), the native
// side plays nativeHz. They are apart, and neither is near the 400 Hz
// beeps of Chromium's default fake microphone, so a recording with the
// wrong one fails.
const (
	micHz    = 697.0
	nativeHz = 1209.0
)

// A Ringo web page (the harness's phone page on ringo.js, in headless
// Chromium, over WebSocket) and the native CLI (`ringo agent` and `ringo
// call`, built from cmd/ringo and run as child processes over UDP) call
// each other through the embedded server, issue 7:
//
//   - the page calls `ringo agent --answer --record DIR` and hangs up
//     after a few seconds of media: the agent's recording holds the page's
//     fake-microphone tone (dominant frequency, seconds of sound, level),
//     and the agent reports the same;
//   - `ringo call --play tone:HZ --record FILE` calls the page, which
//     answers: the page receives the tone (getStats: packets and audio
//     level), the CLI hangs up after --duration and exits 0, and its
//     recording holds the page's tone.
func TestBrowserRingoPageAndNativeCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
	defer cancel()
	dir := t.TempDir()
	mic := filepath.Join(dir, "mic.wav")
	writeToneWAV(t, mic, micHz, 3*time.Second)
	bin := buildRingoCLI(t, ctx, dir)

	srv := startServer(t, map[string]string{"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"})
	udp := "udp:" + srv.Addrs().UDP.String()
	cli := func(cmd, user string, args ...string) []string {
		return append([]string{cmd, "--server", udp, "--uri", "sip:" + user + "@ringo.test", "--password", user + "-pw",
			"--media-ip", "127.0.0.1", "--timeout", "30s", "--json"}, args...)
	}

	dist := buildWasm(t)
	t.Setenv("NODE_OPTIONS", fmt.Sprintf("--require %q", peerScript(t, "browser-hook.js")))
	t.Setenv("RINGO_WASM_DIR", dist)
	b := testpeer.StartBrowser(t, ctx, testpeer.BrowserOptions{Args: []string{"--use-file-for-fake-audio-capture=" + mic}})
	page := b.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: wsURL(srv), URI: "sip:alice@ringo.test", Password: "alice-pw"})
	t.Logf("Chromium %s, its fake microphone playing %s (%.0f Hz)", b.Version(), mic, micHz)

	// 1. The page calls the agent, which records.
	recDir := filepath.Join(dir, "recordings") + "/"
	agent := startCLI(t, ctx, bin, cli("agent", "bob", "--answer", "--play", fmt.Sprintf("tone:%g", nativeHz), "--record", recDir)...)
	agent.event(ctx, "registered")
	page.MustSend(map[string]any{"cmd": "call", "target": "sip:bob@ringo.test"})
	page.ExpectFrom(ctx, "confirmed", "local")
	if ev := agent.event(ctx, "call_incoming"); ev["from"] != "sip:alice@ringo.test" {
		t.Errorf("agent's call_incoming %v, want from sip:alice@ringo.test", ev)
	}
	ev := agent.event(ctx, "call_media")
	t.Logf("agent: first RTP %v ms after the INVITE, codec %v", ev["first_rtp_ms"], ev["codec"])
	page.Expect(ctx, "rtp_started")
	time.Sleep(3 * time.Second) // media flows both ways meanwhile
	st := page.MustStats(ctx)
	t.Logf("page (caller): %+v", st)
	checkHears(t, "page calling the agent", st)
	page.MustSend(map[string]any{"cmd": "hangup"})
	page.ExpectFrom(ctx, "ended", "local")
	if ev := agent.event(ctx, "call_ended"); ev["cause"] != "Terminated" || ev["originator"] != "remote" {
		t.Errorf("agent's call_ended %v, want Terminated by remote", ev)
	}
	ev = agent.event(ctx, "stats")
	t.Logf("agent's stats: %v", ev)
	rec := agent.event(ctx, "recording")
	t.Logf("agent's recording event: %v", rec)
	file, _ := rec["file"].(string)
	if filepath.Dir(file) != filepath.Clean(recDir) {
		t.Errorf("agent recorded to %q, want a file in %s", file, recDir)
	}
	checkRecording(t, "agent's recording", file, 2*time.Second)
	if hz, _ := rec["frequency_hz"].(float64); math.Abs(hz-micHz) > micHz*0.03 {
		t.Errorf("agent reports frequency_hz %v, want %.0f±3%%", rec["frequency_hz"], micHz)
	}
	if s, _ := rec["sound_s"].(float64); s < 2 {
		t.Errorf("agent reports sound_s %v, want at least 2 s", rec["sound_s"])
	}
	if code := agent.stop(ctx); code != 0 {
		t.Errorf("ringo agent: exit status %d after SIGINT, want 0", code)
	}

	// 2. ringo call calls the page, which answers; both record or measure.
	callRec := filepath.Join(dir, "call.wav")
	call := startCLI(t, ctx, bin, cli("call", "carol", "--play", fmt.Sprintf("tone:%g", nativeHz), "--record", callRec,
		"--duration", "5s", "alice")...)
	if ev := page.ExpectFrom(ctx, "newRTCSession", "remote"); ev["from"] != "sip:carol@ringo.test" {
		t.Errorf("page's newRTCSession %v, want from sip:carol@ringo.test", ev)
	}
	page.MustSend(map[string]any{"cmd": "answer"})
	page.ExpectFrom(ctx, "confirmed", "remote")
	call.event(ctx, "call_accepted")
	ev = call.event(ctx, "call_media")
	t.Logf("ringo call: first RTP %v ms after the INVITE, codec %v", ev["first_rtp_ms"], ev["codec"])
	page.Expect(ctx, "rtp_started")
	time.Sleep(time.Second) // within --duration: the CLI hangs up 5 s after the answer
	st = page.MustStats(ctx)
	t.Logf("page (callee): %+v", st)
	checkHears(t, "page called by ringo call", st)
	if ev := page.ExpectFrom(ctx, "ended", "remote"); ev["cause"] != "Terminated" {
		t.Errorf("page's ended %v, want Terminated", ev)
	}
	if ev := call.event(ctx, "call_ended"); ev["cause"] != "Terminated" || ev["originator"] != "local" {
		t.Errorf("ringo call's call_ended %v, want Terminated by local", ev)
	}
	if code := call.wait(ctx); code != 0 {
		t.Errorf("ringo call: exit status %d, want 0\nstderr:\n%s", code, call.stderrText())
	}
	checkRecording(t, "ringo call's recording", callRec, 2*time.Second)

	page.Close(ctx)
	b.Stop(ctx)
}

// checkHears checks what a page's getStats says it received from the
// native side: audio packets, decoded for playout, at the level of a tone
// at half of full scale (about 0.5) rather than silence.
func checkHears(t *testing.T, who string, st testpeer.BrowserStats) {
	t.Helper()
	if st.InboundPackets == 0 || st.OutboundPackets == 0 {
		t.Errorf("%s: audio packets in %d, out %d; want both > 0", who, st.InboundPackets, st.OutboundPackets)
	}
	if st.SamplesReceived == 0 || st.AudioLevel < 0.1 {
		t.Errorf("%s: %d samples received at level %.3f; want the native tone, above 0.1", who, st.SamplesReceived, st.AudioLevel)
	}
}

// checkRecording reads a WAV file the CLI recorded and checks that it
// holds the page's microphone tone: at least minSound of 20 ms frames above
// -40 dBFS, most of the recording, whose dominant frequency is micHz
// within 3%.
func checkRecording(t *testing.T, what, path string, minSound time.Duration) {
	t.Helper()
	samples, format, err := audio.ReadWAVFile(path)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if format.SampleRate != audio.Rate || format.Channels != 1 {
		t.Errorf("%s: format %+v, want %d Hz mono", what, format, audio.Rate)
	}
	const threshold = 0.01 // -40 dBFS
	var sound []int16
	for i := 0; i+audio.FrameSamples <= len(samples); i += audio.FrameSamples {
		if f := samples[i : i+audio.FrameSamples]; audio.RMS(f) > threshold {
			sound = append(sound, f...)
		}
	}
	if n := audio.Active(samples, threshold); n != len(sound) {
		t.Errorf("%s: audio.Active %d samples, the frames above %.2f %d", what, n, threshold, len(sound))
	}
	length := time.Duration(len(samples)) * time.Second / audio.Rate
	active := time.Duration(len(sound)) * time.Second / audio.Rate
	fraction := 0.0
	if len(samples) > 0 {
		fraction = float64(len(sound)) / float64(len(samples))
	}
	hz := audio.DominantFrequency(sound, audio.Rate)
	level := audio.RMS(sound)
	t.Logf("%s: %v long, %v of sound (%.0f%%), level %.3f (%.1f dBFS), dominant frequency %.1f Hz",
		what, length, active, 100*fraction, level, 20*math.Log10(level+1e-9), hz)
	if math.Abs(hz-micHz) > micHz*0.03 {
		t.Errorf("%s: dominant frequency %.1f Hz, want the page's %.0f Hz ±3%%", what, hz, micHz)
	}
	if active < minSound || fraction < 0.5 {
		t.Errorf("%s: %v of sound in %v; want at least %v, and at least half of it", what, active, length, minSound)
	}
	if level < 0.02 {
		t.Errorf("%s: level %.3f of the sound, want above 0.02", what, level)
	}
}

// writeToneWAV writes d of a sine tone at half of full scale to path, as
// 16-bit mono at audio.Rate.
func writeToneWAV(t *testing.T, path string, hz float64, d time.Duration) {
	t.Helper()
	w, err := audio.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, int64(d)*audio.Rate/int64(time.Second))
	if _, err := audio.NewTone(hz, 0.5).ReadPCM(buf); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePCM(buf); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// buildRingoCLI builds cmd/ringo into dir and returns the binary's path.
func buildRingoCLI(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "ringo")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ringo")
	cmd.Dir = testpeer.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/ringo: %v\n%s", err, out)
	}
	return bin
}

// cliProc is the ringo CLI running as a child process with --json: its
// events, one JSON object a line on stdout, and its stderr.
type cliProc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	events chan map[string]any // closed at the end of stdout
	exited chan struct{}
	code   int

	mu     sync.Mutex
	stderr bytes.Buffer
	lines  []string // stdout, for the log
}

// startCLI runs bin with args; the process is interrupted and waited for
// in t.Cleanup if the test did not stop it, and its output is logged if
// the test failed.
func startCLI(t *testing.T, ctx context.Context, bin string, args ...string) *cliProc {
	t.Helper()
	p := &cliProc{t: t, name: "ringo " + args[0], events: make(chan map[string]any, 1000), exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(p.events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			var ev map[string]any
			if json.Unmarshal([]byte(line), &ev) == nil {
				p.events <- ev
			}
		}
	}()
	go func() {
		<-read
		err := p.cmd.Wait()
		p.code = 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			p.code = ee.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.exited)
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.cmd.Process.Kill()
		case <-p.exited:
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Signal(os.Interrupt)
			select {
			case <-p.exited:
			case <-time.After(10 * time.Second):
				p.cmd.Process.Kill()
				<-p.exited
			}
		}
		if t.Failed() {
			p.mu.Lock()
			defer p.mu.Unlock()
			t.Logf("%s %s (exit %d)\nstdout:\n%s\nstderr:\n%s", bin, strings.Join(args, " "), p.code,
				strings.Join(p.lines, "\n"), p.stderr.String())
		}
	})
	return p
}

// event returns the next event named name, skipping others; it fails the
// test if the process ends first or ctx does.
func (p *cliProc) event(ctx context.Context, name string) map[string]any {
	p.t.Helper()
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				p.t.Fatalf("%s ended before a %q event; stderr:\n%s", p.name, name, p.stderrText())
			}
			if ev["event"] == name {
				return ev
			}
		case <-ctx.Done():
			p.t.Fatalf("%s: no %q event: %v", p.name, name, ctx.Err())
		}
	}
}

// wait waits for the process to exit and returns its exit status.
func (p *cliProc) wait(ctx context.Context) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-ctx.Done():
		p.t.Fatalf("%s did not exit: %v", p.name, ctx.Err())
		return -1
	}
}

// stop interrupts the process, as Ctrl-C does, and returns its exit
// status.
func (p *cliProc) stop(ctx context.Context) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		p.t.Errorf("%s: %v", p.name, err)
	}
	return p.wait(ctx)
}

func (p *cliProc) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// lockedWriter serializes writes to w with mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
