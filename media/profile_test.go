package media_test

import (
	"testing"

	"github.com/ringo-sip/ringo/media"
)

func TestProfile(t *testing.T) {
	for _, c := range []struct {
		sdp, profile string
		plain        bool
	}{
		{"v=0\r\nm=audio 4000 RTP/AVP 0 8\r\n", "RTP/AVP", true},
		{"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", "UDP/TLS/RTP/SAVPF", false},
		{"v=0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 111\r\nm=audio 4000 RTP/AVP 0\r\n", "RTP/AVP", true},
		{"v=0\nm=video 4000 RTP/AVPF 96\nm=audio 4002 RTP/SAVP 0\n", "RTP/SAVP", false},
		{"v=0\nm=video 4000 RTP/AVPF 96\n", "RTP/AVPF", true},
		{"", "", false},
	} {
		if got := media.Profile(c.sdp); got != c.profile {
			t.Errorf("media.Profile(%q) = %q, want %q", c.sdp, got, c.profile)
		}
		if got := media.IsPlainRTP(c.sdp); got != c.plain {
			t.Errorf("media.IsPlainRTP(%q) = %v", c.sdp, got)
		}
	}
}
