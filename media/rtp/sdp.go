//go:build !js

package rtp

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/ringo-sip/ringo/media"
)

// Payload types this engine offers (RFC 3551 static types for G.711, and a
// dynamic one for telephone-event). Answers use the offerer's numbers.
const (
	ptPCMU = 0
	ptPCMA = 8
	ptTE   = 101
)

// profileAVP is the transport protocol of the m= lines this engine uses.
const profileAVP = "RTP/AVP"

// telephoneEvent is the encoding name of RFC 4733 events.
const telephoneEvent = "telephone-event"

// mSection is one parsed m= section.
type mSection struct {
	kind   string // audio, video, ...
	port   int
	proto  string
	fmts   []string          // payload types, in order
	conn   net.IP            // c= address at media level, or nil
	rtpmap map[string]string // payload type -> "NAME/RATE[/CH]"
	dir    media.Direction   // "" if none
	line   string            // the m= line, to reject it in an answer
}

// description is a parsed SDP body, as far as this engine needs it.
type description struct {
	conn     net.IP          // session-level c= address, or nil
	dir      media.Direction // session-level direction, or ""
	sections []mSection
}

// parseSDP reads the parts of sdp this engine uses. It is liberal: unknown
// lines are ignored. It fails if an m= or c= line does not parse.
func parseSDP(sdp string) (description, error) {
	var d description
	var cur *mSection
	for i, line := range strings.Split(sdp, "\n") {
		line = strings.TrimRight(line, "\r ")
		if len(line) < 2 || line[1] != '=' {
			continue
		}
		val := line[2:]
		switch line[0] {
		case 'm':
			f := strings.Fields(val)
			if len(f) < 3 {
				return d, fmt.Errorf("line %d: m= line %q has too few fields", i+1, line)
			}
			port, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0])
			if err != nil || port < 0 || port > 65535 {
				return d, fmt.Errorf("line %d: m= line %q has a bad port", i+1, line)
			}
			d.sections = append(d.sections, mSection{kind: f[0], port: port, proto: f[2], fmts: f[3:],
				rtpmap: map[string]string{}, line: line})
			cur = &d.sections[len(d.sections)-1]
		case 'c':
			f := strings.Fields(val)
			if len(f) < 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
				return d, fmt.Errorf("line %d: c= line %q is not IN IP4 or IN IP6", i+1, line)
			}
			ip := net.ParseIP(strings.SplitN(f[2], "/", 2)[0])
			if ip == nil {
				return d, fmt.Errorf("line %d: c= line %q has no IP address", i+1, line)
			}
			if cur != nil {
				cur.conn = ip
			} else {
				d.conn = ip
			}
		case 'a':
			if dir := media.Direction(val); dir.Valid() {
				if cur != nil {
					cur.dir = dir
				} else {
					d.dir = dir
				}
				continue
			}
			if rest, ok := strings.CutPrefix(val, "rtpmap:"); ok && cur != nil {
				pt, enc, _ := strings.Cut(rest, " ")
				cur.rtpmap[pt] = strings.TrimSpace(enc)
			}
		}
	}
	return d, nil
}

// encoding returns the encoding name and clock rate of payload type pt in
// section m: from its rtpmap, or RFC 3551's static table for 0 and 8.
func (m *mSection) encoding(pt string) (name string, rate int) {
	if enc, ok := m.rtpmap[pt]; ok {
		f := strings.Split(enc, "/")
		if len(f) >= 2 {
			rate, _ = strconv.Atoi(f[1])
		}
		return f[0], rate
	}
	switch pt {
	case "0":
		return CodecPCMU, 8000
	case "8":
		return CodecPCMA, 8000
	}
	return "", 0
}

// address returns where section m's media goes: its c= address or the
// session's, and its port. It returns nil when the section sends nowhere
// (port 0, no address, or the old hold address 0.0.0.0).
func (d *description) address(m *mSection) *net.UDPAddr {
	ip := m.conn
	if ip == nil {
		ip = d.conn
	}
	if ip == nil || ip.IsUnspecified() || m.port == 0 {
		return nil
	}
	return &net.UDPAddr{IP: ip, Port: m.port}
}

// direction returns section m's direction: media level, then session
// level, then sendrecv.
func (d *description) direction(m *mSection) media.Direction {
	switch {
	case m.port == 0:
		return media.DirectionInactive
	case m.dir != "":
		return m.dir
	case d.dir != "":
		return d.dir
	}
	return media.DirectionSendRecv
}

// audioSection returns the index of the first active RTP/AVP audio
// section, or -1.
func (d *description) audioSection() int {
	for i := range d.sections {
		m := &d.sections[i]
		if m.kind == string(media.Audio) && m.port != 0 && strings.EqualFold(m.proto, profileAVP) {
			return i
		}
	}
	return -1
}

// negotiation is the outcome of one offer/answer exchange.
type negotiation struct {
	codec  string // CodecPCMU or CodecPCMA, what this side sends
	pt     uint8  // its payload type
	tePT   uint8  // telephone-event payload type to send with
	hasTE  bool   // telephone-event was negotiated
	remote *net.UDPAddr
	dir    media.Direction // this side's direction
	// recv maps the payload types the peer may send to CodecPCMU,
	// CodecPCMA or telephoneEvent.
	recv map[uint8]string
}

// sends reports whether this side sends media under n.
func (n *negotiation) sends() bool { return n != nil && n.dir.Sends() && n.remote != nil }

// receives reports whether this side takes the media it receives under n.
func (n *negotiation) receives() bool { return n != nil && n.dir.Receives() }

// payloadMap returns the payload types of section m that this engine
// decodes.
func payloadMap(m *mSection) map[uint8]string {
	out := map[uint8]string{}
	for _, f := range m.fmts {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		name, rate := m.encoding(f)
		switch {
		case rate != 8000:
		case strings.EqualFold(name, CodecPCMU):
			out[uint8(pt)] = CodecPCMU
		case strings.EqualFold(name, CodecPCMA):
			out[uint8(pt)] = CodecPCMA
		case strings.EqualFold(name, telephoneEvent):
			out[uint8(pt)] = telephoneEvent
		}
	}
	return out
}

// choose returns the first payload type of section m whose codec is one of
// codecs, and the telephone-event payload type if m has one.
func choose(m *mSection, codecs []string) (n negotiation, ok bool) {
	pts := payloadMap(m)
	for _, f := range m.fmts {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		name := pts[uint8(pt)]
		if !ok && name != "" && name != telephoneEvent && containsFold(codecs, name) {
			n.codec, n.pt, ok = name, uint8(pt), true
		}
		if name == telephoneEvent && !n.hasTE {
			n.tePT, n.hasTE = uint8(pt), true
		}
	}
	return n, ok
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// localDesc is what a session writes in its offers and answers.
type localDesc struct {
	id, version uint64
	ip          net.IP
	port        int
	codecs      []string // offer: all codecs; answer: the chosen one
	pts         []uint8  // their payload types
	tePT        uint8
	hasTE       bool
	dir         media.Direction
	rejected    []string // answer: m= lines of the offer before and after
	audioIndex  int      // answer: position of the audio section among the offer's
}

// String writes the description with CRLF line ends.
func (l localDesc) String() string {
	af := "IP4"
	if l.ip.To4() == nil {
		af = "IP6"
	}
	var b strings.Builder
	w := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\r\n")
	}
	w("v=0")
	w("o=ringo %d %d IN %s %s", l.id, l.version, af, l.ip)
	w("s=ringo")
	w("c=IN %s %s", af, l.ip)
	w("t=0 0")
	sections := len(l.rejected) + 1
	for i := range sections {
		if i != l.audioIndex {
			j := i
			if i > l.audioIndex {
				j = i - 1
			}
			w("%s", rejectLine(l.rejected[j]))
			continue
		}
		fmts := make([]string, 0, len(l.pts)+1)
		for _, pt := range l.pts {
			fmts = append(fmts, strconv.Itoa(int(pt)))
		}
		if l.hasTE {
			fmts = append(fmts, strconv.Itoa(int(l.tePT)))
		}
		w("m=audio %d %s %s", l.port, profileAVP, strings.Join(fmts, " "))
		for k, pt := range l.pts {
			w("a=rtpmap:%d %s/8000", pt, l.codecs[k])
		}
		if l.hasTE {
			w("a=rtpmap:%d %s/8000", l.tePT, telephoneEvent)
			w("a=fmtp:%d 0-16", l.tePT)
		}
		w("a=ptime:20")
		w("a=%s", l.dir)
	}
	return b.String()
}

// rejectLine returns an offer's m= line with port 0, as an answer rejects
// a stream (RFC 3264 §6).
func rejectLine(line string) string {
	f := strings.Fields(strings.TrimPrefix(line, "m="))
	if len(f) < 2 {
		return line
	}
	f[1] = "0"
	return "m=" + strings.Join(f, " ")
}

// payloadType returns the RFC 3551 static payload type of a codec.
func payloadType(codec string) uint8 {
	if codec == CodecPCMA {
		return ptPCMA
	}
	return ptPCMU
}
