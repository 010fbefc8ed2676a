package media_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ringo-sip/ringo/media"
)

// fakeEngine makes StaticSessions that answer and offer with its name, and
// records the direction set on them.
type fakeEngine struct {
	name string
	made []*fakeSession
}

type fakeSession struct {
	media.StaticSession
	dir    media.Direction
	closed bool
}

func (s *fakeSession) SetDirection(d media.Direction) { s.dir = d }
func (s *fakeSession) Close() error                   { s.closed = true; return nil }

func (e *fakeEngine) NewSession(context.Context) (media.Session, error) {
	body := "v=0\r\nm=audio 4000 " + e.name + " 0\r\n"
	s := &fakeSession{StaticSession: media.StaticSession{Offer: body, Answer: body}}
	e.made = append(e.made, s)
	return s, nil
}

func TestByProfile(t *testing.T) {
	ctx := context.Background()
	plainOffer := "v=0\r\nm=audio 4000 RTP/AVP 0 8\r\n"
	webrtcOffer := "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	for _, c := range []struct {
		name       string
		offerPlain bool
		offer      string // "" to make an offer instead
		want       string // profile of the description made
	}{
		{"answers plain RTP with Plain", false, plainOffer, "RTP/AVP"},
		{"answers WebRTC with WebRTC", true, webrtcOffer, "UDP/TLS/RTP/SAVPF"},
		{"offers WebRTC by default", false, "", "UDP/TLS/RTP/SAVPF"},
		{"offers plain RTP with OfferPlain", true, "", "RTP/AVP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			plain, web := &fakeEngine{name: "RTP/AVP"}, &fakeEngine{name: "UDP/TLS/RTP/SAVPF"}
			s, _ := media.ByProfile{Plain: plain, WebRTC: web, OfferPlain: c.offerPlain}.NewSession(ctx)
			s.SetDirection(media.DirectionSendOnly) // before the choice
			if err := s.SetRemoteAnswer(plainOffer); !errors.Is(err, media.ErrNoOffer) {
				t.Errorf("answer before an offer: %v", err)
			}
			var got string
			var err error
			if c.offer == "" {
				got, err = s.CreateOffer(ctx, media.OfferOptions{})
			} else {
				got, err = s.CreateAnswer(ctx, c.offer)
			}
			if err != nil {
				t.Fatal(err)
			}
			if media.Profile(got) != c.want {
				t.Errorf("made %q, want profile %s", got, c.want)
			}
			if len(plain.made)+len(web.made) != 1 {
				t.Fatalf("%d plain and %d WebRTC sessions made, want one", len(plain.made), len(web.made))
			}
			inner := append(plain.made, web.made...)[0]
			if inner.dir != media.DirectionSendOnly {
				t.Errorf("inner direction %q, want the one set before the choice", inner.dir)
			}
			// Renegotiation stays on the same engine.
			if _, err := s.CreateAnswer(ctx, plainOffer); err != nil {
				t.Fatal(err)
			}
			if len(plain.made)+len(web.made) != 1 {
				t.Error("a second session was made")
			}
			s.Close()
			if !inner.closed {
				t.Error("inner session not closed")
			}
		})
	}
	s, _ := media.ByProfile{WebRTC: &fakeEngine{name: "UDP/TLS/RTP/SAVPF"}}.NewSession(ctx)
	if _, err := s.CreateAnswer(ctx, plainOffer); !errors.Is(err, media.ErrIncompatibleSDP) {
		t.Errorf("plain offer without Plain: %v, want ErrIncompatibleSDP", err)
	}
	if err := s.SendDTMF(ctx, "1", media.DTMFOptions{}); !errors.Is(err, media.ErrNoTelephoneEvent) {
		t.Errorf("DTMF before the choice: %v", err)
	}
	s.Close()
	if _, err := s.CreateOffer(ctx, media.OfferOptions{}); !errors.Is(err, media.ErrClosed) || strings.Contains(err.Error(), "plain") {
		t.Errorf("offer after Close: %v", err)
	}
}
