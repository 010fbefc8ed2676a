package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media/audio"
)

// TestCall runs "ringo serve" and "ringo agent --answer" in the
// background and calls the agent with "ringo call", in-process, with real
// SIP and RTP on 127.0.0.1: the agent's recording holds the caller's
// tone, and the DTMF arrives in order.
func TestCall(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte("alice:apw\nbob:bpw\ncarol:cpw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startRingo(t, "serve", "--ws", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--tcp", "127.0.0.1:0",
		"--users", users, "--domain", "ringo.test", "--json")
	servers := map[string]string{}
	for range 3 {
		ev := srv.event(t, "listening")
		servers[ev["transport"].(string)] = ev["server"].(string)
	}
	ua := func(server, user, password string) []string {
		return []string{"--server", server, "--uri", "sip:" + user + "@ringo.test", "--password", password,
			"--timeout", "10s", "--media-ip", "127.0.0.1", "--json"}
	}
	rec := filepath.Join(dir, "bob.wav")
	bob := startRingo(t, append([]string{"agent", "--answer", "--play", "tone:440", "--record", rec}, ua(servers["udp"], "bob", "bpw")...)...)
	bob.event(t, "registered")

	t.Run("tone and RFC 4733 DTMF", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, append([]string{"call", "--play", "tone:1000", "--duration", "2s", "--dtmf", "12", "bob"},
			ua(servers["ws"], "alice", "apw")...)...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		evs := decodeEvents(t, stdout)
		for _, want := range []string{"call_progress", "call_accepted", "call_confirmed", "call_media", "dtmf", "stats", "call_ended"} {
			if find(evs, want) == nil {
				t.Errorf("no %s event in %v", want, names(evs))
			}
		}
		if ev := find(evs, "call_ended"); ev["cause"] != "Terminated" || ev["originator"] != "local" {
			t.Errorf("call_ended %v, want cause Terminated by local", ev)
		}
		var last map[string]any
		for _, ev := range evs {
			if ev["event"] == "stats" {
				last = ev
			}
		}
		if n, _ := last["received_packets"].(float64); n < 50 {
			t.Errorf("last stats %v: want at least 50 packets received in 2 s", last)
		}
		for _, want := range []string{"ringo call: ringing (180 Ringing) after ", "ringo call: answered (200 OK); setup time ", "ringo call: 2s passed: hanging up"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}

		// The agent: the tones in order, then the end and the recording.
		var tones []string
		for len(tones) < 2 {
			ev := bob.event(t, "dtmf")
			if ev["originator"] != "remote" || ev["transport"] != "rfc4733" {
				t.Errorf("agent's dtmf event %v, want remote rfc4733", ev)
			}
			tones = append(tones, ev["tone"].(string))
		}
		if !slices.Equal(tones, []string{"1", "2"}) {
			t.Errorf("agent received DTMF %v, want [1 2]", tones)
		}
		if ev := bob.event(t, "call_ended"); ev["cause"] != "Terminated" || ev["originator"] != "remote" {
			t.Errorf("agent's call_ended %v", ev)
		}
		ev := bob.event(t, "recording")
		if ev["file"] != rec {
			t.Errorf("agent's recording event %v, want file %s", ev, rec)
		}
		samples, format, err := audio.ReadWAVFile(rec)
		if err != nil {
			t.Fatal(err)
		}
		if format.SampleRate != audio.Rate || format.Channels != 1 {
			t.Errorf("recording format %+v, want 8 kHz mono", format)
		}
		an := analyse(samples)
		if math.Abs(an.hz-1000) > 10 {
			t.Errorf("recording's dominant frequency %.1f Hz, want 1000±10 (%s)", an.hz, an)
		}
		if an.sound < 1500*time.Millisecond || an.rms < 0.1 {
			t.Errorf("recording holds %s, want at least 1.5 s of the tone at level 0.1", an)
		}
	})

	t.Run("INFO DTMF, hung up by the callee", func(t *testing.T) {
		carolRec := filepath.Join(dir, "carol.wav")
		carol := startRingo(t, append([]string{"agent", "--answer", "--duration", "1500ms", "--play", "tone:600"}, ua(servers["tcp"], "carol", "cpw")...)...)
		carol.event(t, "registered")
		stdout, stderr, code := runRingo(t, nil, append([]string{"call", "--dtmf", "9*", "--dtmf-info", "--record", carolRec, "carol"},
			ua(servers["ws"], "alice", "apw")...)...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if ev := find(decodeEvents(t, stdout), "call_ended"); ev["cause"] != "Terminated" || ev["originator"] != "remote" {
			t.Errorf("call_ended %v, want cause Terminated by remote", ev)
		}
		for _, want := range []string{"9", "*"} {
			if ev := carol.event(t, "dtmf"); ev["tone"] != want || ev["transport"] != "info" {
				t.Errorf("agent's dtmf event %v, want %s by INFO", ev, want)
			}
		}
		samples, _, err := audio.ReadWAVFile(carolRec)
		if err != nil {
			t.Fatal(err)
		}
		if an := analyse(samples); math.Abs(an.hz-600) > 10 {
			t.Errorf("caller's recording: %s, want 600 Hz", an)
		}
		// The call command reports its recording as the agent does.
		ev := find(decodeEvents(t, stdout), "recording")
		if hz, _ := ev["frequency_hz"].(float64); ev["file"] != carolRec || math.Abs(hz-600) > 10 {
			t.Errorf("call's recording event %v, want %s at 600 Hz", ev, carolRec)
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, append([]string{"call", "dave"}, ua(servers["ws"], "alice", "apw")...)...)
		if code != exitFailure {
			t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		ev := find(decodeEvents(t, stdout), "call_failed")
		if ev == nil || ev["cause"] != "Not Found" || ev["status"] != 404.0 || ev["originator"] != "remote" {
			t.Errorf("call_failed event %v, want 404 Not Found from remote", ev)
		}
		checkLines(t, "stderr", stderr, []string{"ringo call: call not answered: Not Found (404 Not Found) by remote"})
	})

	for _, a := range []*bgRingo{bob, srv} {
		if code, _ := a.stop(t); code != exitOK {
			t.Errorf("exit status %d, want 0; stderr:\n%s", code, a.stderr.String())
		}
	}
}
