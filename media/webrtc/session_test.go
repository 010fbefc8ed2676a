//go:build !js

package webrtc

import (
	"context"
	"errors"
	"math"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

// A 440 Hz tone sent from A is recorded by B with its frequency and its
// length.
func TestToneArrives(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "b.wav")
	rec, err := audio.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	a := newSession(t, testConfig(), SessionOptions{AudioSource: audio.Limit(audio.NewTone(440, 0.5), time.Second)})
	b := newSession(t, testConfig(), SessionOptions{AudioSink: rec})
	start := time.Now()
	connect(t, a, b)
	t.Logf("offer to connected: %v", time.Since(start))
	time.Sleep(1400 * time.Millisecond)
	st := b.Stats()
	a.Close()
	b.Close() // closes rec

	samples, _, err := audio.ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := audio.DominantFrequency(samples, audio.Rate)
	active := float64(audio.Active(samples, 0.05)) / audio.Rate
	t.Logf("recorded %.2f s, %.2f s of tone at %.2f Hz; stats %+v", float64(len(samples))/audio.Rate, active, f, st.Audio)
	if math.Abs(f-440) > 3 {
		t.Errorf("dominant frequency %.2f Hz, want 440", f)
	}
	if math.Abs(active-1) > 0.1 {
		t.Errorf("tone lasted %.2f s, want 1 s", active)
	}
	if st.Audio.Codec != "PCMU" || st.Audio.Received.Packets < 50 || st.Audio.Received.Bytes != 160*st.Audio.Received.Packets {
		t.Errorf("stats: %+v", st.Audio)
	}
}

// Both directions at once, A preferring PCMU and B only taking PCMA.
func TestBothDirections(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var atA, atB []int16
	keep := func(dst *[]int16) audio.Sink {
		return audio.SinkFunc(func(p []int16) error {
			mu.Lock()
			defer mu.Unlock()
			*dst = append(*dst, p...)
			return nil
		})
	}
	cfgB := testConfig()
	cfgB.AudioCodecs = []string{"pcma"}
	a := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5), AudioSink: keep(&atA)})
	b := newSession(t, cfgB, SessionOptions{AudioSource: audio.NewTone(1000, 0.5), AudioSink: keep(&atB)})
	connect(t, a, b)
	time.Sleep(time.Second)
	sa, sb := a.Stats(), b.Stats()
	a.Close()
	b.Close()
	mu.Lock()
	defer mu.Unlock()
	fa, fb := audio.DominantFrequency(atA, audio.Rate), audio.DominantFrequency(atB, audio.Rate)
	if math.Abs(fa-1000) > 3 || math.Abs(fb-440) > 3 {
		t.Errorf("A heard %.2f Hz (want 1000), B heard %.2f Hz (want 440)", fa, fb)
	}
	if sa.Audio.Codec != "PCMA" || sb.Audio.Codec != "PCMA" {
		t.Errorf("codecs %q %q, want PCMA", sa.Audio.Codec, sb.Audio.Codec)
	}
	if sa.Audio.Sent.Packets == 0 || sa.Audio.Received.Packets == 0 || sb.Audio.Sent.Packets == 0 {
		t.Errorf("stats A %+v B %+v", sa.Audio, sb.Audio)
	}
}

// DTMF sent from A arrives at B in order, one event per tone, with its
// duration.
func TestDTMF(t *testing.T) {
	t.Parallel()
	a := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.3)})
	b := newSession(t, testConfig(), SessionOptions{})
	var mu sync.Mutex
	var got []media.DTMFEvent
	b.OnDTMF(func(e media.DTMFEvent) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	if err := a.SendDTMF(context.Background(), "1", media.DTMFOptions{}); !errors.Is(err, media.ErrNoTelephoneEvent) {
		t.Errorf("before negotiation: %v", err)
	}
	connect(t, a, b)
	if err := a.SendDTMF(context.Background(), "12x", media.DTMFOptions{}); !errors.Is(err, media.ErrInvalidDTMF) {
		t.Errorf("bad tone: %v", err)
	}
	start := time.Now()
	if err := a.SendDTMF(context.Background(), "123#", media.DTMFOptions{}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	var tones string
	for _, e := range got {
		tones += string(e.Tone)
		if e.Duration != 100*time.Millisecond {
			t.Errorf("%c lasted %v, want 100ms", e.Tone, e.Duration)
		}
	}
	if tones != "123#" {
		t.Errorf("received %q, want 123#", tones)
	}
	t.Logf("SendDTMF(123#) took %v", took)
	// A cancelled context stops a long sequence early.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := a.SendDTMF(ctx, "1234567890", media.DTMFOptions{Duration: 500 * time.Millisecond}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled: %v", err)
	}
}

// Hold by renegotiation: sendonly stops the held side's audio, inactive
// stops both, sendrecv brings both back.
func TestHoldAndResume(t *testing.T) {
	t.Parallel()
	atA, atB := &frameCounter{}, &frameCounter{}
	a := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5), AudioSink: atA})
	b := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(600, 0.5), AudioSink: atB})
	connect(t, a, b)
	time.Sleep(200 * time.Millisecond)
	const window = 400 * time.Millisecond // 20 frames

	check := func(phase string, wantA, wantB bool) {
		t.Helper()
		time.Sleep(150 * time.Millisecond) // let packets in flight land
		var fa, fb int
		done := make(chan struct{})
		go func() { fa, _ = flow(atA, window); close(done) }()
		fb, _ = flow(atB, window)
		<-done
		t.Logf("%s: A got %d frames, B got %d", phase, fa, fb)
		if wantA != (fa > 10) || (!wantA && fa != 0) {
			t.Errorf("%s: A received %d frames, want flowing=%v", phase, fa, wantA)
		}
		if wantB != (fb > 10) || (!wantB && fb != 0) {
			t.Errorf("%s: B received %d frames, want flowing=%v", phase, fb, wantB)
		}
	}
	check("sendrecv", true, true)

	a.SetDirection(media.DirectionSendOnly)
	offer, answer := negotiate(t, a, b, media.OfferOptions{})
	if d := media.RemoteDirection(offer); d != media.DirectionSendOnly {
		t.Errorf("hold offer is %s", d)
	}
	if d := media.RemoteDirection(answer); d != media.DirectionRecvOnly {
		t.Errorf("hold answer is %s", d)
	}
	check("A sendonly", false, true)

	a.SetDirection(media.DirectionInactive)
	negotiate(t, a, b, media.OfferOptions{})
	check("A inactive", false, false)

	// B resumes by its own offer? No: A, who held, resumes.
	a.SetDirection(media.DirectionSendRecv)
	offer, answer = negotiate(t, a, b, media.OfferOptions{})
	if media.RemoteDirection(offer) != media.DirectionSendRecv || media.RemoteDirection(answer) != media.DirectionSendRecv {
		t.Errorf("resume: offer %s, answer %s", media.RemoteDirection(offer), media.RemoteDirection(answer))
	}
	check("sendrecv again", true, true)

	// B holds A by answering: its answer to A's sendrecv offer is sendonly.
	b.SetDirection(media.DirectionSendOnly)
	_, answer = negotiate(t, a, b, media.OfferOptions{})
	if d := media.RemoteDirection(answer); d != media.DirectionSendOnly {
		t.Errorf("holding answer is %s", d)
	}
	check("B answers sendonly", true, false)
}

// Mute stops the energy of the audio sent, not the packets, and needs no
// renegotiation.
func TestMute(t *testing.T) {
	t.Parallel()
	atB := &frameCounter{}
	a := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5)})
	b := newSession(t, testConfig(), SessionOptions{AudioSink: atB})
	connect(t, a, b)
	time.Sleep(200 * time.Millisecond)
	if f, l := flow(atB, 300*time.Millisecond); f < 10 || l < f-1 {
		t.Errorf("before mute: %d frames, %d loud", f, l)
	}
	a.SetMuted(media.Audio, true)
	time.Sleep(100 * time.Millisecond)
	if f, l := flow(atB, 300*time.Millisecond); f < 10 || l != 0 {
		t.Errorf("muted: %d frames, %d loud; want frames and no energy", f, l)
	}
	a.SetMuted(media.Audio, false)
	time.Sleep(100 * time.Millisecond)
	if f, l := flow(atB, 300*time.Millisecond); f < 10 || l < f-1 {
		t.Errorf("unmuted: %d frames, %d loud", f, l)
	}
}

// With a STUN server that never answers, the offer comes when the
// gathering timeout fires (on the fake clock), with the host candidates.
func TestGatheringTimeout(t *testing.T) {
	t.Parallel()
	blackhole, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer blackhole.Close()
	fake := clock.NewFake(time.Unix(0, 0))
	cfg := testConfig()
	cfg.ICEServers = []ICEServer{{URLs: []string{"stun:" + blackhole.LocalAddr().String()}}}
	cfg.GatheringTimeout = 0 // the default, 3 s
	cfg.clock = fake
	a := newSession(t, cfg, SessionOptions{})

	type result struct {
		sdp string
		err error
	}
	done := make(chan result, 1)
	go func() {
		sdp, err := a.CreateOffer(context.Background(), media.OfferOptions{})
		done <- result{sdp, err}
	}()
	for fake.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	if next, _ := fake.Next(); next != DefaultGatheringTimeout {
		t.Errorf("gathering timer due in %v, want %v", next, DefaultGatheringTimeout)
	}
	fake.Advance(DefaultGatheringTimeout - time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("offer before the timeout: %v", r.err)
	case <-time.After(50 * time.Millisecond):
	}
	fake.Advance(time.Millisecond)
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no offer after the gathering timeout")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.sdp, "typ host") || strings.Contains(r.sdp, "end-of-candidates") {
		t.Errorf("offer should have host candidates and no end-of-candidates:\n%s", r.sdp)
	}
}

// An ICE restart keeps the call and its audio.
func TestICERestart(t *testing.T) {
	t.Parallel()
	atB := &frameCounter{}
	a := newSession(t, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5)})
	b := newSession(t, testConfig(), SessionOptions{AudioSink: atB})
	offer1, _ := negotiate(t, a, b, media.OfferOptions{})
	waitConnected(t, a, b)
	offer2, _ := negotiate(t, a, b, media.OfferOptions{ICERestart: true})
	if ufrag(offer1) == ufrag(offer2) {
		t.Error("ICE restart kept the ufrag")
	}
	time.Sleep(300 * time.Millisecond)
	if f, _ := flow(atB, 300*time.Millisecond); f < 10 {
		t.Errorf("after restart: %d frames", f)
	}
}

// ufrag returns the ice-ufrag of a description.
func ufrag(sdp string) string {
	for _, l := range strings.Split(sdp, "\r\n") {
		if v, ok := strings.CutPrefix(l, "a=ice-ufrag:"); ok {
			return v
		}
	}
	return ""
}

// Offer/answer bookkeeping: a repeated answer is accepted, an answer
// without an offer is not, a cancelled offer leaves the call as it was.
func TestOfferAnswerStates(t *testing.T) {
	t.Parallel()
	a := newSession(t, testConfig(), SessionOptions{})
	b := newSession(t, testConfig(), SessionOptions{})
	if err := a.SetRemoteAnswer("v=0\r\n"); !errors.Is(err, media.ErrNoOffer) {
		t.Errorf("answer without offer: %v", err)
	}
	if err := a.CancelOffer(); !errors.Is(err, media.ErrNoOffer) {
		t.Errorf("cancel without offer: %v", err)
	}
	_, answer := negotiate(t, a, b, media.OfferOptions{})
	if err := a.SetRemoteAnswer(answer); err != nil {
		t.Errorf("the same answer again: %v", err)
	}
	waitConnected(t, a, b)

	a.SetDirection(media.DirectionSendOnly)
	if _, err := a.CreateOffer(context.Background(), media.OfferOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.CancelOffer(); err != nil {
		t.Fatal(err)
	}
	// The next offer asks for sendrecv again: the failed hold is forgotten.
	offer, _ := negotiate(t, a, b, media.OfferOptions{})
	if d := media.RemoteDirection(offer); d != media.DirectionSendRecv {
		t.Errorf("offer after a cancelled hold is %s", d)
	}
	a.Close()
	if _, err := a.CreateOffer(context.Background(), media.OfferOptions{}); !errors.Is(err, media.ErrClosed) {
		t.Errorf("offer after close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

// Offers this engine cannot take are refused with ErrIncompatibleSDP.
func TestIncompatibleOffer(t *testing.T) {
	t.Parallel()
	s := newSession(t, testConfig(), SessionOptions{})
	plain := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	g722 := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" +
		"a=fingerprint:sha-256 00:11\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 9\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\na=rtpmap:9 G722/8000\r\n"
	for name, offer := range map[string]string{"plain RTP": plain, "G.722 only": g722, "garbage": "hello"} {
		if _, err := s.CreateAnswer(context.Background(), offer); !errors.Is(err, media.ErrIncompatibleSDP) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	bad := []Config{
		{GatheringTimeout: -1},
		{PortMin: 10, PortMax: 5},
		{AudioCodecs: []string{"G729"}},
		{ICEServers: []ICEServer{{}}},
		{ICEServers: []ICEServer{{URLs: []string{"http://x"}}}},
	}
	for i, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
	e, err := New(Config{AudioCodecs: []string{"OPUS", "pcmu"}})
	if err != nil || e.cfg.GatheringTimeout != DefaultGatheringTimeout || e.cfg.AudioCodecs[0] != CodecOpus {
		t.Errorf("defaults: %v %+v", err, e.cfg)
	}
}

// NewSession (the media.Engine method) takes its sources and sinks from
// the Config's factories.
func TestNewSessionFactories(t *testing.T) {
	t.Parallel()
	atB := &frameCounter{}
	cfgA := testConfig()
	cfgA.NewAudioSource = func() (audio.Source, error) { return audio.NewTone(300, 0.5), nil }
	cfgB := testConfig()
	cfgB.NewAudioSink = func() (audio.Sink, error) { return atB, nil }
	ea, _ := New(cfgA)
	eb, _ := New(cfgB)
	var engine media.Engine = ea
	ma, err := engine.NewSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer ma.Close()
	mb, err := eb.NewSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	var states []media.State
	var mu sync.Mutex
	ma.OnStateChange(func(s media.State) { mu.Lock(); states = append(states, s); mu.Unlock() })
	connect(t, ma.(*Session), mb.(*Session))
	time.Sleep(300 * time.Millisecond)
	if f, l := flow(atB, 200*time.Millisecond); f < 5 || l < f-1 {
		t.Errorf("factory tone: %d frames, %d loud", f, l)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(states) == 0 || states[len(states)-1] != media.StateConnected {
		t.Errorf("states %v", states)
	}
	failing := testConfig()
	failing.NewAudioSink = func() (audio.Sink, error) { return nil, errors.New("disk full") }
	ef, _ := New(failing)
	if _, err := ef.NewSession(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing factory: %v", err)
	}
}
