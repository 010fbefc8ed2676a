package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media/audio"
)

var callCommand = &command{
	name:    "call",
	args:    "--server URL --uri URI [--play FILE|tone:HZ] [--record FILE.wav] [--duration D] [--dtmf TONES] [flags] TARGET",
	summary: "place a call with audio and report how it goes",
	help: `Call connects to the server (and registers with --register), calls TARGET
with audio, and shows
the call's progress as it happens on standard error: INVITE sent, ringing,
answered with the setup time, the first RTP packet received, then every
second the talk time and the RTP packets sent and received. It hangs up
after --duration (counted from the answer), when the callee hangs up, or
on Ctrl-C. TARGET is a SIP URI or a user name, which gets the domain of
--uri.

The call's media is WebRTC (ICE, DTLS-SRTP, G.711; package media/webrtc),
whatever the SIP transport, or with --media rtp plain RTP (RTP/AVP, G.711,
RFC 4733 DTMF, symmetric RTP; package media/rtp), as desk phones, baresip
and Asterisk's SIP endpoints expect. Plain RTP binds --media-ip, by default
the first non-loopback IPv4 address.

--play sends a WAV file (16-bit PCM, mono or stereo, at 8 to 48 kHz),
tone:HZ (a sine tone) or silence; after a file's end, silence. --record
writes the audio received to a WAV file (8 kHz, 16-bit, mono). --dtmf
sends tones (0-9, A-D, *, #; "," waits 2 s) once the media is up, as RFC
4733 telephone-events, or as SIP INFO with --dtmf-info. Media host
candidates include loopback addresses, so that two user agents on one
machine can call each other; --media-ip keeps one address only.

--timeout bounds connecting, registering and the wait for an answer:
after it, the call is cancelled. With --json the events are also printed
on standard output as JSON objects, one a line: call_progress,
call_accepted, call_confirmed, call_media, dtmf, stats, call_ended
({"cause":"Terminated","originator":"remote",...}) and call_failed
({"cause":"Not Found","status":404,...}), and the UA's connecting,
connected, registered, unregistered.

The exit status is 0 when the call was answered and ended normally (a
BYE from either side, Ctrl-C included), 1 when it failed, was not
answered, ended otherwise, or DTMF could not be sent, and 2 for a wrong
command line.
`,
	run: runCall,
}

// statsInterval is how often the call command reports packet counters.
const statsInterval = time.Second

// dtmfSettle is how long the call command waits, once the media is up,
// before sending RFC 4733 tones, so that the callee's receiver is reading
// the stream.
const dtmfSettle = 200 * time.Millisecond

// runCall is the call command.
func runCall(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	f := addUAFlags(fs)
	mf := addMediaFlags(fs, "write the audio received to this WAV `FILE`")
	register := fs.Bool("register", false, "register before calling, unregister after")
	duration := fs.Duration("duration", 0, "hang up this long after the answer (0: when the callee hangs up, or on Ctrl-C)")
	dtmf := fs.String("dtmf", "", "send these DTMF `tones` once the call is up: 0-9, A-D, *, #, and , for a 2 s pause")
	dtmfInfo := fs.Bool("dtmf-info", false, "send --dtmf as SIP INFO (application/dtmf-relay) instead of RFC 4733 RTP events")
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 1 {
		return usageError(e, cmd, "want one TARGET, got %d arguments", len(pos))
	}
	if err := f.check(e); err != nil {
		return usageError(e, cmd, "%v", err)
	}
	if err := mf.check(); err != nil {
		return usageError(e, cmd, "%v", err)
	}
	if *duration < 0 {
		return usageError(e, cmd, "--duration %v is negative", *duration)
	}
	if err := checkDTMF(*dtmf); err != nil {
		return usageError(e, cmd, "--dtmf %s: %v", *dtmf, err)
	}
	if *dtmfInfo && *dtmf == "" {
		return usageError(e, cmd, "--dtmf-info needs --dtmf")
	}
	rep := newReporter(e, cmd, f.json)
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{})
	if !ok {
		return status
	}
	uri, err := s.ua.NormalizeTarget(pos[0])
	if err != nil {
		return usageError(e, cmd, "bad TARGET: %v", err)
	}
	target := uri.String()
	engines, err := mf.engines(newLogger(e.stderr, f.verbose))
	if err != nil {
		rep.errorf("media: %v", err)
		return exitFailure
	}
	src, err := mf.source.open()
	if err != nil {
		rep.errorf("--play: %v", err)
		return exitFailure
	}
	var sink audio.Sink
	var rec *recorder
	if mf.record != "" {
		if rec, err = createRecorder(mf.record); err != nil {
			closeSource(src)
			rep.errorf("--record: %v", err)
			return exitFailure
		}
		sink = rec
	}
	c := &caller{e: e, rep: rep, s: s, target: target, timeout: f.timeout, register: *register,
		duration: *duration, dtmf: *dtmf, dtmfInfo: *dtmfInfo, play: mf.source, rec: rec,
		plain: mf.offersPlainRTP()}
	return c.run(engines, src, sink)
}

// caller is one run of the call command.
type caller struct {
	e        *env
	rep      *reporter
	s        *uaSession
	target   string
	timeout  time.Duration
	register bool
	duration time.Duration
	dtmf     string
	dtmfInfo bool
	play     playSpec
	rec      *recorder
	plain    bool // the call offers plain RTP, not WebRTC
}

// run places the call and follows it to its end; it returns the exit
// status.
func (c *caller) run(engines *engines, src audio.Source, sink audio.Sink) int {
	rep, s := c.rep, c.s
	// setup bounds the start, the registration and the wait for an answer.
	setup, cancel := withTimeout(c.e.ctx, c.timeout)
	defer cancel()
	m, err := engines.newSession(setup, c.plain, src, sink)
	if err != nil {
		rep.errorf("media: %v", err) // NewSessionWith closed the source and sink
		return exitFailure
	}
	// The media session owns the source and the recorder from here; it is
	// closed (the recording finished) before the command reports its end.
	defer m.Close()
	if !s.start(setup) {
		return exitFailure
	}
	defer s.stop(c.e.ctx)
	if c.register && !s.register(setup) {
		return exitFailure
	}

	cr := newCallReporter(rep, true, 0)
	kind := "WebRTC"
	if c.plain {
		kind = "plain RTP"
	}
	rep.progress("calling %s with %s, playing %s", c.target, kind, c.play)
	began := time.Now()
	cr.setInvited(began)
	sess, err := s.ua.Call(setup, c.target, &ringo.CallOptions{
		Media:    m,
		Handlers: cr.handlers(),
		Hooks: ringo.SessionHooks{SDP: func(ev ringo.SDPEvent) string {
			if ev.Originator == ringo.Local && ev.Type == "offer" {
				// The offer is ready: the INVITE goes out now.
				cr.setInvited(time.Now())
			}
			return ev.SDP
		}},
	})
	if err != nil {
		rep.errorf("call failed: %v", err)
		return exitFailure
	}
	rep.progress("trying: INVITE sent (SDP offer ready in %s)", ms(time.Since(began)-cr.sinceInvite()))

	var end callEnd
	over := true // end holds how the call ended
	select {
	case <-cr.answered:
		over = false
	case end = <-cr.ended:
	case <-setup.Done():
		if c.e.ctx.Err() != nil {
			rep.progress("interrupted: cancelling the call")
		} else {
			rep.errorf("no answer within --timeout %v: cancelling the call", c.timeout)
		}
		sess.Terminate(nil)
		end = <-cr.ended
	}
	// A call may be answered and end at once (an answer whose SDP does not
	// fit): answered says whether it was, whichever the select saw first.
	answered := isClosed(cr.answered)
	dtmfOK := true
	if !over {
		end, dtmfOK = c.talk(sess, m, cr)
	}
	// Close the media now, so that the recording is complete, and report
	// the last counters.
	st := m.Stats().Audio
	m.Close()
	ok := answered && !end.failed && end.Cause == ringo.CauseBye && dtmfOK
	if answered {
		cr.stats(st)
	}
	if c.rec != nil && !reportRecording(cr, c.rec) {
		ok = false
	}
	if !ok {
		if !answered {
			rep.errorf("call not answered: %s", describeEnd(end))
		} else if end.failed || end.Cause != ringo.CauseBye {
			rep.errorf("call ended abnormally: %s", describeEnd(end))
		} else {
			rep.errorf("the DTMF tones were not all sent")
		}
		return exitFailure
	}
	if s.registered && !s.unregister(c.e.ctx) {
		return exitFailure
	}
	return exitOK
}

// talk follows an answered call: it sends the DTMF, reports the media
// every second, and hangs up after --duration or on Ctrl-C, unless the
// callee hangs up first. It returns how the call ended and whether the
// DTMF, if any, was sent.
func (c *caller) talk(sess *ringo.Session, m callMedia, cr *callReporter) (end callEnd, dtmfOK bool) {
	rep := c.rep
	done := make(chan struct{})
	monitorDone := make(chan struct{})
	go func() {
		defer close(monitorDone)
		cr.monitor(m, statsInterval, done)
	}()
	dtmfErr := make(chan error, 1)
	dtmfCtx, stopDTMF := context.WithCancel(c.e.ctx)
	defer stopDTMF()
	if c.dtmf != "" {
		go func() { dtmfErr <- c.sendDTMF(dtmfCtx, sess, m) }()
	} else {
		dtmfErr <- nil
	}
	var timeUp <-chan time.Time
	if c.duration > 0 {
		t := time.NewTimer(c.duration)
		defer t.Stop()
		timeUp = t.C
	}
	dtmfOK = true
	hangUp := func(why string) {
		rep.progress("%s: hanging up", why)
		if err := sess.Terminate(nil); err != nil {
			rep.errorf("hanging up: %v", err)
		}
	}
wait:
	for {
		select {
		case end = <-cr.ended:
			break wait
		case err := <-dtmfErr:
			if err != nil {
				rep.errorf("sending DTMF: %v", err)
				dtmfOK = false
			}
		case <-timeUp:
			hangUp(fmt.Sprintf("%v passed", c.duration))
			timeUp = nil
		case <-c.e.ctx.Done():
			hangUp("interrupted")
			end = <-cr.ended
			break wait
		}
	}
	stopDTMF()
	close(done)
	<-monitorDone
	return end, dtmfOK
}

// sendDTMF sends --dtmf once the media is up.
func (c *caller) sendDTMF(ctx context.Context, sess *ringo.Session, m callMedia) error {
	opts := &ringo.DTMFOptions{Transport: ringo.DTMFRFC4733}
	if c.dtmfInfo {
		opts.Transport = ringo.DTMFInfo
	} else {
		select {
		case <-m.Connected():
		case <-sess.Done():
			return errors.New("the call ended before the media was up")
		case <-ctx.Done():
			return nil
		}
		select {
		case <-time.After(dtmfSettle):
		case <-ctx.Done():
			return nil
		}
	}
	err := sess.SendDTMF(ctx, c.dtmf, opts)
	if ctx.Err() != nil {
		return nil // interrupted: not a failure of its own
	}
	return err
}

// describeEnd says how a call ended, for an error line.
func describeEnd(end callEnd) string {
	s := string(end.Cause)
	if code, reason := failureStatus(end.EndEvent); code != 0 {
		s += fmt.Sprintf(" (%d %s)", code, reason)
	}
	if end.Originator != "" {
		s += " by " + string(end.Originator)
	}
	return s
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// closeSource closes a source that is an io.Closer (a WAV file).
func closeSource(src audio.Source) {
	if c, ok := src.(io.Closer); ok {
		c.Close()
	}
}

// checkDTMF checks a --dtmf value.
func checkDTMF(tones string) error {
	for _, t := range tones {
		if !strings.ContainsRune("0123456789ABCDabcd*#,", t) {
			return fmt.Errorf("bad tone %q: want 0-9, A-D, *, # or ,", t)
		}
	}
	return nil
}
