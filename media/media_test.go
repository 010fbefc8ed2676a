package media_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media"
)

const holdOffer = "v=0\r\n" +
	"o=- 1 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=sendonly\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" +
	"a=inactive\r\n"

func TestRemoteDirection(t *testing.T) {
	tests := []struct {
		name, sdp string
		want      media.Direction
	}{
		{"empty", "", media.DirectionInactive},
		{"no attribute", "v=0\nm=audio 4000 RTP/AVP 0\n", media.DirectionSendRecv},
		{"session level", "v=0\na=recvonly\nm=audio 4000 RTP/AVP 0\n", media.DirectionRecvOnly},
		{"media wins", "v=0\na=recvonly\nm=audio 4000 RTP/AVP 0\na=sendonly\n", media.DirectionSendOnly},
		{"union", holdOffer, media.DirectionSendOnly},
		{"union of two", "v=0\nm=audio 1 RTP/AVP 0\na=sendonly\nm=video 2 RTP/AVP 96\na=recvonly\n", media.DirectionSendRecv},
		{"rejected ignored", "v=0\nm=audio 1 RTP/AVP 0\na=inactive\nm=video 0 RTP/AVP 96\n", media.DirectionInactive},
	}
	for _, tt := range tests {
		if got := media.RemoteDirection(tt.sdp); got != tt.want {
			t.Errorf("%s: RemoteDirection = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStreamDirectionAndHasMedia(t *testing.T) {
	if got := media.StreamDirection(holdOffer, media.Audio); got != media.DirectionSendOnly {
		t.Errorf("audio = %q", got)
	}
	if got := media.StreamDirection(holdOffer, media.Video); got != media.DirectionInactive {
		t.Errorf("video = %q", got)
	}
	if got := media.StreamDirection("v=0\nm=audio 1 RTP/AVP 0\n", media.Video); got != "" {
		t.Errorf("absent video = %q", got)
	}
	if !media.HasMedia(holdOffer) || media.HasMedia("") || media.HasMedia("v=0\r\nm=audio 0 RTP/AVP 0\r\n") {
		t.Error("HasMedia wrong")
	}
}

func TestNarrowDirection(t *testing.T) {
	in := "v=0\r\na=sendrecv\r\nm=audio 9 X 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 9 X 96\r\na=recvonly\r\nm=video 0 X 96\r\na=inactive\r\n"
	got := media.NarrowDirection(in, media.DirectionSendOnly)
	want := "v=0\r\nm=audio 9 X 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\nm=video 9 X 96\r\na=inactive\r\nm=video 0 X 96\r\na=inactive\r\n"
	if got != want {
		t.Errorf("NarrowDirection =\n%q\nwant\n%q", got, want)
	}
	if d := media.StreamDirection(media.NarrowDirection("v=0\nm=audio 1 X 0\n", media.DirectionSendRecv), media.Audio); d != media.DirectionSendRecv {
		t.Errorf("sendrecv kept: %q", d)
	}
	if strings.Contains(media.NarrowDirection("v=0\nm=audio 1 X 0\n", media.DirectionInactive), "\r") {
		t.Error("LF body got CRLF")
	}
}

func TestDirectionAlgebra(t *testing.T) {
	all := []media.Direction{media.DirectionSendRecv, media.DirectionSendOnly, media.DirectionRecvOnly, media.DirectionInactive}
	for _, d := range all {
		if !d.Valid() || d.Reverse().Reverse() != d || d.Intersect(media.DirectionSendRecv) != d || d.Intersect(media.DirectionInactive) != media.DirectionInactive {
			t.Errorf("%s: algebra broken", d)
		}
	}
	if media.Direction("x").Valid() {
		t.Error("x valid")
	}
	// RFC 3264 §6.1: a sendonly offer is answered recvonly; holding an
	// answerer answers a sendrecv offer with sendonly.
	if got := media.DirectionSendRecv.Answer(media.DirectionSendOnly); got != media.DirectionRecvOnly {
		t.Errorf("answer to sendonly = %s", got)
	}
	if got := media.DirectionSendOnly.Answer(media.DirectionSendRecv); got != media.DirectionSendOnly {
		t.Errorf("holding answer = %s", got)
	}
	if got := media.DirectionSendOnly.Answer(media.DirectionSendOnly); got != media.DirectionInactive {
		t.Errorf("both hold = %s", got)
	}
}

func TestDTMFCodes(t *testing.T) {
	for i, r := range "0123456789*#ABCD" {
		code, ok := media.DTMFEventCode(r)
		if !ok || int(code) != i {
			t.Errorf("%c: code %d %v", r, code, ok)
		}
		back, ok := media.DTMFTone(code)
		if !ok || back != r {
			t.Errorf("%d: tone %c", code, back)
		}
	}
	if c, ok := media.DTMFEventCode('b'); !ok || c != 13 {
		t.Error("lower-case b")
	}
	if _, ok := media.DTMFEventCode('E'); ok {
		t.Error("E accepted")
	}
	if _, ok := media.DTMFTone(16); ok {
		t.Error("16 accepted")
	}
	if s, err := media.ValidateDTMF("12,a#"); err != nil || s != "12,A#" {
		t.Errorf("ValidateDTMF = %q, %v", s, err)
	}
	for _, bad := range []string{"", "12x", "1 2"} {
		if _, err := media.ValidateDTMF(bad); !errors.Is(err, media.ErrInvalidDTMF) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestDTMFOptionsDefaults(t *testing.T) {
	o := media.DTMFOptions{}.WithDefaults()
	if o.Duration != 100*time.Millisecond || o.Gap != 70*time.Millisecond || o.Pause != 2*time.Second {
		t.Errorf("defaults = %+v", o)
	}
	o = media.DTMFOptions{Duration: time.Millisecond, Gap: time.Millisecond}.WithDefaults()
	if o.Duration != media.MinDTMFDuration || o.Gap != media.MinDTMFGap {
		t.Errorf("clamped = %+v", o)
	}
	if o := (media.DTMFOptions{Duration: time.Hour}).WithDefaults(); o.Duration != media.MaxDTMFDuration {
		t.Errorf("max = %v", o.Duration)
	}
}
