//go:build !js

package webrtc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/ringo-sip/ringo/media"
)

// checkRemote returns an error wrapping media.ErrIncompatibleSDP if the
// peer's description cannot work with this session: it does not parse,
// has no DTLS-SRTP and ICE (plain RTP is not for this engine), or shares
// no codec with it in any active stream.
func (s *Session) checkRemote(desc string) error {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(desc); err != nil {
		return fmt.Errorf("%w: %v", media.ErrIncompatibleSDP, err)
	}
	_, sessionFP := d.Attribute("fingerprint")
	_, sessionUfrag := d.Attribute("ice-ufrag")
	var offered []string
	common := false
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Port.Value == 0 {
			continue
		}
		kind := m.MediaName.Media
		if kind != "audio" && (kind != "video" || !s.e.cfg.Video) {
			continue
		}
		if !slices.Contains(m.MediaName.Protos, "SAVPF") && !slices.Contains(m.MediaName.Protos, "SAVP") {
			return fmt.Errorf("%w: %s stream over %s: this engine needs DTLS-SRTP (UDP/TLS/RTP/SAVPF)",
				media.ErrIncompatibleSDP, kind, strings.Join(m.MediaName.Protos, "/"))
		}
		_, fp := m.Attribute("fingerprint")
		_, ufrag := m.Attribute("ice-ufrag")
		if !fp && !sessionFP {
			return fmt.Errorf("%w: %s stream without a DTLS fingerprint", media.ErrIncompatibleSDP, kind)
		}
		if !ufrag && !sessionUfrag {
			return fmt.Errorf("%w: %s stream without ICE credentials", media.ErrIncompatibleSDP, kind)
		}
		for _, f := range m.MediaName.Formats {
			name := rtpmapName(m, f)
			offered = append(offered, name)
			if s.supports(kind, name) {
				common = true
			}
		}
	}
	if !common {
		return fmt.Errorf("%w: no codec in common (offered %s; this session takes %s)",
			media.ErrIncompatibleSDP, strings.Join(offered, ", "), strings.Join(s.codecs, ", "))
	}
	return nil
}

// rtpmapName returns the encoding name of payload type format in m, from
// its rtpmap or, for static types, RFC 3551.
func rtpmapName(m *sdp.MediaDescription, format string) string {
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		pt, rest, ok := strings.Cut(a.Value, " ")
		if ok && pt == format {
			name, _, _ := strings.Cut(rest, "/")
			return name
		}
	}
	switch format {
	case "0":
		return CodecPCMU
	case "8":
		return CodecPCMA
	}
	return format
}

// supports reports whether the session takes codec name in a stream of a
// kind.
func (s *Session) supports(kind, name string) bool {
	if kind == "video" {
		return strings.EqualFold(name, "VP8")
	}
	for _, c := range s.codecs {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}
