package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-sip/ringo/media/audio"
)

// TestCallPlainRTP calls "ringo agent --answer" with "ringo call" over
// UDP: with --media rtp the call is plain RTP (media/rtp), by default
// WebRTC, and the agent answers each with the engine the offer's m= line
// asks for.
func TestCallPlainRTP(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte("alice:apw\nbob:bpw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startRingo(t, "serve", "--udp", "127.0.0.1:0", "--users", users, "--digest", "md5", "--domain", "ringo.test", "--json")
	server := srv.event(t, "listening")["server"].(string)
	ua := func(user, password string) []string {
		return []string{"--server", server, "--uri", "sip:" + user + "@ringo.test", "--password", password,
			"--timeout", "10s", "--media-ip", "127.0.0.1", "--json"}
	}
	rec := filepath.Join(dir, "calls") + "/"
	bob := startRingo(t, append([]string{"agent", "--answer", "--play", "tone:440", "--record", rec}, ua("bob", "bpw")...)...)
	bob.event(t, "registered")

	for _, c := range []struct {
		name, media, codec string
		dtmf               string
	}{
		{"plain RTP with --media rtp", "rtp", "PCMU", "4#"},
		{"WebRTC by default", "", "PCMU", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			callerRec := filepath.Join(dir, "alice-"+kindName(c.media)+".wav")
			args := []string{"call", "--play", "tone:1000", "--duration", "1500ms", "--record", callerRec, "bob"}
			if c.media != "" {
				args = append(args, "--media", c.media)
			}
			if c.dtmf != "" {
				args = append(args, "--dtmf", c.dtmf)
			}
			stdout, stderr, code := runRingo(t, nil, append(args, ua("alice", "apw")...)...)
			if code != exitOK {
				t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			kind := "WebRTC"
			if c.media == "rtp" {
				kind = "plain RTP"
			}
			if !strings.Contains(stderr, "with "+kind+", playing 1000 Hz tone") {
				t.Errorf("stderr does not say the call is %s:\n%s", kind, stderr)
			}
			evs := decodeEvents(t, stdout)
			if ev := find(evs, "call_media"); ev == nil || ev["codec"] != c.codec {
				t.Errorf("call_media %v, want codec %s", ev, c.codec)
			}
			if ev := find(evs, "recording"); ev == nil {
				t.Errorf("no recording event in %v", names(evs))
			} else if hz, _ := ev["frequency_hz"].(float64); math.Abs(hz-440) > 10 {
				t.Errorf("caller's recording %v, want 440 Hz", ev)
			}
			if ev := bob.event(t, "call_media"); ev["codec"] != c.codec {
				t.Errorf("agent's call_media %v", ev)
			}
			var tones []string
			for range len(c.dtmf) {
				ev := bob.event(t, "dtmf")
				if ev["transport"] != "rfc4733" {
					t.Errorf("agent's dtmf %v, want rfc4733", ev)
				}
				tones = append(tones, ev["tone"].(string))
			}
			if want := strings.Split(c.dtmf, ""); c.dtmf != "" && !slices.Equal(tones, want) {
				t.Errorf("agent received %v, want %v", tones, want)
			}
			ev := bob.event(t, "recording")
			samples, _, err := audio.ReadWAVFile(ev["file"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if an := analyse(samples); math.Abs(an.hz-1000) > 10 {
				t.Errorf("agent's recording: %s, want 1000 Hz", an)
			}
		})
	}
	for _, a := range []*bgRingo{bob, srv} {
		if code, _ := a.stop(t); code != exitOK {
			t.Errorf("exit status %d, want 0; stderr:\n%s", code, a.stderr.String())
		}
	}
}

// kindName names a --media value for a file name.
func kindName(media string) string {
	if media == "" {
		return "default"
	}
	return media
}
