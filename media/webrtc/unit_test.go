//go:build !js

package webrtc

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

func TestRewriteDirections(t *testing.T) {
	offer := "v=0\r\na=sendonly\r\nm=audio 9 X 0\r\nm=video 9 X 96\r\na=inactive\r\nm=video 0 X 96\r\n"
	if got := sectionDirections(offer); len(got) != 3 || got[0] != media.DirectionSendOnly ||
		got[1] != media.DirectionInactive || got[2] != media.DirectionInactive {
		t.Errorf("sectionDirections = %v", got)
	}
	p := forPion(offer)
	if strings.Contains(p, "sendonly") || strings.Contains(p, "inactive") || strings.Count(p, "a=sendrecv") != 2 {
		t.Errorf("forPion:\n%s", p)
	}
	answer := "v=0\r\nm=audio 9 X 0\r\na=sendrecv\r\nm=video 9 X 96\r\na=recvonly\r\nm=video 0 X 96\r\n"
	got := sectionDirections(narrowAnswer(answer, offer, media.DirectionSendRecv))
	if got[0] != media.DirectionRecvOnly || got[1] != media.DirectionInactive {
		t.Errorf("narrowAnswer: %v", got)
	}
	got = sectionDirections(narrowAnswer(answer, "v=0\nm=audio 1 X 0\nm=video 1 X 96\n", media.DirectionSendOnly))
	if got[0] != media.DirectionSendOnly || got[1] != media.DirectionInactive {
		t.Errorf("holding answer: %v", got)
	}
}

// The answerer of the last negotiation can abandon an offer of its own
// and negotiate again (pion cannot roll back; the session re-applies the
// peer's last offer as an answer, with the DTLS role fixed).
func TestCancelOfferAsAnswerer(t *testing.T) {
	t.Parallel()
	atA := &frameCounter{}
	a := newSession(t, testConfig(), SessionOptions{AudioSink: atA})
	b := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5)})
	connect(t, a, b)
	b.SetDirection(media.DirectionInactive)
	if _, err := b.CreateOffer(context.Background(), media.OfferOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.CancelOffer(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if f, _ := flow(atA, 300*time.Millisecond); f < 8 {
		t.Errorf("audio after the cancelled offer: %d frames", f)
	}
	offer, _ := negotiate(t, b, a, media.OfferOptions{})
	if d := media.RemoteDirection(offer); d != media.DirectionSendRecv {
		t.Errorf("next offer is %s", d)
	}
	time.Sleep(200 * time.Millisecond)
	if f, _ := flow(atA, 300*time.Millisecond); f < 8 {
		t.Errorf("audio after renegotiating: %d frames", f)
	}
	// Glare: A's offer arrives while B has one out; B takes A's.
	if _, err := b.CreateOffer(context.Background(), media.OfferOptions{}); err != nil {
		t.Fatal(err)
	}
	negotiate(t, a, b, media.OfferOptions{})
	if f, _ := flow(atA, 300*time.Millisecond); f < 8 {
		t.Errorf("audio after glare: %d frames", f)
	}
}

// SendDTMF refuses while the audio stream does not send.
func TestDTMFOnHold(t *testing.T) {
	t.Parallel()
	a := newSession(t, testConfig(), SessionOptions{})
	b := newSession(t, testConfig(), SessionOptions{})
	connect(t, a, b)
	a.SetDirection(media.DirectionInactive)
	negotiate(t, a, b, media.OfferOptions{})
	if err := a.SendDTMF(context.Background(), "1", media.DTMFOptions{}); !errors.Is(err, errNotSending) {
		t.Errorf("on hold: %v", err)
	}
}

// Reception statistics follow RFC 3550: loss from sequence gaps across a
// wrap, telephone-events counted but kept out of the jitter.
func TestReceptionStats(t *testing.T) {
	var s sessionStats
	r := s.newStream(media.Audio)
	now := time.Now()
	seq := uint16(65530)
	for i := range 20 {
		if i == 5 || i == 6 { // two lost, across the wrap
			seq++
			continue
		}
		p := &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: uint32(i * 160), SSRC: 7}, Payload: make([]byte, 160)}
		s.received(media.Audio, r, p, 8000, false, now.Add(time.Duration(i)*20*time.Millisecond))
		seq++
	}
	st := s.snapshot(media.Audio, "PCMU")
	if st.Received.Packets != 18 || st.Received.Lost != 2 || st.Received.Bytes != 18*160 {
		t.Errorf("stats %+v", st.Received)
	}
	if st.Received.Jitter > time.Millisecond || math.Abs(st.Received.FractionLost-0.1) > 1e-9 {
		t.Errorf("jitter %v, fraction %v", st.Received.Jitter, st.Received.FractionLost)
	}
}
