package main

import (
	"time"
)

var agentCommand = &command{
	name:    "agent",
	args:    "--server URL --uri URI [--answer [--play FILE|tone:HZ] [--record FILE.wav|DIR] [--answer-delay D]] [--notify NAME=FILE]... [flags]",
	summary: "register and stay online, printing what arrives; answer calls",
	help: `Agent connects to the server, registers --uri and stays online until it is
interrupted (Ctrl-C, SIGTERM) or --duration has passed: it prints every
incoming MESSAGE (with --json as {"event":"message","from":...,
"content_type":...,"body":...}) and answers it 200, or with the status
given by --reject; it answers OPTIONS with what it supports. It keeps the
registration fresh, and after a lost connection reconnects and registers
again. When it ends it hangs up its calls and unregisters.

Without --answer, incoming calls are refused (480). With --answer, each
call is answered (after --answer-delay, ringing meanwhile) with audio:
plain RTP (package media/rtp) when the offer's m= line is RTP/AVP, as
from a desk phone, baresip or Asterisk, and WebRTC otherwise (an INVITE
without an offer gets one as --media says); it hears --play (a WAV file, tone:HZ or silence) and what it
receives is recorded with --record, to a WAV file (the second call to
NAME-2.wav, and so on) or, when --record is a directory (one that exists
or ends in "/"), to call-TIME-USER-N.wav in it. The agent prints each
call's events: call_incoming, call_progress, call_accepted,
call_confirmed, dtmf (each tone received, by RFC 4733 or SIP INFO),
call_ended or call_failed, stats (the packets sent and received) and
recording (the file, its length, how much of it is sound, its level and
dominant frequency); with --json each carries "call", the number of the
call.

With --notify NAME=FILE (repeatable), the agent is the notifier of the
event package NAME (RFC 6665): it accepts each SUBSCRIBE to NAME whose
Accept allows the file's type (that of a known package, such as
application/pidf+xml for presence, else by the file's extension, else
text/plain), sends the content of FILE in the first NOTIFY and again to
every subscriber whenever FILE changes, and ends the subscriptions with a
final NOTIFY when it stops. SUBSCRIBEs to other packages get 489, those
that accept none of the file's type 406 (subscription_refused). The
events of a subscription carry "subscription", its number: subscription,
subscription_refreshed, notified, subscription_terminated.

--timeout bounds the start: connecting and the first registration.

The exit status is 0 when the agent ran until it was interrupted or
--duration passed and unregistered, 1 when it could not connect or
register at the start, and 2 for a wrong command line.
`,
	run: runAgent,
}

// runAgent is the agent command.
func runAgent(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	f := addUAFlags(fs)
	reject := fs.Int("reject", 0, "answer incoming MESSAGEs with this status (300-699) instead of 200")
	duration := fs.Duration("duration", 0, "stay online this long, then unregister and exit 0 (0: until interrupted)")
	answer := fs.Bool("answer", false, "answer incoming calls (without it they are refused with 480)")
	answerDelay := fs.Duration("answer-delay", 0, "with --answer, let a call ring this long before answering it")
	mf := addMediaFlags(fs, "with --answer, record each call to this WAV `FILE`, or to a new file in this directory")
	notify := addNotifyFlag(fs)
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 0 {
		return usageError(e, cmd, "want no arguments, got %d", len(pos))
	}
	if err := f.check(e); err != nil {
		return usageError(e, cmd, "%v", err)
	}
	if *reject != 0 && (*reject < 300 || *reject > 699) {
		return usageError(e, cmd, "--reject %d: want a status from 300 to 699", *reject)
	}
	if *duration < 0 {
		return usageError(e, cmd, "--duration %v is negative", *duration)
	}
	if err := mf.check(); err != nil {
		return usageError(e, cmd, "%v", err)
	}
	if !*answer {
		for _, fl := range []struct {
			name string
			set  bool
		}{{"--play", mf.play != ""}, {"--record", mf.record != ""}, {"--answer-delay", *answerDelay != 0}} {
			if fl.set {
				return usageError(e, cmd, "%s needs --answer", fl.name)
			}
		}
	}
	if *answerDelay < 0 {
		return usageError(e, cmd, "--answer-delay %v is negative", *answerDelay)
	}
	rep := newReporter(e, cmd, f.json)
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{retry: true, reject: *reject})
	if !ok {
		return status
	}
	var calls *answerer
	if *answer {
		engines, err := mf.engines(newLogger(e.stderr, f.verbose))
		if err == nil {
			calls, err = newAnswerer(e.ctx, rep, engines, mf, mf.offersPlainRTP(), *answerDelay)
		}
		if err != nil {
			rep.errorf("%v", err)
			return exitFailure
		}
		s.ua.OnNewSession(calls.onNewSession)
	}
	notes := newNotifyServer(rep, s.ua, *notify)
	defer notes.stop()
	startCtx, cancel := withTimeout(e.ctx, f.timeout)
	defer cancel()
	if !s.start(startCtx) {
		return exitFailure
	}
	defer s.stop(e.ctx)
	if calls != nil {
		// Should the start fail after a call arrived, hang it up first.
		defer calls.stop()
	}
	if !s.register(startCtx) {
		return exitFailure
	}
	rep.progress("online as %s; press Ctrl-C to stop", s.aor)
	var timeUp <-chan time.Time
	if *duration > 0 {
		t := time.NewTimer(*duration)
		defer t.Stop()
		timeUp = t.C
	}
	select {
	case <-e.ctx.Done():
		rep.progress("interrupted")
	case <-timeUp:
	}
	if calls != nil {
		calls.stop()
	}
	notes.stop()
	if !s.unregister(e.ctx) {
		return exitFailure
	}
	return exitOK
}
