//go:build !js

package ringo_test

// Calls with real media between Ringo UAs: each side is a media/webrtc
// session on 127.0.0.1 (ICE, DTLS-SRTP, G.711) that plays a tone and
// records what it receives, so the tests check what a listener would hear:
// the other side's tone, for as long as it was played, in the directions
// RFC 3264 allows, and the DTMF in the order it was sent. This file holds
// the helpers and the tests through the embedded server; Kamailio is in
// call_kamailio_test.go, the numbers (set-up time, memory, load) in
// call_load_test.go.

import (
	"context"
	"fmt"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/webrtc"
	"github.com/ringo-sip/ringo/server"
)

// Tones the two sides play, and their level.
const (
	aliceHz   = 440
	bobHz     = 1000
	toneLevel = 0.5
	// toneTime is how long each side plays its tone at the start of a
	// call, before silence; the recordings must hold that much of it.
	toneTime = time.Second
	// hzTolerance is how far a recording's dominant frequency may be from
	// the tone played.
	hzTolerance = 3.0
	// loud is the RMS level (of full scale) above which a 20 ms frame is
	// taken as tone rather than silence; the tones are at about 0.35.
	loud = 0.1
)

// mediaConfig is an engine configuration with host candidates on
// 127.0.0.1 only, so that calls send nothing off the machine.
func mediaConfig() webrtc.Config {
	return webrtc.Config{
		IncludeLoopback:  true,
		IPFilter:         func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil },
		DisableMDNS:      true,
		GatheringTimeout: 2 * time.Second,
		Logger:           testLogger(),
	}
}

// capture is an audio sink that counts the frames it gets, notes when the
// first came, and keeps the samples if asked to. Its Close (called by the
// media session that owns it when the session closes) closes closed, so a
// test can see that a call's media was torn down.
type capture struct {
	keep bool

	mu      sync.Mutex
	samples []int16
	frames  int
	first   time.Time
	got     chan struct{} // closed with the first frame
	closed  chan struct{} // closed by Close
	once    sync.Once
}

func newCapture(keep bool) *capture {
	return &capture{keep: keep, got: make(chan struct{}), closed: make(chan struct{})}
}

// WritePCM implements audio.Sink.
func (c *capture) WritePCM(p []int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frames == 0 {
		c.first = time.Now()
		close(c.got)
	}
	c.frames++
	if c.keep {
		c.samples = append(c.samples, p...)
	}
	return nil
}

// Close implements io.Closer.
func (c *capture) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// isClosed reports whether the owning session closed the sink.
func (c *capture) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// len returns the number of samples kept so far.
func (c *capture) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.samples)
}

// from returns a copy of the samples kept from index i on.
func (c *capture) from(i int) []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.samples[min(i, len(c.samples)):]...)
}

// frameCount returns the number of frames received so far.
func (c *capture) frameCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames
}

// firstFrame returns when the first frame arrived (zero before).
func (c *capture) firstFrame() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.first
}

// eventLog records a call's events in order, as strings such as
// "progress remote 180", "dtmf remote 5 rtp" or "ended local Terminated".
type eventLog struct{ ch chan string }

func newEventLog() *eventLog { return &eventLog{ch: make(chan string, 256)} }

func (l *eventLog) add(s string) {
	select {
	case l.ch <- s:
	default: // a test that stopped reading; never block the UA's dispatcher
	}
}

func (l *eventLog) handlers() ringo.SessionHandlers {
	return ringo.SessionHandlers{
		Progress:  func(e ringo.ProgressEvent) { l.add(fmt.Sprintf("progress %s %d", e.Originator, e.Response.StatusCode)) },
		Accepted:  func(e ringo.AcceptedEvent) { l.add(fmt.Sprintf("accepted %s", e.Originator)) },
		Confirmed: func(e ringo.ConfirmedEvent) { l.add(fmt.Sprintf("confirmed %s", e.Originator)) },
		Ended:     func(e ringo.EndEvent) { l.add(fmt.Sprintf("ended %s %s", e.Originator, e.Cause)) },
		Failed:    func(e ringo.EndEvent) { l.add(fmt.Sprintf("failed %s %s", e.Originator, e.Cause)) },
		Hold:      func(e ringo.HoldEvent) { l.add(fmt.Sprintf("hold %s", e.Originator)) },
		Unhold:    func(e ringo.HoldEvent) { l.add(fmt.Sprintf("unhold %s", e.Originator)) },
		NewDTMF: func(e ringo.DTMFEvent) {
			how := "rtp"
			if e.Request != nil {
				how = "info"
			}
			l.add(fmt.Sprintf("dtmf %s %c %s %v", e.Originator, e.Tone, how, e.Duration))
		},
	}
}

// expect reads the next events and compares them with want, in order.
func (l *eventLog) expect(t testing.TB, who string, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-l.ch:
			if got != w {
				t.Fatalf("%s: event %q, want %q", who, got, w)
			}
		case <-time.After(waitTime):
			t.Fatalf("%s: no event %q within %v", who, w, waitTime)
		}
	}
}

// none checks that no event is pending.
func (l *eventLog) none(t testing.TB, who string) {
	t.Helper()
	select {
	case got := <-l.ch:
		t.Errorf("%s: unexpected event %q", who, got)
	default:
	}
}

// phone is a registered UA with a media engine. Its incoming calls arrive
// on incoming with their event log in place, unanswered.
type phone struct {
	*agent
	engine   *webrtc.Engine
	incoming chan *leg
	// engineSinks are the sinks of the media sessions the UA makes from
	// Config.MediaEngine for incoming calls, in the order it makes them:
	// the same order as the calls' NewSession events.
	engineSinks chan *capture
}

// newPhone starts a UA on server (a transport.NewSocket string) and waits
// for it to register.
func newPhone(t testing.TB, server, uri, password string) *phone {
	t.Helper()
	p := &phone{incoming: make(chan *leg, 1024), engineSinks: make(chan *capture, 1024)}
	cfg := mediaConfig()
	cfg.NewAudioSink = func() (audio.Sink, error) {
		c := newCapture(false)
		p.engineSinks <- c
		return c, nil
	}
	e, err := webrtc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.engine = e
	p.agent = newAgent(t, agentConfig{server: server, uri: uri, password: password,
		mutate: func(c *ringo.Config) { c.MediaEngine = e }})
	p.ua.OnNewSession(func(ev ringo.NewSessionEvent) {
		if ev.Originator != ringo.Remote {
			return
		}
		l := &leg{who: p.name, s: ev.Session, log: newEventLog()}
		select {
		case l.engineSink = <-p.engineSinks:
		default:
		}
		ev.Session.SetHandlers(l.log.handlers())
		p.incoming <- l
	})
	p.start(t)
	p.rec.wait(t, "registered")
	return p
}

// leg is one side of a call.
type leg struct {
	who string
	s   *ringo.Session
	m   *webrtc.Session // the media this test gave the call
	rec *capture        // m's sink
	log *eventLog
	// engineSink is the sink of the media the UA made itself for an
	// incoming call (replaced by m on Answer), or nil.
	engineSink *capture
}

// newMedia makes a media session of e that plays src and records into a
// new capture; it is closed when the test ends if the call has not closed
// it.
func newMedia(t testing.TB, e *webrtc.Engine, src audio.Source, keep bool) (*webrtc.Session, *capture) {
	t.Helper()
	m, rec, err := tryMedia(t, e, src, keep)
	if err != nil {
		t.Fatal(err)
	}
	return m, rec
}

// tryMedia is newMedia for goroutines other than the test's: it returns
// the error.
func tryMedia(t testing.TB, e *webrtc.Engine, src audio.Source, keep bool) (*webrtc.Session, *capture, error) {
	rec := newCapture(keep)
	m, err := e.NewSessionWith(context.Background(), webrtc.SessionOptions{AudioSource: src, AudioSink: rec})
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() { m.Close() })
	return m, rec, nil
}

// limitedTone is a tone of hz for toneTime, then silence.
func limitedTone(hz float64) audio.Source { return audio.Limit(audio.NewTone(hz, toneLevel), toneTime) }

// dial places a call from one phone to another with src as the caller's
// audio, and returns the caller's leg and the callee's, ringing.
func dial(t testing.TB, from, to *phone, target string, src audio.Source) (a, b *leg) {
	t.Helper()
	a = &leg{who: from.name, log: newEventLog()}
	a.m, a.rec = newMedia(t, from.engine, src, true)
	s, err := from.ua.Call(ctxT(t), target, &ringo.CallOptions{Media: a.m, Handlers: a.log.handlers()})
	if err != nil {
		t.Fatalf("%s: Call: %v", a.who, err)
	}
	a.s = s
	select {
	case b = <-to.incoming:
	case <-time.After(waitTime):
		t.Fatalf("%s: no incoming call within %v", to.name, waitTime)
	}
	return a, b
}

// answer answers an incoming call with media of e playing src.
func (l *leg) answer(t testing.TB, e *webrtc.Engine, src audio.Source) {
	t.Helper()
	l.m, l.rec = newMedia(t, e, src, true)
	if err := l.s.Answer(ctxT(t), &ringo.AnswerOptions{Media: l.m}); err != nil {
		t.Fatalf("%s: Answer: %v", l.who, err)
	}
}

// established waits for the events of an answered call on both sides.
func established(t testing.TB, a, b *leg) {
	t.Helper()
	a.log.expect(t, a.who, "progress remote 180", "accepted remote", "confirmed local")
	b.log.expect(t, b.who, "progress local 180", "accepted local", "confirmed remote")
	if !a.s.IsEstablished() || !b.s.IsEstablished() {
		t.Fatalf("states %v / %v, want confirmed", a.s.State(), b.s.State())
	}
}

// rx and tx return the audio RTP packets received and sent so far.
func (l *leg) rx() uint64 { return l.m.Stats().Audio.Received.Packets }
func (l *leg) tx() uint64 { return l.m.Stats().Audio.Sent.Packets }

// pollUntil polls cond every 10 ms until it holds, failing after waitTime.
func pollUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTime)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitTime)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// loudSamples returns the 20 ms frames of samples whose level is above
// loud, end to end.
func loudSamples(samples []int16) []int16 {
	var out []int16
	for i := 0; i+audio.FrameSamples <= len(samples); i += audio.FrameSamples {
		if f := samples[i : i+audio.FrameSamples]; audio.RMS(f) > loud {
			out = append(out, f...)
		}
	}
	return out
}

// checkTone checks that what l recorded is a tone of hz (within
// hzTolerance) lasting toneTime (within 150 ms), once l has recorded
// toneTime and half a second of the silence after it.
func checkTone(t testing.TB, l *leg, hz float64) {
	t.Helper()
	need := int((toneTime + 500*time.Millisecond) * audio.Rate / time.Second)
	pollUntil(t, l.who+" records the tone and the silence after it", func() bool { return l.rec.len() >= need })
	rec := l.rec.from(0)
	tone := loudSamples(rec)
	heard := time.Duration(len(tone)) * time.Second / audio.Rate
	if d := heard - toneTime; d < -150*time.Millisecond || d > 150*time.Millisecond {
		t.Errorf("%s heard %v of tone in %v recorded, want %v", l.who, heard, time.Duration(len(rec))*time.Second/audio.Rate, toneTime)
	}
	if f := audio.DominantFrequency(tone, audio.Rate); math.Abs(f-hz) > hzTolerance {
		t.Errorf("%s heard %.1f Hz, want %v Hz", l.who, f, hz)
	}
	t.Logf("%s heard %v of %.1f Hz (RMS %.2f)", l.who, heard, audio.DominantFrequency(tone, audio.Rate), audio.RMS(tone))
}

// flow is what one leg got and sent during a window.
type flow struct {
	rx, tx  uint64
	samples []int16
}

// measure returns what each leg received and sent during d.
func measure(d time.Duration, legs ...*leg) []flow {
	type mark struct {
		rx, tx uint64
		n      int
	}
	marks := make([]mark, len(legs))
	for i, l := range legs {
		marks[i] = mark{l.rx(), l.tx(), l.rec.len()}
	}
	time.Sleep(d)
	out := make([]flow, len(legs))
	for i, l := range legs {
		out[i] = flow{rx: l.rx() - marks[i].rx, tx: l.tx() - marks[i].tx, samples: l.rec.from(marks[i].n)}
	}
	return out
}

// settle waits until the packets in flight when the directions changed
// have arrived at legs that must now be silent: until none of their
// received counts moves for 200 ms (or waitTime passes: the check after
// will fail).
func settle(legs ...*leg) {
	deadline := time.Now().Add(waitTime)
	for len(legs) > 0 && time.Now().Before(deadline) {
		before := make([]uint64, len(legs))
		for i, l := range legs {
			before[i] = l.rx()
		}
		time.Sleep(200 * time.Millisecond)
		moved := false
		for i, l := range legs {
			moved = moved || l.rx() != before[i]
		}
		if !moved {
			return
		}
	}
}

// window is how long each direction is watched after a hold change.
const window = 400 * time.Millisecond

// minPackets is the fewest packets a flowing direction must deliver in a
// window: half of the 50 a second G.711 sends, so a loaded machine passes.
const minPackets = uint64(window / (20 * time.Millisecond) / 2)

// checkFlows checks the audio in one window: a leg listed in hearing must
// have received packets carrying the other side's tone; any other leg must
// have received nothing.
func checkFlows(t testing.TB, state string, a, b *leg, aHears, bHears bool) {
	t.Helper()
	var silent []*leg
	if !aHears {
		silent = append(silent, a)
	}
	if !bHears {
		silent = append(silent, b)
	}
	settle(silent...)
	fs := measure(window, a, b)
	for i, c := range []struct {
		l     *leg
		hears bool
		hz    float64
	}{{a, aHears, bobHz}, {b, bHears, aliceHz}} {
		f := fs[i]
		if !c.hears {
			if f.rx != 0 || len(f.samples) != 0 {
				t.Errorf("%s: %s received %d packets (%d samples), want none", state, c.l.who, f.rx, len(f.samples))
			}
			continue
		}
		if f.rx < minPackets {
			t.Errorf("%s: %s received %d packets in %v, want at least %d", state, c.l.who, f.rx, window, minPackets)
			continue
		}
		if hz := audio.DominantFrequency(f.samples, audio.Rate); math.Abs(hz-c.hz) > hzTolerance || audio.RMS(f.samples) < loud {
			t.Errorf("%s: %s heard %.1f Hz at RMS %.2f, want %v Hz", state, c.l.who, hz, audio.RMS(f.samples), c.hz)
		}
	}
	// What a side sends is what the other receives: the sender's counter
	// agrees, so a silent direction is silent at the source, not lost.
	if !bHears && fs[0].tx != 0 {
		t.Errorf("%s: %s sent %d packets, want none", state, a.who, fs[0].tx)
	}
	if !aHears && fs[1].tx != 0 {
		t.Errorf("%s: %s sent %d packets, want none", state, b.who, fs[1].tx)
	}
	t.Logf("%s: %s got %d packets, sent %d; %s got %d, sent %d", state, a.who, fs[0].rx, fs[0].tx, b.who, fs[1].rx, fs[1].tx)
}

// checkHold checks the hold state each side reports.
func checkHold(t testing.TB, l *leg, wantLocal, wantRemote bool) {
	t.Helper()
	if local, remote := l.s.IsOnHold(); local != wantLocal || remote != wantRemote {
		t.Errorf("%s: IsOnHold = %v, %v; want %v, %v", l.who, local, remote, wantLocal, wantRemote)
	}
}

// checkBothTones checks that each side heard the other's tone, for as long as
// it was played.
func checkBothTones(t testing.TB, a, b *leg) {
	t.Helper()
	checkTone(t, a, bobHz)
	checkTone(t, b, aliceHz)
}

// dtmfDuration is how long each DTMF tone lasts: short, to keep the test
// short, and not the default, to show that the duration crosses.
const dtmfDuration = 60 * time.Millisecond

// checkDTMF sends DTMF both ways, by RFC 4733 and by INFO, and checks that
// the receiver gets every tone, in order, by the transport it was sent
// with, with its duration; and that the sender is told of each.
func checkDTMF(t testing.TB, a, b *leg) {
	t.Helper()
	ctx := ctxT(t)
	send := func(from, to *leg, tones string, how string) {
		t.Helper()
		opts := &ringo.DTMFOptions{Duration: dtmfDuration, Gap: 40 * time.Millisecond}
		if how == "info" {
			opts.Transport = ringo.DTMFInfo
		}
		if err := from.s.SendDTMF(ctx, tones, opts); err != nil {
			t.Fatalf("%s: SendDTMF(%q, %s): %v", from.who, tones, how, err)
		}
		var sent, got []string
		for _, tone := range tones {
			sent = append(sent, fmt.Sprintf("dtmf local %c %s %v", tone, how, dtmfDuration))
			got = append(got, fmt.Sprintf("dtmf remote %c %s %v", tone, how, dtmfDuration))
		}
		from.log.expect(t, from.who, sent...)
		to.log.expect(t, to.who, got...)
	}
	send(a, b, "159#", "rtp")
	send(a, b, "27*", "info")
	send(b, a, "3A0", "rtp")
	send(b, a, "D8", "info")
}

// hangUp ends the call from one side and checks that both sides end, with
// the right originator, and close their media.
func hangUp(t testing.TB, by, other *leg) {
	t.Helper()
	if err := by.s.Terminate(nil); err != nil {
		t.Fatalf("%s: Terminate: %v", by.who, err)
	}
	by.log.expect(t, by.who, "ended local Terminated")
	other.log.expect(t, other.who, "ended remote Terminated")
	for _, l := range []*leg{by, other} {
		select {
		case <-l.s.Done():
		case <-time.After(waitTime):
			t.Fatalf("%s: Done not closed", l.who)
		}
		if !l.s.IsEnded() || l.s.EndTime().IsZero() {
			t.Errorf("%s: state %v, end time %v after the call ended", l.who, l.s.State(), l.s.EndTime())
		}
		pollUntil(t, l.who+"'s media closed", l.rec.isClosed)
		if l.engineSink != nil && !l.engineSink.isClosed() {
			t.Errorf("%s: the media the UA made for the incoming call was not closed when the call was answered with other media", l.who)
		}
	}
}

// mediaPair starts the embedded server on WebSocket and two phones on it.
func mediaPair(t *testing.T) (srv *server.Server, alice, bob *phone) {
	t.Helper()
	srv = startServerAt(t, server.Config{WS: "127.0.0.1:0", UDP: server.Off, TCP: server.Off})
	ws := serverString(t, srv, "ws")
	return srv, newPhone(t, ws, "sip:alice@ringo.test", ""), newPhone(t, ws, "sip:bob@ringo.test", "")
}

// TestCallMedia: alice calls bob through the embedded server over
// WebSocket and bob answers; each plays a tone for a second and records.
// Each recording holds the other side's tone (frequency within a few Hz,
// duration within 150 ms). DTMF by RFC 4733 and by INFO arrives both ways
// in order. Hold follows RFC 3264 §8.4 in the RTP itself: alice's hold
// (sendonly) leaves her sending and bob receiving her tone, while bob
// sends nothing and alice receives nothing; bob holding too (inactive)
// silences both; each unhold brings its direction back. Alice hangs up and
// both sides end and close their media.
func TestCallMedia(t *testing.T) {
	t.Parallel()
	_, alicePhone, bobPhone := mediaPair(t)
	ctx := ctxT(t)
	a, b := dial(t, alicePhone, bobPhone, "sip:bob@ringo.test", limitedTone(aliceHz))
	b.answer(t, bobPhone.engine, limitedTone(bobHz))
	established(t, a, b)
	if a.m.Stats().Audio.Codec == "" || b.m.Stats().Audio.Codec == "" {
		t.Errorf("no audio codec negotiated: %q / %q", a.m.Stats().Audio.Codec, b.m.Stats().Audio.Codec)
	}

	checkBothTones(t, a, b)
	checkDTMF(t, a, b)

	// From here on each side plays its tone without end, so that every
	// window of the hold checks hears it when it flows.
	a.m.SetAudioSource(audio.NewTone(aliceHz, toneLevel))
	b.m.SetAudioSource(audio.NewTone(bobHz, toneLevel))
	checkFlows(t, "before hold", a, b, true, true)

	if err := a.s.Hold(ctx); err != nil {
		t.Fatalf("alice: Hold: %v", err)
	}
	a.log.expect(t, a.who, "hold local")
	b.log.expect(t, b.who, "hold remote")
	checkHold(t, a, true, false)
	checkHold(t, b, false, true)
	checkFlows(t, "alice holds (sendonly)", a, b, false, true)

	if err := b.s.Hold(ctx); err != nil {
		t.Fatalf("bob: Hold: %v", err)
	}
	b.log.expect(t, b.who, "hold local")
	a.log.expect(t, a.who, "hold remote")
	checkHold(t, a, true, true)
	checkHold(t, b, true, true)
	checkFlows(t, "both hold (inactive)", a, b, false, false)

	if err := b.s.Unhold(ctx); err != nil {
		t.Fatalf("bob: Unhold: %v", err)
	}
	b.log.expect(t, b.who, "unhold local")
	a.log.expect(t, a.who, "unhold remote")
	checkHold(t, a, true, false)
	checkHold(t, b, false, true)
	checkFlows(t, "bob unholds, alice still holds", a, b, false, true)

	if err := a.s.Unhold(ctx); err != nil {
		t.Fatalf("alice: Unhold: %v", err)
	}
	a.log.expect(t, a.who, "unhold local")
	b.log.expect(t, b.who, "unhold remote")
	checkHold(t, a, false, false)
	checkHold(t, b, false, false)
	checkFlows(t, "after unhold", a, b, true, true)

	hangUp(t, a, b)
	a.log.none(t, a.who)
	b.log.none(t, b.who)
}

// TestCallMediaEnd: with audio flowing both ways, a BYE from either side
// ends the call on both, and both close their media; a CANCEL before the
// answer fails the call on both sides with cause Canceled and closes the
// media both had made, without a packet received.
func TestCallMediaEnd(t *testing.T) {
	t.Parallel()
	_, alicePhone, bobPhone := mediaPair(t)
	for _, tt := range []struct {
		name     string
		byCaller bool
	}{{"caller hangs up", true}, {"callee hangs up", false}} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := dial(t, alicePhone, bobPhone, "bob", audio.NewTone(aliceHz, toneLevel))
			b.answer(t, bobPhone.engine, audio.NewTone(bobHz, toneLevel))
			established(t, a, b)
			for _, l := range []*leg{a, b} {
				select {
				case <-l.rec.got:
				case <-time.After(waitTime):
					t.Fatalf("%s: no audio within %v", l.who, waitTime)
				}
			}
			by, other := a, b
			if !tt.byCaller {
				by, other = b, a
			}
			hangUp(t, by, other)
		})
	}
	t.Run("caller cancels", func(t *testing.T) {
		a, b := dial(t, alicePhone, bobPhone, "bob", audio.NewTone(aliceHz, toneLevel))
		a.log.expect(t, a.who, "progress remote 180")
		b.log.expect(t, b.who, "progress local 180")
		if err := a.s.Terminate(nil); err != nil {
			t.Fatal(err)
		}
		a.log.expect(t, a.who, "failed local Canceled")
		b.log.expect(t, b.who, "failed remote Canceled")
		<-a.s.Done()
		<-b.s.Done()
		pollUntil(t, "alice's media closed", a.rec.isClosed)
		if b.engineSink == nil {
			t.Fatal("bob's UA made no media for the incoming call")
		}
		pollUntil(t, "bob's media closed", b.engineSink.isClosed)
		if n := a.rec.frameCount(); n != 0 {
			t.Errorf("alice received %d frames from a call never answered", n)
		}
		if err := b.s.Answer(ctxT(t), nil); err == nil {
			t.Error("bob answered a cancelled call")
		}
	})
	t.Run("caller cancels while the callee answers", func(t *testing.T) {
		// The CANCEL is handled while Answer builds its SDP (held in the
		// SDP hook, as a slow ICE gathering would hold it): Answer fails,
		// the call fails on both sides, every media session is closed, and
		// the race detector sees Answer and the UA loop agree on the
		// media.
		a, b := dial(t, alicePhone, bobPhone, "bob", audio.NewTone(aliceHz, toneLevel))
		a.log.expect(t, a.who, "progress remote 180")
		b.log.expect(t, b.who, "progress local 180")
		var m *webrtc.Session
		m, b.rec = newMedia(t, bobPhone.engine, audio.NewTone(bobHz, toneLevel), true)
		building, release := make(chan struct{}), make(chan struct{})
		answered := make(chan error, 1)
		go func() {
			answered <- b.s.Answer(context.Background(), &ringo.AnswerOptions{Media: m, Hooks: ringo.SessionHooks{
				SDP: func(e ringo.SDPEvent) string {
					if e.Originator == ringo.Local {
						close(building)
						<-release
					}
					return e.SDP
				},
			}})
		}()
		select {
		case <-building:
		case <-time.After(waitTime):
			t.Fatal("Answer did not build its SDP")
		}
		if err := a.s.Terminate(nil); err != nil {
			t.Fatal(err)
		}
		a.log.expect(t, a.who, "failed local Canceled")
		b.log.expect(t, b.who, "failed remote Canceled")
		close(release)
		if err := <-answered; err == nil {
			t.Error("Answer of a call cancelled meanwhile returned nil")
		} else {
			t.Logf("Answer: %v", err)
		}
		<-a.s.Done()
		<-b.s.Done()
		pollUntil(t, "alice's media closed", a.rec.isClosed)
		pollUntil(t, "bob's answering media closed", b.rec.isClosed)
		pollUntil(t, "the media bob's UA made closed", b.engineSink.isClosed)
		a.log.none(t, a.who)
		b.log.none(t, b.who)
	})
}
