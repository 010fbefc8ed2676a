package media

import "strings"

// Transport protocols of m= lines (RFC 4566, RFC 5764, RFC 8843).
const (
	// ProfileAVP is plain RTP (RFC 3551): desk phones, baresip, Asterisk's
	// SIP endpoints, sipp.
	ProfileAVP = "RTP/AVP"
	// ProfileWebRTC is WebRTC's ICE, DTLS-SRTP and RTCP feedback.
	ProfileWebRTC = "UDP/TLS/RTP/SAVPF"
)

// Profile returns the transport protocol of the first active audio
// m-section of sdp (of the first active m-section if there is no audio),
// such as "RTP/AVP" or "UDP/TLS/RTP/SAVPF", or "" if it has none.
func Profile(sdp string) string {
	first := ""
	for _, line := range sdpLines(sdp) {
		rest, ok := strings.CutPrefix(line, "m=")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 3 || f[1] == "0" {
			continue
		}
		if f[0] == string(Audio) {
			return f[2]
		}
		if first == "" {
			first = f[2]
		}
	}
	return first
}

// IsPlainRTP reports whether sdp offers plain RTP, without DTLS or SDES
// keys: its profile (see [Profile]) is RTP/AVP or RTP/AVPF. Such an offer
// is for a plain RTP engine (media/rtp), not a WebRTC one.
func IsPlainRTP(sdp string) bool {
	p := strings.ToUpper(Profile(sdp))
	return p == ProfileAVP || p == "RTP/AVPF"
}
