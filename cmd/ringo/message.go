package main

import (
	"context"
	"io"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/sip"
)

// maxMessageBody bounds a MESSAGE body read from standard input; RFC 3428
// §10 keeps MESSAGE bodies small, and 1300 bytes is its UDP guideline.
const maxMessageBody = 64 << 10

var messageCommand = &command{
	name:    "message",
	args:    "--server URL --uri URI [flags] TARGET TEXT|-",
	summary: "send an instant message (SIP MESSAGE)",
	help: `Message connects to the server and sends TEXT to TARGET in a SIP MESSAGE
(RFC 3428), or the contents of standard input when TEXT is "-". TARGET is a
SIP URI or a user name, which gets the domain of --uri: "bob" is
sip:bob@DOMAIN. The sender is --uri; a digest challenge is answered with
--user and --password.

The sender is not registered unless --register is given: a server lets an
unregistered user send (after authentication), but then cannot route
replies to it.

The response's status is printed (with --json as a "response" event, or a
"request_failed" event when none came).

The exit status is 0 when the response is 2xx, 1 for a failure response,
no response within --timeout or a failed registration, and 2 for a wrong
command line.
`,
	run: runMessage,
}

// runMessage is the message command.
func runMessage(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	f := addUAFlags(fs)
	contentType := fs.String("content-type", "text/plain", "content type of TEXT")
	register := fs.Bool("register", false, "register before sending, unregister after")
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 2 {
		return usageError(e, cmd, "want TARGET and TEXT, got %d arguments", len(pos))
	}
	if err := f.check(e); err != nil {
		return usageError(e, cmd, "%v", err)
	}
	if *contentType == "" {
		return usageError(e, cmd, "--content-type is empty")
	}
	target, text := pos[0], pos[1]
	rep := newReporter(e, cmd, f.json)
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxMessageBody+1))
		if err != nil {
			rep.errorf("reading standard input: %v", err)
			return exitFailure
		}
		if len(b) > maxMessageBody {
			rep.errorf("standard input is over %d bytes", maxMessageBody)
			return exitFailure
		}
		text = string(b)
	}
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{})
	if !ok {
		return status
	}
	uri, err := s.ua.NormalizeTarget(target)
	if err != nil {
		return usageError(e, cmd, "bad TARGET: %v", err)
	}
	opts := &ringo.MessageOptions{ContentType: *contentType}
	return sendOne(e, s, f, *register, "MESSAGE", uri.String(), func(ctx context.Context) (*sip.Response, error) {
		return s.ua.SendMessage(ctx, uri.String(), text, opts)
	})
}
