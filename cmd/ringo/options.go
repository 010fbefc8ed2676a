package main

import (
	"context"

	"github.com/ringo-sip/ringo/sip"
)

var optionsCommand = &command{
	name:    "options",
	args:    "--server URL --uri URI [flags] TARGET",
	summary: "ask a user agent what it supports (SIP OPTIONS)",
	help: `Options connects to the server and sends an OPTIONS request to TARGET, a
SIP URI or a user name that gets the domain of --uri, then prints the
response's status and, for a 2xx, its Allow, Supported and Accept headers
(with --json as a "response" event with "allow", "supported" and "accept"
members). As with message, --register registers the sender first.

The exit status is 0 when the response is 2xx, 1 for a failure response,
no response within --timeout or a failed registration, and 2 for a wrong
command line.
`,
	run: runOptions,
}

// runOptions is the options command.
func runOptions(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	f := addUAFlags(fs)
	register := fs.Bool("register", false, "register before sending, unregister after")
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
	rep := newReporter(e, cmd, f.json)
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{})
	if !ok {
		return status
	}
	uri, err := s.ua.NormalizeTarget(pos[0])
	if err != nil {
		return usageError(e, cmd, "bad TARGET: %v", err)
	}
	return sendOne(e, s, f, *register, "OPTIONS", uri.String(), func(ctx context.Context) (*sip.Response, error) {
		return s.ua.SendOptions(ctx, uri.String(), nil)
	})
}
