package rfc4733

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media"
)

// play runs p to the end at 8 kHz, starting at timestamp 1000, and writes
// each interval: "a" for audio, or "code/duration[E][M]@ts" for an event.
// stopAt cuts the tone short from that interval on (-1: never).
func play(p *Player, stopAt int) string {
	var out []string
	ts := uint32(1000)
	for i := 0; i < 200 && !p.Done(); i++ {
		pkt, ok := p.Next(ts, 8000, stopAt >= 0 && i >= stopAt)
		if !ok {
			out = append(out, "a")
		} else {
			s := fmt.Sprintf("%d/%d", pkt.Event.Code, pkt.Event.Duration)
			if pkt.Event.End {
				s += "E"
			}
			if pkt.Marker {
				s += "M"
			}
			if pkt.Event.Volume != Volume {
				s += "!vol"
			}
			out = append(out, s+fmt.Sprintf("@%d", pkt.Timestamp))
		}
		ts += 160
	}
	return strings.Join(out, " ")
}

func TestPlayer(t *testing.T) {
	opts := media.DTMFOptions{Duration: 100 * time.Millisecond, Gap: 40 * time.Millisecond, Pause: 60 * time.Millisecond}
	for _, c := range []struct {
		name, tones string
		stopAt      int
		want        string
	}{
		{"one tone: 5 packets, the last an end, 2 more ends, the gap", "1", -1,
			"1/160M@1000 1/320@1000 1/480@1000 1/640@1000 1/800E@1000 1/800E@1000 1/800E@1000 a a"},
		{"two tones, each with its timestamp", "#A", -1,
			"11/160M@1000 11/320@1000 11/480@1000 11/640@1000 11/800E@1000 11/800E@1000 11/800E@1000 a a " +
				"12/160M@2440 12/320@2440 12/480@2440 12/640@2440 12/800E@2440 12/800E@2440 12/800E@2440 a a"},
		{"a pause is audio", ",9", -1,
			"a a a 9/160M@1480 9/320@1480 9/480@1480 9/640@1480 9/800E@1480 9/800E@1480 9/800E@1480 a a"},
		{"stopped: the tone ends at once", "1", 2,
			"1/160M@1000 1/320@1000 1/480E@1000 1/480E@1000 1/480E@1000 a a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := play(NewPlayer(c.tones, opts), c.stopAt); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	// Defaults: 100 ms tones, 70 ms gap (4 intervals).
	if got, want := play(NewPlayer("0", media.DTMFOptions{}), -1), "0/160M@1000 0/320@1000 0/480@1000 0/640@1000 0/800E@1000 0/800E@1000 0/800E@1000 a a a a"; got != want {
		t.Errorf("defaults:\ngot  %s\nwant %s", got, want)
	}
	// A 48 kHz stream (Opus) counts in its own units.
	p := NewPlayer("1", opts)
	if pkt, _ := p.Next(0, 48000, false); pkt.Event.Duration != 960 {
		t.Errorf("48 kHz: first duration %d, want 960", pkt.Event.Duration)
	}
}
