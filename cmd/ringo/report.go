package main

import (
	"bytes"
	"fmt"
	"io"
)

// reporter writes what a UA command has to say. Events go to standard
// output: with --json as one JSON object per line ({"event":"registered",
// "expires":600}), otherwise as readable lines. Progress and errors go to
// standard error as "ringo CMD: ..." lines in both modes. Both streams are
// safe for concurrent use, so event handlers may report from their own
// goroutines.
type reporter struct {
	name   string // "ringo register"
	json   bool
	stdout io.Writer
	stderr io.Writer
}

func newReporter(e *env, cmd *command, asJSON bool) *reporter {
	return &reporter{name: "ringo " + cmd.name, json: asJSON, stdout: e.stdout, stderr: e.stderr}
}

// progress writes a progress line to standard error.
func (r *reporter) progress(format string, args ...any) {
	fmt.Fprintf(r.stderr, "%s: %s\n", r.name, fmt.Sprintf(format, args...))
}

// errorf reports a failure on standard error; it is progress by another
// name, kept apart so that the call sites say what they mean.
func (r *reporter) errorf(format string, args ...any) {
	r.progress(format, args...)
}

// event reports one event: the JSON object {"event": name, k1: v1, ...}
// with the members in the order given (members whose value is nil are left
// out), or the readable line human.
func (r *reporter) event(human, name string, kv ...any) {
	if !r.json {
		io.WriteString(r.stdout, human+"\n")
		return
	}
	io.WriteString(r.stdout, string(eventJSON(name, kv...)))
}

// eventJSON encodes an event as one line of JSON with its members in
// order. kv alternates member names (strings) and values; a nil value
// leaves its member out.
func eventJSON(name string, kv ...any) []byte {
	var b bytes.Buffer
	b.WriteString(`{"event":`)
	writeJSON(&b, name)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			continue
		}
		mark := b.Len()
		b.WriteByte(',')
		writeJSON(&b, kv[i].(string))
		b.WriteByte(':')
		if err := writeJSON(&b, kv[i+1]); err != nil {
			// Only strings, numbers and string slices are reported, which
			// always encode; leave the member out rather than fail.
			b.Truncate(mark)
		}
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// opt returns v, or nil (a member left out) for the zero value.
func opt[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}
