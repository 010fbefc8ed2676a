//go:build !js

package ringo_test

// Calls between a Ringo UA with plain RTP (media/rtp) and baresip 1.0
// (Debian's baresip), a real softphone: both register at the embedded
// server over UDP with digest authentication, and each calls the other.
// baresip plays a WAV tone (aufile) and records what it decodes (sndfile),
// so each side's recording is checked for the other's tone.

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/rtp"
	"github.com/ringo-sip/ringo/media/webrtc"
	"github.com/ringo-sip/ringo/server"
)

// Tones of the baresip tests: baresip plays baresipHz from a WAV file,
// Ringo plays ringoHz.
const (
	baresipHz = 600
	ringoHz   = 440
)

// baresipTolerance is how far a recording's dominant frequency may be
// from the tone played (baresip's jitter buffer may drop or repeat frames).
const baresipTolerance = 5.0

func TestBaresip(t *testing.T) {
	// baresip 1.0 reads only the first challenge and gives up when it is
	// not MD5; the server's default puts SHA-256 first (RFC 8760).
	srv := startServerAt(t, server.Config{UDP: "127.0.0.1:0", Users: map[string]string{"alice": "apw", "bob": "bpw"},
		DigestAlgorithms: []digest.Algorithm{digest.MD5}})
	udp := srv.Addrs().UDP.String()

	// baresip's tone: 20 s of 600 Hz, 8 kHz mono.
	wav := filepath.Join(t.TempDir(), "tone.wav")
	tone := make([]int16, 20*audio.Rate)
	audio.NewTone(baresipHz, toneLevel).ReadPCM(tone)
	f, err := os.Create(wav)
	if err != nil {
		t.Fatal(err)
	}
	if err := audio.WriteWAV(f, tone); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bpw", Proxy: udp, Source: wav})
	began := time.Now()
	if err := bob.WaitRegistered(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("baresip registered in %v", time.Since(began))

	// alice: a Ringo UA on UDP whose calls have plain RTP on 127.0.0.1.
	// Its engine (for calls answered without AnswerOptions.Media) picks
	// plain RTP or WebRTC by the offer; its plain RTP sessions play
	// ringoHz and record into engineSinks.
	engineSinks := make(chan *capture, 4)
	engine, err := rtp.New(rtp.Config{LocalIP: []byte{127, 0, 0, 1}, Logger: testLogger(),
		NewAudioSource: func() (audio.Source, error) { return audio.NewTone(ringoHz, toneLevel), nil },
		NewAudioSink: func() (audio.Sink, error) {
			c := newCapture(true)
			engineSinks <- c
			return c, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	webrtcEngine, err := webrtc.New(mediaConfig())
	if err != nil {
		t.Fatal(err)
	}
	incoming := make(chan *leg, 4)
	alice := newAgent(t, agentConfig{server: "udp:" + udp, uri: "sip:alice@127.0.0.1", password: "apw",
		mutate: func(c *ringo.Config) { c.MediaEngine = media.ByProfile{Plain: engine, WebRTC: webrtcEngine} }})
	alice.ua.OnNewSession(func(ev ringo.NewSessionEvent) {
		if ev.Originator != ringo.Remote {
			return
		}
		l := &leg{who: "alice", s: ev.Session, log: newEventLog()}
		ev.Session.SetHandlers(l.log.handlers())
		incoming <- l
	})
	alice.start(t)
	alice.rec.wait(t, "registered")

	newRTP := func() (*rtp.Session, *capture) {
		rec := newCapture(true)
		m, err := engine.NewSessionWith(ctx, rtp.SessionOptions{AudioSource: audio.NewTone(ringoHz, toneLevel), AudioSink: rec})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m, rec
	}
	// hears checks that rec holds a second of loud audio at hz.
	hears := func(who string, rec *capture, hz float64) {
		t.Helper()
		pollUntil(t, who+" hears a second of tone", func() bool { return len(loudSamples(rec.from(0))) >= audio.Rate })
		got := audio.DominantFrequency(loudSamples(rec.from(0)), audio.Rate)
		if math.Abs(got-hz) > baresipTolerance {
			t.Errorf("%s heard %.1f Hz, want %v", who, got, hz)
		}
		t.Logf("%s heard %.1f Hz", who, got)
	}
	// baresipHeard checks baresip's recording of the call that ended: at
	// least half a second of ringoHz. The file is read until it holds that
	// much (sndfile finishes it as the call is torn down).
	baresipHeard := func() {
		t.Helper()
		path, err := bob.TakeRecording(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var loudPart []int16
		pollUntil(t, "baresip's recording holds half a second of tone", func() bool {
			samples, _, err := audio.ReadWAVFile(path)
			loudPart = loudSamples(samples)
			return err == nil && len(loudPart) >= audio.Rate/2
		})
		got := audio.DominantFrequency(loudPart, audio.Rate)
		if math.Abs(got-ringoHz) > baresipTolerance {
			t.Errorf("baresip recorded %.1f Hz, want %v Hz", got, ringoHz)
		}
		t.Logf("baresip recorded %v of %.1f Hz", time.Duration(len(loudPart))*time.Second/audio.Rate, got)
	}

	t.Run("Ringo calls baresip", func(t *testing.T) {
		m, rec := newRTP()
		log := newEventLog()
		sess, err := alice.ua.Call(ctx, "sip:bob@127.0.0.1", &ringo.CallOptions{Media: m, Handlers: log.handlers()})
		if err != nil {
			t.Fatal(err)
		}
		log.expect(t, "alice", "progress remote 180", "accepted remote", "confirmed local")
		if _, err := bob.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			t.Fatal(err)
		}
		hears("alice", rec, baresipHz)
		if err := sess.SendDTMF(ctx, "1#", &ringo.DTMFOptions{Transport: ringo.DTMFRFC4733}); err != nil {
			t.Fatalf("SendDTMF: %v", err)
		}
		for _, want := range []string{"1", "#"} {
			ev, err := bob.WaitEvent(ctx, "CALL_DTMF_START")
			if err != nil {
				t.Fatal(err)
			}
			if ev.Param != want {
				t.Errorf("baresip got DTMF %q, want %q", ev.Param, want)
			}
		}
		st := m.Stats().Audio
		if st.Codec != rtp.CodecPCMU || st.Received.Packets == 0 || st.Sent.Packets == 0 {
			t.Errorf("stats %+v", st)
		}
		t.Logf("alice: %s, sent %d, received %d packets, lost %d, jitter %v",
			st.Codec, st.Sent.Packets, st.Received.Packets, st.Received.Lost, st.Received.Jitter)
		if err := sess.Terminate(nil); err != nil {
			t.Fatal(err)
		}
		log.expect(t, "alice", "dtmf local 1 rtp 100ms", "dtmf local # rtp 100ms", "ended local Terminated")
		if _, err := bob.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
		baresipHeard()
	})

	t.Run("baresip calls Ringo", func(t *testing.T) {
		if _, err := bob.Command(ctx, "dial", "sip:alice@127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		var l *leg
		select {
		case l = <-incoming:
		case <-ctx.Done():
			t.Fatal("no call from baresip")
		}
		m, rec := newRTP()
		if err := l.s.Answer(ctx, &ringo.AnswerOptions{Media: m}); err != nil {
			t.Fatalf("Answer: %v", err)
		}
		l.log.expect(t, "alice", "progress local 180", "accepted local", "confirmed remote")
		if _, err := bob.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			t.Fatal(err)
		}
		hears("alice", rec, baresipHz)
		if st := m.Stats().Audio; st.Received.Packets == 0 || st.Sent.Packets == 0 {
			t.Errorf("stats %+v", st)
		}
		if _, err := bob.Command(ctx, "hangup", ""); err != nil {
			t.Fatal(err)
		}
		l.log.expect(t, "alice", "ended remote Terminated")
		if _, err := bob.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
		baresipHeard()
	})
	t.Run("baresip calls Ringo, answered by the UA's engine", func(t *testing.T) {
		if _, err := bob.Command(ctx, "dial", "sip:alice@127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		var l *leg
		select {
		case l = <-incoming:
		case <-ctx.Done():
			t.Fatal("no call from baresip")
		}
		// The UA made its media with the engine when the INVITE came: a
		// plain RTP session, since baresip offers RTP/AVP.
		if err := l.s.Answer(ctx, &ringo.AnswerOptions{}); err != nil {
			t.Fatalf("Answer: %v", err)
		}
		l.log.expect(t, "alice", "progress local 180", "accepted local", "confirmed remote")
		var rec *capture
		select {
		case rec = <-engineSinks:
		case <-ctx.Done():
			t.Fatal("the engine made no plain RTP session")
		}
		hears("alice", rec, baresipHz)
		if st := l.s.Media().Stats().Audio; st.Codec != rtp.CodecPCMU || st.Received.Packets == 0 {
			t.Errorf("stats %+v", st)
		}
		if err := l.s.Terminate(nil); err != nil {
			t.Fatal(err)
		}
		l.log.expect(t, "alice", "ended local Terminated")
		if _, err := bob.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
		baresipHeard()
	})
}
