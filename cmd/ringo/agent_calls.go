package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

// answerer answers the agent's incoming calls (agent --answer): each call
// gets its own source of --play and, with --record, its own WAV file.
type answerer struct {
	ctx    context.Context
	rep    *reporter
	engine *engines
	plain  bool // offer plain RTP when the INVITE carries no offer
	play   playSpec
	record string // a file, a directory, or ""
	recDir bool
	delay  time.Duration

	mu      sync.Mutex
	n       int                    // calls so far
	calls   map[int]*ringo.Session // calls not yet ended
	closing bool                   // no more calls are taken
	wg      sync.WaitGroup         // one per call being handled
}

// newAnswerer returns the answerer of the agent's calls.
func newAnswerer(ctx context.Context, rep *reporter, engine *engines, mf *mediaFlags, plain bool, delay time.Duration) (*answerer, error) {
	a := &answerer{ctx: ctx, rep: rep, engine: engine, plain: plain, play: mf.source, record: mf.record, delay: delay,
		calls: make(map[int]*ringo.Session)}
	if a.record != "" && isDir(a.record) {
		a.recDir = true
		if err := os.MkdirAll(a.record, 0o755); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// onNewSession takes an incoming call: it reports it and hands it to a
// goroutine that answers it and follows it to its end.
func (a *answerer) onNewSession(ev ringo.NewSessionEvent) {
	if ev.Originator != ringo.Remote {
		return
	}
	sess := ev.Session
	a.mu.Lock()
	if a.closing {
		a.mu.Unlock()
		sess.Terminate(&ringo.TerminateOptions{StatusCode: 480})
		return
	}
	a.n++
	id := a.n
	a.calls[id] = sess
	a.wg.Add(1)
	a.mu.Unlock()

	cr := newCallReporter(a.rep, false, id)
	cr.setInvited(time.Now())
	// Set here, in the new-session handler, so that no event is missed.
	sess.SetHandlers(cr.handlers())
	from := sess.Remote()
	to := ""
	if ev.Request != nil {
		if t, err := ev.Request.Header().To(); err == nil {
			to = t.URI.String()
		}
	}
	who := from.URI.String()
	if from.DisplayName != "" {
		who = fmt.Sprintf("%q <%s>", from.DisplayName, who)
	}
	cr.event("incoming call from "+who, "call_incoming",
		"from", from.URI.String(), "display_name", opt(from.DisplayName), "to", opt(to))
	// The offer's profile picks the engine: plain RTP for RTP/AVP.
	plain := a.plain
	if ev.Request != nil && len(ev.Request.Body()) > 0 {
		plain = media.IsPlainRTP(string(ev.Request.Body()))
	}
	go func() {
		defer a.wg.Done()
		a.handle(id, sess, cr, plain)
		a.mu.Lock()
		delete(a.calls, id)
		a.mu.Unlock()
	}()
}

// handle answers one call, after --answer-delay, and waits for its end;
// then it reports the recording.
func (a *answerer) handle(id int, sess *ringo.Session, cr *callReporter, plain bool) {
	if a.delay > 0 {
		t := time.NewTimer(a.delay)
		select {
		case <-t.C:
		case end := <-cr.ended: // the caller gave up
			t.Stop()
			cr.ended <- end
		}
	}
	if sess.IsEnded() {
		<-cr.ended
		return
	}
	rec, m, err := a.media(id, sess, plain)
	if err != nil {
		cr.event(fmt.Sprintf("cannot answer: %v", err), "call_error", "error", err.Error())
		sess.Terminate(&ringo.TerminateOptions{StatusCode: 500})
		<-cr.ended
		return
	}
	// The session owns the source and the recorder; closing it after the
	// call (again, if the UA did) finishes the recording.
	defer m.Close()
	// Not cancelled by Ctrl-C: stop hangs the call up once it is answered.
	if err := sess.Answer(context.WithoutCancel(a.ctx), &ringo.AnswerOptions{Media: m}); err != nil {
		cr.event(fmt.Sprintf("answer failed: %v", err), "call_error", "error", err.Error())
	}
	done := make(chan struct{})
	monitored := make(chan struct{})
	go func() {
		defer close(monitored)
		cr.monitor(m, 0, done) // the first packet, and the codec
	}()
	<-cr.ended
	close(done)
	<-monitored
	st := m.Stats().Audio
	m.Close()
	cr.stats(st)
	if rec != nil {
		reportRecording(cr, rec)
	}
}

// media makes the media session of a call, with its source and recorder.
func (a *answerer) media(id int, sess *ringo.Session, plain bool) (*recorder, callMedia, error) {
	src, err := a.play.open()
	if err != nil {
		return nil, nil, fmt.Errorf("--play: %w", err)
	}
	var sink audio.Sink
	var rec *recorder
	if a.record != "" {
		if rec, err = createRecorder(a.recordPath(id, sess)); err != nil {
			closeSource(src)
			return nil, nil, fmt.Errorf("--record: %w", err)
		}
		sink = rec
	}
	m, err := a.engine.newSession(a.ctx, plain, src, sink)
	if err != nil {
		return nil, nil, fmt.Errorf("media: %w", err)
	}
	return rec, m, nil
}

// recordPath returns the file that records call id: --record itself for
// the first call and NAME-2.wav, NAME-3.wav... for the next; in a
// directory, call-TIME-USER-ID.wav.
func (a *answerer) recordPath(id int, sess *ringo.Session) string {
	if a.recDir {
		user := sess.Remote().URI.User
		if user == "" {
			user = "anonymous"
		}
		user = strings.Map(func(r rune) rune {
			if r == '/' || r == filepath.Separator || r < ' ' {
				return '_'
			}
			return r
		}, user)
		return filepath.Join(a.record, fmt.Sprintf("call-%s-%s-%d.wav", time.Now().Format("20060102-150405"), user, id))
	}
	if id == 1 {
		return a.record
	}
	ext := filepath.Ext(a.record)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(a.record, ext), id, ext)
}

// reportRecording closes a call's recording and reports what it holds:
// its length, how much of it is sound, its level and main frequency. It
// returns false when the recording failed.
func reportRecording(cr *callReporter, rec *recorder) bool {
	if err := rec.Close(); err != nil {
		cr.event(fmt.Sprintf("recording to %s failed: %v", rec.path, err), "call_error", "error", err.Error())
		return false
	}
	samples, _, err := audio.ReadWAVFile(rec.path)
	if err != nil {
		cr.event(fmt.Sprintf("reading back %s: %v", rec.path, err), "call_error", "error", err.Error())
		return false
	}
	an := analyse(samples)
	cr.event(fmt.Sprintf("recorded %s to %s: %s", seconds(an.length), rec.path, an),
		"recording", "file", rec.path, "duration_s", secondsNumber(an.length),
		"sound_s", secondsNumber(an.sound), "rms", round3(an.rms), "frequency_hz", round1(an.hz))
	return true
}

// stop hangs up the calls in progress and waits, at most stopTimeout,
// until each has ended and been reported; calls arriving from now on are
// refused.
func (a *answerer) stop() {
	a.mu.Lock()
	a.closing = true
	calls := make([]*ringo.Session, 0, len(a.calls))
	for _, s := range a.calls {
		calls = append(calls, s)
	}
	a.mu.Unlock()
	for _, s := range calls {
		s.Terminate(nil)
	}
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopTimeout):
		a.rep.errorf("calls still not ended after %v", stopTimeout)
	}
}

// soundThreshold is the level (a fraction of full scale) above which a
// 20 ms frame counts as sound rather than silence: about -40 dBFS.
const soundThreshold = 0.01

// analysis is what a recording holds.
type analysis struct {
	length time.Duration // all of it
	sound  time.Duration // the frames above soundThreshold
	rms    float64       // level of the sound, 0-1 of full scale
	hz     float64       // dominant frequency of the sound, 0 if none
}

// analyse measures a recording at audio.Rate. Level and frequency are
// those of the frames that hold sound, so that silence before the media
// was up does not dilute them.
func analyse(samples []int16) analysis {
	an := analysis{length: samplesDuration(len(samples))}
	var sound []int16
	for i := 0; i+audio.FrameSamples <= len(samples); i += audio.FrameSamples {
		if f := samples[i : i+audio.FrameSamples]; audio.RMS(f) > soundThreshold {
			sound = append(sound, f...)
		}
	}
	an.sound = samplesDuration(len(sound))
	an.rms = audio.RMS(sound)
	an.hz = audio.DominantFrequency(sound, audio.Rate)
	return an
}

func (an analysis) String() string {
	if an.sound == 0 {
		return "silence"
	}
	return fmt.Sprintf("%s of sound, dominant frequency %.1f Hz, level %.3f", seconds(an.sound), an.hz, an.rms)
}

// samplesDuration is how long n samples at audio.Rate last.
func samplesDuration(n int) time.Duration {
	return time.Duration(n) * time.Second / audio.Rate
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
