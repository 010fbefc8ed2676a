package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ringo-sip/ringo/sip"
)

var inspectCommand = &command{
	name:    "inspect",
	args:    "[-json] FILE|-",
	summary: "parse a SIP message and print it as a tree",
	help: `Inspect reads one SIP message from FILE, or from standard input when FILE
is "-", parses it and prints it as a tree: the start line with its parts,
each header field in order with its name as written and, for headers Ringo
has a typed parser for, the typed fields below it, and a summary of the
body.

A header whose typed value does not parse is shown with the error on the
line below it, marked "!", and the rest of the tree is still printed. A
message that does not parse at all is reported with the header and byte
offset at fault, followed by what could be read of it.

The exit status is 0 for a message that parses cleanly, 1 when the message
or any header in it is bad or the input cannot be read, and 2 for a wrong
command line.
`,
	run: runInspect,
}

// runInspect is the inspect command.
func runInspect(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	asJSON := fs.Bool("json", false, "print one JSON document instead of the tree")
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 1 {
		return usageError(e, cmd, "want one FILE (or - for standard input), got %d arguments", len(pos))
	}
	data, err := readInput(e, pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "ringo inspect: %v\n", err)
		return exitFailure
	}

	rep := inspectMessage(data)
	var out bytes.Buffer
	if *asJSON {
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(e.stderr, "ringo inspect: %v\n", err)
			return exitFailure
		}
	} else {
		writeText(&out, rep)
	}
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "ringo inspect: %v\n", err)
		return exitFailure
	}
	if !rep.OK {
		return exitFailure
	}
	return exitOK
}

// readInput reads the named file, or standard input for "-". It reads at
// most one byte more than the parser accepts, so that an oversized input
// is reported by the parser (with its limit) rather than read whole.
func readInput(e *env, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, sip.DefaultMaxMessageSize+1))
	if err != nil {
		if name == "-" {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return nil, err
	}
	return data, nil
}
