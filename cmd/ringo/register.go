package main

var registerCommand = &command{
	name:    "register",
	args:    "--server URL --uri URI [flags]",
	summary: "register with a SIP server, report, unregister",
	help: `Register connects to the server, registers the address of record given by
--uri (answering a digest challenge with --user and --password), reports
the registration and the interval the registrar granted, unregisters and
exits. It checks that a server accepts a user's registration.

Events are printed on standard output (with --json one JSON object per
line: connecting, connected, registered, registration_failed,
unregistered, disconnected); progress and errors on standard error.

The exit status is 0 when the registration and the unregistration
succeeded, 1 when either failed, the server could not be reached within
--timeout, or the command was interrupted, and 2 for a wrong command line.
`,
	run: runRegister,
}

// runRegister is the register command.
func runRegister(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	f := addUAFlags(fs)
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
	rep := newReporter(e, cmd, f.json)
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{})
	if !ok {
		return status
	}
	ctx, cancel := withTimeout(e.ctx, f.timeout)
	defer cancel()
	if !s.start(ctx) {
		return exitFailure
	}
	defer s.stop(ctx)
	if !s.register(ctx) {
		return exitFailure
	}
	if !s.unregister(ctx) {
		return exitFailure
	}
	return exitOK
}
