package media

import "strings"

// sdpSection is one m-section of a description, or the session section
// before the first m= line.
type sdpSection struct {
	kind      string    // media type of the m= line; "" for the session section
	port      string    // port of the m= line
	direction Direction // direction attribute of the section; "" if none
}

// active reports whether the m-section is in use (its port is not 0).
func (s sdpSection) active() bool {
	return s.port != "0"
}

// sdpLines splits an SDP body into lines, accepting CRLF or LF.
func sdpLines(sdp string) []string {
	lines := strings.Split(sdp, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// directionAttribute returns the direction an SDP line sets, if it is a
// direction attribute.
func directionAttribute(line string) (Direction, bool) {
	if !strings.HasPrefix(line, "a=") {
		return "", false
	}
	d := Direction(strings.TrimSpace(line[2:]))
	return d, d.Valid()
}

// parseSections returns the session section and the m-sections of sdp.
func parseSections(sdp string) (session sdpSection, media []sdpSection) {
	cur := &session
	for _, line := range sdpLines(sdp) {
		if rest, ok := strings.CutPrefix(line, "m="); ok {
			f := strings.Fields(rest)
			s := sdpSection{}
			if len(f) > 0 {
				s.kind = f[0]
			}
			if len(f) > 1 {
				s.port = f[1]
			}
			media = append(media, s)
			cur = &media[len(media)-1]
			continue
		}
		if d, ok := directionAttribute(line); ok {
			cur.direction = d
		}
	}
	return session, media
}

// effective returns the direction of m-section s, given the session-level
// direction: the media-level attribute wins, then the session-level one,
// then sendrecv; a rejected section (port 0) is inactive.
func (s sdpSection) effective(session Direction) Direction {
	switch {
	case !s.active():
		return DirectionInactive
	case s.direction != "":
		return s.direction
	case session != "":
		return session
	default:
		return DirectionSendRecv
	}
}

// RemoteDirection returns the direction a description asks for, from its
// a=sendrecv/sendonly/recvonly/inactive lines at session and media level
// (media level wins; none means sendrecv). With several m-sections it
// returns their union: it sends if any active section sends and receives
// if any receives. A description with no active m-section is inactive.
//
// For the peer's SDP, sendonly or inactive means the peer put the call on
// hold.
func RemoteDirection(sdp string) Direction {
	session, media := parseSections(sdp)
	sends, receives := false, false
	for _, m := range media {
		if !m.active() {
			continue
		}
		d := m.effective(session.direction)
		sends = sends || d.Sends()
		receives = receives || d.Receives()
	}
	return DirectionOf(sends, receives)
}

// StreamDirection returns the direction of the first m-section of the given
// kind, inactive if that section is rejected (port 0), or "" if the
// description has no section of that kind.
func StreamDirection(sdp string, kind Kind) Direction {
	session, media := parseSections(sdp)
	for _, m := range media {
		if m.kind == string(kind) {
			return m.effective(session.direction)
		}
	}
	return ""
}

// HasMedia reports whether sdp is a description with at least one active
// m-section (an m= line whose port is not 0). An empty body has none.
func HasMedia(sdp string) bool {
	_, media := parseSections(sdp)
	for _, m := range media {
		if m.active() {
			return true
		}
	}
	return false
}

// NarrowDirection returns sdp with the direction of every active m-section
// intersected with d (see [Direction.Intersect]) and written as a
// media-level attribute; session-level direction attributes are removed.
// Rejected sections are left as they are. An engine, or an application that
// brings its own SDP, uses it to put its description on hold.
func NarrowDirection(sdp string, d Direction) string {
	session, _ := parseSections(sdp)
	lines := sdpLines(sdp)
	eol := "\n"
	if strings.Contains(sdp, "\r\n") {
		eol = "\r\n"
	}
	out := make([]string, 0, len(lines)+4)
	// flush writes the direction line of the m-section that ends here.
	var cur *sdpSection
	flush := func() {
		if cur != nil && cur.active() {
			out = append(out, "a="+string(cur.effective(session.direction).Intersect(d)))
		}
	}
	for i, line := range lines {
		if i == len(lines)-1 && line == "" {
			break // the final line break
		}
		if rest, ok := strings.CutPrefix(line, "m="); ok {
			flush()
			f := strings.Fields(rest)
			cur = &sdpSection{}
			if len(f) > 1 {
				cur.port = f[1]
			}
			out = append(out, line)
			continue
		}
		if dir, ok := directionAttribute(line); ok {
			if cur != nil {
				cur.direction = dir
				if !cur.active() {
					out = append(out, line)
				}
			}
			continue
		}
		out = append(out, line)
	}
	flush()
	return strings.Join(out, eol) + eol
}
