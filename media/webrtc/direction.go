//go:build !js

package webrtc

import (
	"strings"

	"github.com/ringo-sip/ringo/media"
)

// Directions are negotiated here, not by pion. pion stops a transceiver for
// good when an offer makes it inactive, and restarts receivers whenever a
// direction changes, which does not fit SIP hold and resume. So pion is
// only ever shown sendrecv (remote descriptions are widened before it sees
// them), and the descriptions given out carry the directions the session
// computed; the session then sends only when both sides' directions allow.

// sdpEOL returns the line ending a description uses.
func sdpEOL(sdp string) string {
	if strings.Contains(sdp, "\r\n") {
		return "\r\n"
	}
	return "\n"
}

// sectionDirections returns the effective direction of each m-section of
// sdp, in order: the media-level attribute, else the session-level one,
// else sendrecv; inactive for a rejected section (port 0).
func sectionDirections(sdp string) []media.Direction {
	var session media.Direction
	var out []media.Direction
	var explicit []bool
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if rest, ok := strings.CutPrefix(line, "m="); ok {
			f := strings.Fields(rest)
			d := media.Direction("")
			if len(f) > 1 && f[1] == "0" {
				d = media.DirectionInactive
			}
			out = append(out, d)
			explicit = append(explicit, d != "")
			continue
		}
		d, ok := directionLine(line)
		if !ok {
			continue
		}
		if len(out) == 0 {
			session = d
		} else if !explicit[len(out)-1] {
			out[len(out)-1] = d
		}
	}
	for i := range out {
		if out[i] == "" {
			out[i] = session
		}
		if out[i] == "" {
			out[i] = media.DirectionSendRecv
		}
	}
	return out
}

// directionLine returns the direction an a= line sets, if it is one.
func directionLine(line string) (media.Direction, bool) {
	d := media.Direction(strings.TrimPrefix(line, "a="))
	return d, strings.HasPrefix(line, "a=") && d.Valid()
}

// rewriteDirections returns sdp with the direction of each active
// m-section i set to f(i, its current direction), as a media-level
// attribute; session-level direction attributes are dropped, rejected
// sections are left alone.
func rewriteDirections(sdp string, f func(i int, cur media.Direction) media.Direction) string {
	dirs := sectionDirections(sdp)
	eol := sdpEOL(sdp)
	lines := strings.Split(strings.TrimRight(sdp, "\r\n"), "\n")
	out := make([]string, 0, len(lines)+len(dirs))
	section := -1
	rejected := false
	flush := func() {
		if section >= 0 && !rejected {
			out = append(out, "a="+string(f(section, dirs[section])))
		}
	}
	for _, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		if rest, ok := strings.CutPrefix(line, "m="); ok {
			flush()
			section++
			f := strings.Fields(rest)
			rejected = len(f) > 1 && f[1] == "0"
		} else if _, ok := directionLine(line); ok && (section < 0 || !rejected) {
			continue
		}
		out = append(out, line)
	}
	flush()
	return strings.Join(out, eol) + eol
}

// forPion returns a remote description with every active m-section made
// sendrecv, as pion is to see it.
func forPion(sdp string) string {
	return rewriteDirections(sdp, func(int, media.Direction) media.Direction { return media.DirectionSendRecv })
}

// narrowAnswer returns our answer with each m-section's direction narrowed
// to what this side wishes (want) and what the offer's matching section
// allows (RFC 3264 §6.1).
func narrowAnswer(answer, offer string, want media.Direction) string {
	offered := sectionDirections(offer)
	return rewriteDirections(answer, func(i int, cur media.Direction) media.Direction {
		d := cur.Intersect(want)
		if i < len(offered) {
			d = d.Intersect(offered[i].Reverse())
		}
		return d
	})
}
