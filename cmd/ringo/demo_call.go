package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/webrtc"
)

// The demo's call: alice plays a tone to bob for demoTalk, then sends
// demoDTMF as RFC 4733 events, then hangs up; bob records what he hears
// in memory, and the demo checks its frequency and the tones.
const (
	demoToneHz = 440
	demoTalk   = 2 * time.Second
	demoDTMF   = "123#"
	// demoToneTolerance is how far the frequency bob heard may be from
	// the tone: G.711 and the FFT of two seconds place it within 1 Hz.
	demoToneTolerance = 10
	// demoMinSound is the least sound bob must have heard: most of
	// demoTalk.
	demoMinSound = 1500 * time.Millisecond
	// demoMinLevel is the least level of that sound; the tone is sent at
	// half of full scale, an RMS of 0.35.
	demoMinLevel = 0.1
)

// pcmRecorder is an audio.Sink that keeps what it is given in memory.
type pcmRecorder struct {
	mu      sync.Mutex
	samples []int16
}

func (r *pcmRecorder) WritePCM(p []int16) error {
	r.mu.Lock()
	r.samples = append(r.samples, p...)
	r.mu.Unlock()
	return nil
}

func (r *pcmRecorder) recorded() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...)
}

// demoCall is the state of the demo's call, on both sides.
type demoCall struct {
	d      *demo
	engine *webrtc.Engine
	heard  pcmRecorder

	mu     sync.Mutex
	medias []*webrtc.Session // closed by shutdown, whatever happened
	alice  *ringo.Session
	bob    *ringo.Session

	answered   chan struct{}        // alice's call was answered
	aliceEnded chan ringo.EndEvent  // alice's call ended or failed
	bobEnded   chan ringo.EndEvent  // bob's call ended or failed
	bobErr     chan error           // bob could not answer
	tones      chan media.DTMFEvent // the tones bob received
}

// newDemoCall prepares the call: a media engine on 127.0.0.1 and bob's
// answering.
func (d *demo) newDemoCall() (*demoCall, error) {
	engine, err := webrtc.New(webrtc.Config{
		IncludeLoopback:  true,
		IPFilter:         func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil },
		DisableMDNS:      true,
		GatheringTimeout: 2 * time.Second,
		Logger:           d.log,
	})
	if err != nil {
		return nil, err
	}
	c := &demoCall{
		d: d, engine: engine,
		answered:   make(chan struct{}),
		aliceEnded: make(chan ringo.EndEvent, 1),
		bobEnded:   make(chan ringo.EndEvent, 1),
		bobErr:     make(chan error, 1),
		tones:      make(chan media.DTMFEvent, 16),
	}
	d.bb.ua.OnNewSession(c.bobIncoming)
	return c, nil
}

// keep remembers a media session for shutdown to close.
func (c *demoCall) keep(m *webrtc.Session) {
	c.mu.Lock()
	c.medias = append(c.medias, m)
	c.mu.Unlock()
}

// bobIncoming answers alice's call on bob's side, recording in memory.
func (c *demoCall) bobIncoming(ev ringo.NewSessionEvent) {
	if ev.Originator != ringo.Remote {
		return
	}
	t, sess := c.d.t, ev.Session
	c.mu.Lock()
	c.bob = sess
	c.mu.Unlock()
	from := sess.Remote()
	t.line("bob", "incoming call from %s; answers, recording what he hears in memory", from.URI.String())
	sess.SetHandlers(ringo.SessionHandlers{
		Confirmed: func(ringo.ConfirmedEvent) { t.line("bob", "call confirmed (ACK received)") },
		NewDTMF: func(ev ringo.DTMFEvent) {
			t.line("bob", "received DTMF %c (RFC 4733, %s)", ev.Tone, ms(ev.Duration))
			c.tones <- media.DTMFEvent{Tone: ev.Tone, Duration: ev.Duration}
		},
		Ended: func(ev ringo.EndEvent) {
			t.line("bob", "call ended by %s (%s)", ev.Originator, ev.Cause)
			c.bobEnded <- ev
		},
		Failed: func(ev ringo.EndEvent) {
			t.line("bob", "call failed: %s", ev.Cause)
			c.bobEnded <- ev
		},
	})
	go func() {
		m, err := c.engine.NewSessionWith(context.Background(), webrtc.SessionOptions{AudioSink: &c.heard})
		if err != nil {
			sess.Terminate(&ringo.TerminateOptions{StatusCode: 500})
			c.bobErr <- fmt.Errorf("bob's media: %w", err)
			return
		}
		c.keep(m)
		if err := sess.Answer(context.Background(), &ringo.AnswerOptions{Media: m}); err != nil {
			c.bobErr <- fmt.Errorf("bob could not answer: %w", err)
		}
	}()
}

// call runs the demo's call and checks what bob heard. It returns the
// verdict line.
func (c *demoCall) run(ctx context.Context) (string, error) {
	d, t := c.d, c.d.t
	m, err := c.engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(demoToneHz, 0.5)})
	if err != nil {
		return "", fmt.Errorf("alice's media: %w", err)
	}
	c.keep(m)
	bob := d.bb.ua.URI()
	t.line("alice", "calls %s with WebRTC audio (ICE, DTLS-SRTP, G.711), playing a %d Hz tone", bob.String(), demoToneHz)
	began := time.Now()
	sess, err := d.alice.ua.Call(ctx, bob.String(), &ringo.CallOptions{Media: m, Handlers: ringo.SessionHandlers{
		Progress: func(ev ringo.ProgressEvent) {
			t.line("alice", "ringing (%d %s) after %s", ev.Response.StatusCode, ev.Response.Reason, ms(time.Since(began)))
		},
		Accepted: func(ev ringo.AcceptedEvent) {
			t.line("alice", "answered (%d %s) after %s", ev.Response.StatusCode, ev.Response.Reason, ms(time.Since(began)))
			close(c.answered)
		},
		Ended: func(ev ringo.EndEvent) {
			t.line("alice", "call ended by %s (%s)", ev.Originator, ev.Cause)
			c.aliceEnded <- ev
		},
		Failed: func(ev ringo.EndEvent) {
			t.line("alice", "call failed: %s", ev.Cause)
			c.aliceEnded <- ev
		},
	}})
	if err != nil {
		return "", fmt.Errorf("alice could not call bob: %w", err)
	}
	c.mu.Lock()
	c.alice = sess
	c.mu.Unlock()
	select {
	case <-c.answered:
	case ev := <-c.aliceEnded:
		return "", fmt.Errorf("bob did not answer: %s", ev.Cause)
	case err := <-c.bobErr:
		return "", err
	case <-ctx.Done():
		return "", fmt.Errorf("bob did not answer: %w", ctx.Err())
	}
	select {
	case <-m.Connected():
		st := m.Stats().Audio
		t.line("alice", "media up (ICE and DTLS-SRTP connected, %s) %s after the call began", st.Codec, ms(time.Since(began)))
	case ev := <-c.aliceEnded:
		return "", fmt.Errorf("the call ended before its media was up: %s", ev.Cause)
	case <-ctx.Done():
		return "", fmt.Errorf("the media did not come up: %w", ctx.Err())
	}
	if err := sleepCtx(ctx, demoTalk); err != nil {
		return "", err
	}
	t.line("alice", "sends DTMF %s as RFC 4733 events", demoDTMF)
	if err := sess.SendDTMF(ctx, demoDTMF, &ringo.DTMFOptions{Transport: ringo.DTMFRFC4733}); err != nil {
		return "", fmt.Errorf("alice could not send DTMF: %w", err)
	}
	got, err := c.waitTones(ctx, len(demoDTMF))
	if err != nil {
		return "", err
	}
	st := m.Stats().Audio
	t.line("alice", "hangs up; RTP sent %d packets, received %d", st.Sent.Packets, st.Received.Packets)
	if err := sess.Terminate(nil); err != nil {
		return "", fmt.Errorf("alice could not hang up: %w", err)
	}
	for who, ch := range map[string]chan ringo.EndEvent{"alice": c.aliceEnded, "bob": c.bobEnded} {
		select {
		case ev := <-ch:
			if ev.Cause != ringo.CauseBye {
				return "", fmt.Errorf("%s's call ended with %s, not %s", who, ev.Cause, ringo.CauseBye)
			}
		case <-ctx.Done():
			return "", fmt.Errorf("%s's call did not end: %w", who, ctx.Err())
		}
	}
	c.closeMedia() // bob's recording is complete once his media is closed
	return c.check(got)
}

// waitTones waits for n tones at bob's, a little longer than they last.
func (c *demoCall) waitTones(ctx context.Context, n int) (string, error) {
	var got []rune
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	for len(got) < n {
		select {
		case ev := <-c.tones:
			got = append(got, ev.Tone)
		case <-timer.C:
			return "", fmt.Errorf("bob received DTMF %q, not %q", string(got), demoDTMF)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return string(got), nil
}

// check analyses what bob heard and returns the verdict line, or what is
// wrong with it.
func (c *demoCall) check(tones string) (string, error) {
	an := analyse(c.heard.recorded())
	c.d.t.line("bob", "recorded %s: %s", seconds(an.length), an)
	var errs []error
	if math.Abs(an.hz-demoToneHz) > demoToneTolerance {
		errs = append(errs, fmt.Errorf("bob heard %.1f Hz, not %d Hz", an.hz, demoToneHz))
	}
	if an.sound < demoMinSound {
		errs = append(errs, fmt.Errorf("bob heard only %s of sound, want at least %s", seconds(an.sound), seconds(demoMinSound)))
	}
	if an.rms < demoMinLevel {
		errs = append(errs, fmt.Errorf("bob heard the tone at level %.3f, want at least %.1f", an.rms, demoMinLevel))
	}
	if tones != demoDTMF {
		errs = append(errs, fmt.Errorf("bob received DTMF %q, not %q", tones, demoDTMF))
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return fmt.Sprintf("bob heard %.0f Hz for %s (%.1f Hz measured, level %.2f), and DTMF %s arrived in order.",
		math.Round(an.hz), seconds(an.sound), an.hz, an.rms, tones), nil
}

// closeMedia closes both sides' media; Close waits for the session's
// goroutines, so nothing is written to bob's recording after it.
func (c *demoCall) closeMedia() {
	c.mu.Lock()
	medias := c.medias
	c.medias = nil
	c.mu.Unlock()
	for _, m := range medias {
		m.Close()
	}
}

// shutdown hangs up a call still up (after a failure) and closes the
// media.
func (c *demoCall) shutdown() {
	c.mu.Lock()
	calls := []*ringo.Session{c.alice, c.bob}
	c.mu.Unlock()
	for _, s := range calls {
		if s != nil && !s.IsEnded() {
			s.Terminate(nil)
		}
	}
	c.closeMedia()
}

// sleepCtx waits for d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
