//go:build !js

package rtp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

func TestToneBothWays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b, ca, cb := pair(ctx, t, 440, 1000)
	// One second of audio each way, then the last half second's pitch.
	waitFor(ctx, t, "audio at b", func() bool { return cb.len() >= audio.Rate })
	waitFor(ctx, t, "audio at a", func() bool { return ca.len() >= audio.Rate })
	for _, c := range []struct {
		name string
		got  []int16
		want float64
	}{{"a to b", cb.last(4096), 440}, {"b to a", ca.last(4096), 1000}} {
		f := audio.DominantFrequency(c.got, audio.Rate)
		if math.Abs(f-c.want) > 10 {
			t.Errorf("%s: dominant frequency %.1f Hz, want %.0f", c.name, f, c.want)
		}
		t.Logf("%s: %.1f Hz", c.name, f)
	}
	for name, s := range map[string]*Session{"a": a, "b": b} {
		st := s.Stats().Audio
		if st.Codec != CodecPCMU || st.Sent.Packets == 0 || st.Received.Packets == 0 ||
			st.Sent.Bytes != st.Sent.Packets*160 {
			t.Errorf("%s: stats %+v", name, st)
		}
		if st.Received.Lost != 0 {
			t.Errorf("%s: %d lost on loopback", name, st.Received.Lost)
		}
		t.Logf("%s: sent %d, received %d, jitter %v", name, st.Sent.Packets, st.Received.Packets, st.Received.Jitter)
	}
}

func TestHoldStopsOneWay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b, _, _ := pair(ctx, t, 440, 1000)
	waitFor(ctx, t, "b sending", func() bool { return b.Stats().Audio.Sent.Packets > 5 })

	a.SetDirection(media.DirectionSendOnly) // a holds b
	answer := negotiate(ctx, t, a, b)
	if !strings.Contains(answer, "a=recvonly\r\n") {
		t.Fatalf("answer to a sendonly offer is not recvonly:\n%s", answer)
	}
	// Let a packet b's loop had in hand go out, then b must stay silent
	// while a sends 25 more (half a second of its ticks).
	a0 := a.Stats().Audio.Sent.Packets
	waitFor(ctx, t, "a sending", func() bool { return a.Stats().Audio.Sent.Packets > a0+2 })
	b0 := b.Stats().Audio.Sent.Packets
	a1 := a.Stats().Audio.Sent.Packets
	waitFor(ctx, t, "a sending on hold", func() bool { return a.Stats().Audio.Sent.Packets > a1+25 })
	if b1 := b.Stats().Audio.Sent.Packets; b1 != b0 {
		t.Fatalf("b sent %d packets while held", b1-b0)
	}
	if err := b.SendDTMF(ctx, "1", media.DTMFOptions{}); !errors.Is(err, errNotSending) {
		t.Errorf("SendDTMF on hold: %v, want errNotSending", err)
	}

	a.SetDirection(media.DirectionSendRecv) // resume
	if answer := negotiate(ctx, t, a, b); !strings.Contains(answer, "a=sendrecv\r\n") {
		t.Fatalf("answer to resume is not sendrecv:\n%s", answer)
	}
	waitFor(ctx, t, "b sending again", func() bool { return b.Stats().Audio.Sent.Packets > b0+10 })
}

// tones collects the DTMF a session receives.
type tones struct {
	mu  sync.Mutex
	got []media.DTMFEvent
}

func (d *tones) add(e media.DTMFEvent) {
	d.mu.Lock()
	d.got = append(d.got, e)
	d.mu.Unlock()
}

func (d *tones) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	for _, e := range d.got {
		b.WriteRune(e.Tone)
	}
	return b.String()
}

func TestDTMFBothWays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b, _, _ := pair(ctx, t, 440, 1000)
	var atA, atB tones
	a.OnDTMF(atA.add)
	b.OnDTMF(atB.add)
	opts := media.DTMFOptions{Duration: 100 * time.Millisecond, Gap: 40 * time.Millisecond}
	for _, c := range []struct {
		from *Session
		to   *tones
		send string
	}{{a, &atB, "12#"}, {b, &atA, "*A9"}} {
		if err := c.from.SendDTMF(ctx, c.send, opts); err != nil {
			t.Fatal(err)
		}
		// A last tone after the others: had the three end packets of a
		// tone been reported more than once, they would show before it.
		if err := c.from.SendDTMF(ctx, "5", opts); err != nil {
			t.Fatal(err)
		}
		want := c.send + "5"
		waitFor(ctx, t, "tones "+want, func() bool { return len(c.to.String()) >= len(want) })
		if got := c.to.String(); got != want {
			t.Errorf("received %q, want %q", got, want)
		}
	}
	atB.mu.Lock()
	defer atB.mu.Unlock()
	for _, e := range atB.got {
		if e.Duration != 100*time.Millisecond {
			t.Errorf("tone %c lasted %v, want 100ms", e.Tone, e.Duration)
		}
	}
}

func TestIncompatibleOffer(t *testing.T) {
	ctx := context.Background()
	e := testEngine(t)
	for _, c := range []struct{ name, offer string }{
		{"G.722 and G.729 only", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 9 18\r\n"},
		{"WebRTC profile", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"},
		{"video only", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n"},
		{"audio rejected", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n"},
		{"bad m= line", "v=0\r\nm=audio x RTP/AVP 0\r\n"},
		{"dynamic PCMU at 16 kHz", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMU/16000\r\n"},
		{"empty", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := e.NewSessionWith(ctx, SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, err = s.CreateAnswer(ctx, c.offer)
			if !errors.Is(err, media.ErrIncompatibleSDP) {
				t.Fatalf("CreateAnswer: %v, want ErrIncompatibleSDP", err)
			}
		})
	}
}

func TestOfferAndAnswerLines(t *testing.T) {
	ctx := context.Background()
	e := testEngine(t)
	a, _ := e.NewSessionWith(ctx, SessionOptions{})
	defer a.Close()
	offer, err := a.CreateOffer(ctx, media.OfferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	port := a.LocalAddr().Port
	if port%2 != 0 {
		t.Errorf("RTP port %d is odd", port)
	}
	want := fmt.Sprintf("v=0\r\no=ringo %d 0 IN IP4 127.0.0.1\r\ns=ringo\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n", a.id, port)
	if offer != want {
		t.Fatalf("offer:\n%s\nwant:\n%s", offer, want)
	}
	// The same offer again keeps its version; a changed one advances it.
	if again, _ := a.CreateOffer(ctx, media.OfferOptions{}); again != offer {
		t.Errorf("unchanged offer differs:\n%s", again)
	}
	a.CancelOffer()
	a.SetDirection(media.DirectionInactive)
	held, _ := a.CreateOffer(ctx, media.OfferOptions{})
	if !strings.Contains(held, fmt.Sprintf("o=ringo %d 1 IN IP4", a.id)) || !strings.HasSuffix(held, "a=inactive\r\n") {
		t.Errorf("inactive offer:\n%s", held)
	}
	a.CancelOffer()

	// Answers: the offerer's first known codec and payload numbers, other
	// streams rejected in place, direction narrowed.
	for _, c := range []struct {
		name, offer string
		lines       []string
	}{
		{"PCMA first, TE 96, sendonly, video first",
			"v=0\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\nm=audio 4000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n",
			[]string{"m=video 0 RTP/AVP 96", "m=audio %d RTP/AVP 8 96", "a=rtpmap:8 PCMA/8000",
				"a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-16", "a=ptime:20", "a=recvonly"}},
		{"dynamic PCMU, no TE, session inactive",
			"v=0\r\nc=IN IP4 127.0.0.1\r\na=inactive\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 97\r\na=rtpmap:97 pcmu/8000\r\n",
			[]string{"m=audio %d RTP/AVP 97", "a=rtpmap:97 PCMU/8000", "a=ptime:20", "a=inactive"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, _ := e.NewSessionWith(ctx, SessionOptions{})
			defer b.Close()
			answer, err := b.CreateAnswer(ctx, c.offer)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, l := range c.lines {
				if strings.Contains(l, "%d") {
					l = fmt.Sprintf(l, b.LocalAddr().Port)
				}
				want = append(want, l)
			}
			got := strings.Split(strings.TrimSuffix(answer, "\r\n"), "\r\n")
			if len(got) < 5 || strings.Join(got[5:], "\n") != strings.Join(want, "\n") {
				t.Errorf("answer:\n%s\nwant after t=:\n%s", answer, strings.Join(want, "\n"))
			}
		})
	}
}

func TestSymmetricRTP(t *testing.T) {
	// b's answer names an address nobody listens on; a's packets reach b
	// and b must send back to where they came from.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e := testEngine(t)
	ca := &collector{}
	a, _ := e.NewSessionWith(ctx, SessionOptions{AudioSource: audio.NewTone(440, 0.5), AudioSink: ca})
	defer a.Close()
	b, _ := e.NewSessionWith(ctx, SessionOptions{AudioSource: audio.NewTone(1000, 0.5)})
	defer b.Close()
	offer, _ := a.CreateOffer(ctx, media.OfferOptions{})
	port := a.LocalAddr().Port
	natted := strings.Replace(offer, fmt.Sprintf("m=audio %d ", port), "m=audio 9 ", 1)
	answer, err := b.CreateAnswer(ctx, natted)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRemoteAnswer(answer); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "b's audio at a", func() bool { return ca.len() >= audio.Rate/2 })
	if f := audio.DominantFrequency(ca.last(2048), audio.Rate); math.Abs(f-1000) > 10 {
		t.Errorf("a received %.1f Hz, want 1000", f)
	}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	e := testEngine(t)
	s, _ := e.NewSessionWith(ctx, SessionOptions{})
	if err := s.SetRemoteAnswer("v=0\r\n"); !errors.Is(err, media.ErrNoOffer) {
		t.Errorf("answer with no offer: %v", err)
	}
	if err := s.CancelOffer(); !errors.Is(err, media.ErrNoOffer) {
		t.Errorf("cancel with no offer: %v", err)
	}
	if err := s.SendDTMF(ctx, "1", media.DTMFOptions{}); !errors.Is(err, media.ErrNoTelephoneEvent) {
		t.Errorf("DTMF before negotiation: %v", err)
	}
	if err := s.SendDTMF(ctx, "1x", media.DTMFOptions{}); !errors.Is(err, media.ErrInvalidDTMF) {
		t.Errorf("bad DTMF: %v", err)
	}
	states := make(chan media.State, 8)
	s.OnStateChange(func(st media.State) { states <- st })
	if _, err := s.CreateOffer(ctx, media.OfferOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOffer(ctx, media.OfferOptions{}); !errors.Is(err, media.ErrClosed) {
		t.Errorf("offer after close: %v", err)
	}
	if got := []media.State{<-states, <-states}; got[0] != media.StateConnecting || got[1] != media.StateClosed {
		t.Errorf("states %v", got)
	}
}
