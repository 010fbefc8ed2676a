package ringo_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/webrtc"
)

// TestJsSIPBrowserCalls: calls between JsSIP 3.13 in headless Chromium
// (its fake microphone) and a Ringo UA on the native media engine, both
// registered with Kamailio over WebSocket with digest authentication, media
// on 127.0.0.1:
//
//   - JsSIP calls Ringo, which answers with a 440 Hz tone and records what
//     it gets: audio flows both ways (Chromium's getStats counts inbound
//     packets and decodes energy, Ringo's recording has sound), DTMF by
//     INFO and by RFC 4733 arrives at Ringo in order, and JsSIP's hang-up
//     ends the call on both sides;
//   - Ringo calls JsSIP, which answers in the page: audio both ways, DTMF by
//     INFO reaches JsSIP, Ringo's hang-up ends the call on both sides; then
//     more calls give the set-up time, Call() to the first RTP packet Ringo
//     receives.
//
// Gotchas (see internal/testpeer's browser test too): JsSIP reports
// newDTMF only for INFO at a receiver, and RFC 2833 goes out through
// Chromium's RTCDTMFSender on the negotiated telephone-event; Chromium's
// fake microphone is a short beep every so often, not a steady tone, so
// the recording is checked for sound, not for a frequency.
func TestJsSIPBrowserCalls(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	begin := time.Now()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{
		Users: map[string]string{"jssip": "jssip-pw", "ringo": "ringo-pw"},
	})
	engine, err := webrtc.New(webrtc.Config{
		// Only 127.0.0.1, as the JsSIP phone offers, so media stays on
		// loopback whatever interfaces the machine has.
		IncludeLoopback: true,
		IPFilter:        func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) },
		Logger:          testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	incoming := make(chan jsIncoming, 4)
	r := startAgent(t, agentConfig{
		server: k.WSURL(), uri: k.URI("ringo"), password: "ringo-pw",
		mutate: func(c *ringo.Config) { c.MediaEngine = engine },
	})
	r.ua.OnNewSession(func(e ringo.NewSessionEvent) {
		if e.Originator != ringo.Remote {
			return
		}
		l := newJSCallEvents()
		e.Session.SetHandlers(l.handlers())
		incoming <- jsIncoming{s: e.Session, ev: l}
	})
	r.rec.wait(t, "registered")
	b := testpeer.StartBrowser(t, ctx, testpeer.BrowserOptions{})
	// The phone answers incoming calls in the page. (Turning that on with
	// the auto_answer command before a call races with the INVITE.)
	phone := b.NewPhone(ctx, testpeer.BrowserPhoneOptions{WSURL: k.WSURL(), URI: k.URI("jssip"), Password: "jssip-pw", AutoAnswer: true})
	t.Logf("Kamailio, Ringo, Chromium %s and its phone up in %v", b.Version(), time.Since(begin).Round(time.Millisecond))
	j := &jssipPhone{t: t, ctx: ctx, p: phone}

	t.Run("JsSIPCallsRingo", func(t *testing.T) {
		j.t = t
		j.send(map[string]any{"cmd": "call", "target": k.URI("ringo")})
		j.expect("newRTCSession", "local")
		var in jsIncoming
		select {
		case in = <-incoming:
		case <-time.After(waitTime):
			t.Fatal("no call reached Ringo")
		}
		t.Cleanup(func() { in.s.Terminate(nil) })
		if u := in.s.Remote().URI; u.User != "jssip" {
			t.Errorf("Ringo's caller %v, want jssip", u)
		}
		if ev := j.expect("progress", "remote"); ev["status"] != float64(180) {
			t.Errorf("JsSIP's progress %v, want 180", ev)
		}
		rec := newJSRecorder()
		m, err := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(440, 0.5), AudioSink: rec})
		if err != nil {
			t.Fatal(err)
		}
		if err := in.s.Answer(ctx, &ringo.AnswerOptions{Media: m}); err != nil {
			t.Fatalf("Answer: %v", err)
		}
		in.ev.wait(t, ctx, "accepted local")
		in.ev.wait(t, ctx, "confirmed remote")
		j.expect("accepted", "remote")
		j.expect("confirmed", "local")

		checkJsSIPAudio(t, j, m, rec)

		// DTMF by INFO, JsSIP's default transport.
		j.send(map[string]any{"cmd": "dtmf", "tones": "1#5"})
		for _, tone := range []string{"1", "#", "5"} {
			in.ev.wait(t, ctx, "dtmf remote "+tone+" info")
		}
		// DTMF by RFC 4733, played by Chromium's RTCDTMFSender and taken
		// out of the audio stream by Ringo.
		j.send(map[string]any{"cmd": "dtmf", "tones": "9*0", "transport": "RFC2833", "duration": 100, "gap": 70})
		for _, tone := range []string{"9", "*", "0"} {
			if ev := j.waitFor("dtmf_tone_sent"); ev["tone"] != tone {
				t.Errorf("JsSIP's RFC 4733 tone %v, want %s", ev["tone"], tone)
			}
			in.ev.wait(t, ctx, "dtmf remote "+tone+" rtp")
		}

		// JsSIP holds and unholds: Chromium's re-INVITEs, answered by pion.
		j.send(map[string]any{"cmd": "hold"})
		j.expect("hold", "local")
		in.ev.wait(t, ctx, "hold remote")
		j.direction("sendonly")
		checkJsSIPFlows(t, j, m, false, true)
		j.send(map[string]any{"cmd": "unhold"})
		j.expect("unhold", "local")
		in.ev.wait(t, ctx, "unhold remote")
		j.direction("sendrecv")
		checkJsSIPFlows(t, j, m, true, true)

		// JsSIP hangs up.
		j.send(map[string]any{"cmd": "hangup"})
		j.expect("ended", "local")
		in.ev.wait(t, ctx, "ended remote Terminated")
		select {
		case <-in.s.Done():
		case <-time.After(waitTime):
			t.Fatal("Ringo's session not done after the BYE")
		}
		rec.waitClosed(t)
		if got, want := in.ev.matching("dtmf "), []string{
			"dtmf remote 1 info", "dtmf remote # info", "dtmf remote 5 info",
			"dtmf remote 9 rtp", "dtmf remote * rtp", "dtmf remote 0 rtp",
		}; !slices.Equal(got, want) {
			t.Errorf("Ringo's DTMF events %q, want %q", got, want)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("RingoCallsJsSIP", func(t *testing.T) {
		j.t = t
		var setup []time.Duration
		for i := range 3 {
			rec := newJSRecorder()
			m, err := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(440, 0.5), AudioSink: rec})
			if err != nil {
				t.Fatal(err)
			}
			ev := newJSCallEvents()
			t0 := time.Now()
			s, err := r.ua.Call(ctx, k.URI("jssip"), &ringo.CallOptions{Media: m, Handlers: ev.handlers()})
			if err != nil {
				t.Fatalf("Call: %v", err)
			}
			offered := time.Since(t0)
			t.Cleanup(func() { s.Terminate(nil) })
			in := j.expect("newRTCSession", "remote")
			if in["from"] != k.URI("ringo") {
				t.Errorf("JsSIP's caller %v, want %s", in["from"], k.URI("ringo"))
			}
			ev.wait(t, ctx, "progress remote 180")
			ev.wait(t, ctx, "accepted remote")
			answered := time.Since(t0)
			ev.wait(t, ctx, "confirmed local")
			j.expect("accepted", "local")
			j.expect("confirmed", "remote")
			select {
			case <-rec.firstCh:
			case <-time.After(waitTime):
				t.Fatalf("Ringo received no audio from JsSIP; media stats %+v", m.Stats().Audio)
			}
			first := rec.firstAt().Sub(t0)
			setup = append(setup, first)
			t.Logf("call %d: Call() returned after %v (offer, ICE gathering), 200 OK after %v, first RTP from JsSIP after %v",
				i+1, offered.Round(time.Millisecond), answered.Round(time.Millisecond), first.Round(time.Millisecond))

			if i == 0 {
				checkJsSIPAudio(t, j, m, rec)
				// DTMF by INFO: JsSIP reports it.
				if err := s.SendDTMF(ctx, "47#", &ringo.DTMFOptions{Transport: ringo.DTMFInfo}); err != nil {
					t.Fatalf("SendDTMF: %v", err)
				}
				for _, tone := range []string{"4", "7", "#"} {
					if ev := j.expect("newDTMF", "remote"); ev["tone"] != tone {
						t.Errorf("JsSIP's DTMF %v, want %s", ev["tone"], tone)
					}
				}
				// Ringo holds and unholds: pion's re-offers, answered by
				// Chromium.
				if err := s.Hold(ctx); err != nil {
					t.Fatalf("Hold: %v", err)
				}
				ev.wait(t, ctx, "hold local")
				j.expect("hold", "remote")
				j.direction("recvonly")
				checkJsSIPFlows(t, j, m, true, false)
				if err := s.Unhold(ctx); err != nil {
					t.Fatalf("Unhold: %v", err)
				}
				ev.wait(t, ctx, "unhold local")
				j.expect("unhold", "remote")
				j.direction("sendrecv")
				checkJsSIPFlows(t, j, m, true, true)
			} else {
				j.waitFor("rtp_started")
			}

			// Ringo hangs up.
			if err := s.Terminate(nil); err != nil {
				t.Fatalf("Terminate: %v", err)
			}
			ev.wait(t, ctx, "ended local Terminated")
			if e := j.expect("ended", "remote"); e["cause"] != "Terminated" {
				t.Errorf("JsSIP's ended %v, want cause Terminated", e)
			}
			rec.waitClosed(t)
		}
		slices.Sort(setup)
		t.Logf("Ringo → JsSIP in Chromium through Kamailio on 127.0.0.1: call set-up (Call() to the first RTP packet Ringo receives) min %v, median %v, max %v",
			setup[0].Round(time.Millisecond), setup[len(setup)/2].Round(time.Millisecond), setup[len(setup)-1].Round(time.Millisecond))
	})

	phone.Close(ctx)
	b.Stop(ctx)
	t.Logf("done in %v", time.Since(begin).Round(time.Millisecond))
}

// checkJsSIPAudio checks, in an established call between the JsSIP phone and
// the Ringo media session m recording into rec, that audio flows both ways:
// Chromium receives more and more packets and decodes Ringo's tone from
// them at its level, and Ringo's recording holds Chromium's fake microphone.
//
// That microphone is Chromium's beeping source (media/audio/simple_sources.cc):
// a 400 Hz beep every 500 ms. The recording is checked for sound and for
// that frequency, which also tells it from Ringo's own 440 Hz tone.
func checkJsSIPAudio(t *testing.T, j *jssipPhone, m *webrtc.Session, rec *jsRecorder) {
	t.Helper()
	started := j.waitFor("rtp_started")
	t.Logf("JsSIP: first inbound RTP %v ms after the call started, pair %v", started["setup_ms"], started["selected_pair"])
	// Ringo's tone towards Chromium.
	st1 := j.stats()
	time.Sleep(time.Second)
	st2 := j.stats()
	t.Logf("JsSIP: %+v", st2)
	if st2.InboundPackets <= st1.InboundPackets || st2.InboundPackets < 40 {
		t.Errorf("JsSIP: inbound audio packets %d then %d a second later; want growing, 40 or more", st1.InboundPackets, st2.InboundPackets)
	}
	if st2.OutboundPackets == 0 {
		t.Error("JsSIP sent no audio packets")
	}
	if st2.SamplesReceived == 0 || st2.AudioEnergy <= st1.AudioEnergy {
		t.Errorf("JsSIP: %d samples decoded, audio energy %v then %v; want sound from Ringo's tone", st2.SamplesReceived, st1.AudioEnergy, st2.AudioEnergy)
	}
	// The tone is a sine at half of full scale; Chromium's audioLevel is
	// its peak level, 0..1.
	if st2.AudioLevel < 0.3 || st2.AudioLevel > 0.7 {
		t.Errorf("JsSIP: audio level %.3f, want about 0.5 (Ringo's tone)", st2.AudioLevel)
	}
	if st2.Direction != "sendrecv" {
		t.Errorf("JsSIP: audio direction %q, want sendrecv", st2.Direction)
	}
	// Chromium's fake microphone towards Ringo.
	samples := rec.waitSamples(t, 2*time.Second)
	rms := audio.RMS(samples)
	active := audio.Active(samples, 0.01)
	f := audio.DominantFrequency(samples, audio.Rate)
	ms := m.Stats().Audio
	t.Logf("Ringo: codec %s, sent %+v, received %+v, round trip %v; recording %v, RMS %.4f, %v above -40 dBFS, dominant %.1f Hz",
		ms.Codec, ms.Sent, ms.Received, ms.RoundTrip, jsDuration(len(samples)), rms, jsDuration(active), f)
	if rms < 0.003 || active == 0 {
		t.Errorf("Ringo's recording of JsSIP: RMS %.4f, %v of sound; want RMS at least 0.003 and some sound", rms, jsDuration(active))
	}
	if f < 375 || f > 425 {
		t.Errorf("Ringo's recording of JsSIP: dominant frequency %.1f Hz, want Chromium's 400 Hz beep", f)
	}
	if ms.Sent.Packets == 0 || ms.Received.Packets == 0 {
		t.Errorf("Ringo: audio packets sent %d, received %d; want both > 0", ms.Sent.Packets, ms.Received.Packets)
	}
}

// checkJsSIPFlows checks over 600 ms whether audio flows towards JsSIP
// (Chromium's inbound packets) and towards Ringo (its received packets),
// as jsHears and ringoHears say.
func checkJsSIPFlows(t *testing.T, j *jssipPhone, m *webrtc.Session, jsHears, ringoHears bool) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // packets in flight when the direction changed
	j0, r0 := j.stats().InboundPackets, m.Stats().Audio.Received.Packets
	time.Sleep(600 * time.Millisecond)
	j1, r1 := j.stats().InboundPackets, m.Stats().Audio.Received.Packets
	// 600 ms is 30 packets of 20 ms; half of that counts as flowing.
	if got := j1-j0 >= 15; got != jsHears || (!jsHears && j1 != j0) {
		t.Errorf("JsSIP received %d audio packets in 600 ms; want flowing = %v", j1-j0, jsHears)
	}
	if got := r1-r0 >= 15; got != ringoHears || (!ringoHears && r1 != r0) {
		t.Errorf("Ringo received %d audio packets in 600 ms; want flowing = %v", r1-r0, ringoHears)
	}
}

func jsDuration(n int) time.Duration {
	return (time.Duration(n) * time.Second / audio.Rate).Round(time.Millisecond)
}

// jsIncoming is a call that reached the Ringo UA, with its events.
type jsIncoming struct {
	s  *ringo.Session
	ev *jsCallEvents
}

// jsCallEvents keeps a Ringo session's events, as short strings, in order:
// "progress remote 180", "accepted local", "confirmed remote", "ended remote
// Terminated", "dtmf remote 5 info", "dtmf remote 9 rtp", ...
type jsCallEvents struct {
	mu     sync.Mutex
	events []string
	cursor int
	notify chan struct{}
}

func newJSCallEvents() *jsCallEvents { return &jsCallEvents{notify: make(chan struct{}, 1)} }

func (c *jsCallEvents) add(format string, args ...any) {
	c.mu.Lock()
	c.events = append(c.events, fmt.Sprintf(format, args...))
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *jsCallEvents) handlers() ringo.SessionHandlers {
	return ringo.SessionHandlers{
		Progress:  func(e ringo.ProgressEvent) { c.add("progress %s %d", e.Originator, e.Response.StatusCode) },
		Accepted:  func(e ringo.AcceptedEvent) { c.add("accepted %s", e.Originator) },
		Confirmed: func(e ringo.ConfirmedEvent) { c.add("confirmed %s", e.Originator) },
		Ended:     func(e ringo.EndEvent) { c.add("ended %s %s", e.Originator, e.Cause) },
		Failed:    func(e ringo.EndEvent) { c.add("failed %s %s", e.Originator, e.Cause) },
		Hold:      func(e ringo.HoldEvent) { c.add("hold %s", e.Originator) },
		Unhold:    func(e ringo.HoldEvent) { c.add("unhold %s", e.Originator) },
		NewDTMF: func(e ringo.DTMFEvent) {
			how := "rtp"
			if e.Request != nil {
				how = "info"
			}
			c.add("dtmf %s %c %s", e.Originator, e.Tone, how)
		},
		NewInfo: func(e ringo.InfoEvent) { c.add("info %s %s", e.Originator, e.ContentType) },
	}
}

// wait returns once the event want came after the cursor, and moves the
// cursor past it. It fails the test if the call ends first (and that is
// not what it waits for), or after waitTime, or when ctx ends.
func (c *jsCallEvents) wait(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.After(waitTime)
	for {
		c.mu.Lock()
		for ; c.cursor < len(c.events); c.cursor++ {
			got := c.events[c.cursor]
			if got == want {
				c.cursor++
				c.mu.Unlock()
				return
			}
			if strings.HasPrefix(got, "ended ") || strings.HasPrefix(got, "failed ") {
				all := slices.Clone(c.events)
				c.mu.Unlock()
				t.Fatalf("Ringo's call: %q while waiting for %q; events %q", got, want, all)
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("Ringo's call: no %q within %v; events %q", want, waitTime, c.matching(""))
		case <-ctx.Done():
			t.Fatalf("Ringo's call: no %q; events %q", want, c.matching(""))
		}
	}
}

// matching returns every event so far that starts with prefix.
func (c *jsCallEvents) matching(prefix string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.events {
		if strings.HasPrefix(e, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// jsRecorder is the recording sink of a Ringo call: it keeps the decoded
// audio in memory and notes when the first frame came. The session closes
// it when the call's media closes.
type jsRecorder struct {
	mu        sync.Mutex
	samples   []int16
	first     time.Time
	firstCh   chan struct{} // closed at the first frame
	closed    chan struct{} // closed by Close
	closeOnce sync.Once
}

func newJSRecorder() *jsRecorder {
	return &jsRecorder{firstCh: make(chan struct{}), closed: make(chan struct{})}
}

// WritePCM implements audio.Sink.
func (r *jsRecorder) WritePCM(p []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first.IsZero() {
		r.first = time.Now()
		close(r.firstCh)
	}
	r.samples = append(r.samples, p...)
	return nil
}

// Close implements io.Closer.
func (r *jsRecorder) Close() error {
	r.closeOnce.Do(func() { close(r.closed) })
	return nil
}

func (r *jsRecorder) firstAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first
}

// waitSamples waits until the recording holds d of audio and returns a
// copy of it.
func (r *jsRecorder) waitSamples(t *testing.T, d time.Duration) []int16 {
	t.Helper()
	want := int(d * audio.Rate / time.Second)
	deadline := time.After(d + waitTime)
	for {
		r.mu.Lock()
		n := len(r.samples)
		if n >= want {
			out := slices.Clone(r.samples)
			r.mu.Unlock()
			return out
		}
		r.mu.Unlock()
		select {
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("Ringo recorded %v of audio, want %v", jsDuration(n), d)
		}
	}
}

// waitClosed waits until the call's media has closed the recorder.
func (r *jsRecorder) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-r.closed:
	case <-time.After(waitTime):
		t.Fatal("the call's media did not close its recorder")
	}
}

// jssipPhone drives the browser phone from a (sub)test.
type jssipPhone struct {
	t   *testing.T
	ctx context.Context
	p   *testpeer.BrowserPhone
}

func (j *jssipPhone) send(cmd map[string]any) {
	j.t.Helper()
	if err := j.p.Send(cmd); err != nil {
		j.t.Fatal(err)
	}
}

// expect waits for the phone's event with the given originator, skipping
// others of the same name (JsSIP reports some events for both sides).
func (j *jssipPhone) expect(event, originator string) map[string]any {
	j.t.Helper()
	ctx, cancel := context.WithTimeout(j.ctx, waitTime)
	defer cancel()
	for {
		ev, err := j.p.WaitFor(ctx, event)
		if err != nil {
			j.t.Fatal(err)
		}
		if ev["originator"] == originator {
			return ev
		}
	}
}

// waitFor waits for the phone's next event of that name.
func (j *jssipPhone) waitFor(event string) map[string]any {
	j.t.Helper()
	ctx, cancel := context.WithTimeout(j.ctx, waitTime)
	defer cancel()
	ev, err := j.p.WaitFor(ctx, event)
	if err != nil {
		j.t.Fatal(err)
	}
	return ev
}

// direction polls the phone's audio direction until it is want: the
// transceiver changes when the re-INVITE's answer is applied, which may
// come after JsSIP's hold and unhold events.
func (j *jssipPhone) direction(want string) {
	j.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = j.stats().Direction; got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	j.t.Errorf("JsSIP: audio direction %q, want %q", got, want)
}

func (j *jssipPhone) stats() testpeer.BrowserStats {
	j.t.Helper()
	st, err := j.p.Stats(j.ctx)
	if err != nil {
		j.t.Fatal(err)
	}
	return st
}
