package main

import (
	"time"
)

var agentCommand = &command{
	name:    "agent",
	args:    "--server URL --uri URI [flags]",
	summary: "register and stay online, printing what arrives",
	help: `Agent connects to the server, registers --uri and stays online until it is
interrupted (Ctrl-C, SIGTERM) or --duration has passed: it prints every
incoming MESSAGE (with --json as {"event":"message","from":...,
"content_type":...,"body":...}) and answers it 200, or with the status
given by --reject; it answers OPTIONS with what it supports. It keeps the
registration fresh, and after a lost connection reconnects and registers
again. When it ends it unregisters.

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
	rep := newReporter(e, cmd, f.json)
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{retry: true, reject: *reject})
	if !ok {
		return status
	}
	startCtx, cancel := withTimeout(e.ctx, f.timeout)
	defer cancel()
	if !s.start(startCtx) {
		return exitFailure
	}
	defer s.stop(e.ctx)
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
	if !s.unregister(e.ctx) {
		return exitFailure
	}
	return exitOK
}
