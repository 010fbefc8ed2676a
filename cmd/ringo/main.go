package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context: a command that is registered
	// unregisters, then exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses shared by every command.
const (
	exitOK      = 0 // the command did what was asked and found nothing wrong
	exitFailure = 1 // the command failed, or found bad input (a message that does not parse)
	exitUsage   = 2 // the command line was wrong
)

// env is what a command runs with: a context that ends on Ctrl-C, its
// standard streams and its environment variables. Commands never touch
// os.Stdin, os.Stdout, os.Stderr or os.Getenv directly, so tests can run
// them in-process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer // safe for concurrent writes
	stderr io.Writer // safe for concurrent writes
	getenv func(string) string
}

// syncWriter serializes writes to w: event handlers, the command and the
// logger all write to the same streams from their own goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// A command is one subcommand of ringo.
type command struct {
	// name is the word that selects the command.
	name string
	// args is the synopsis of the arguments, for the usage line.
	args string
	// summary is one line for the command list.
	summary string
	// help is the full description that "ringo help NAME" prints before
	// the flags.
	help string
	// run runs the command with the arguments after its name and
	// returns the exit status. It gets its own command for usage text.
	run func(e *env, cmd *command, args []string) int
}

// commands lists ringo's subcommands in the order the usage text shows
// them.
var commands = []*command{
	demoCommand,
	serveCommand,
	registerCommand,
	messageCommand,
	optionsCommand,
	callCommand,
	subscribeCommand,
	agentCommand,
	inspectCommand,
}

// run is the whole program: main only wires it to the process. It returns
// the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is run with a context whose end stops a long-running command
// as Ctrl-C does: tests cancel it to stop "ringo agent" or "ringo serve".
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{
		ctx:    ctx,
		stdin:  stdin,
		stdout: &syncWriter{w: stdout},
		stderr: &syncWriter{w: stderr},
		getenv: os.Getenv,
	}
	if len(args) == 0 {
		printUsage(e.stderr)
		return exitUsage
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		return runHelp(e, args[1:])
	default:
		if cmd := lookup(name); cmd != nil {
			return cmd.run(e, cmd, args[1:])
		}
		fmt.Fprintf(e.stderr, "ringo: unknown command %q\n", name)
		fmt.Fprintf(e.stderr, "Run 'ringo help' for usage.\n")
		return exitUsage
	}
}

// lookup returns the named command, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// runHelp prints the command list, or one command's help.
func runHelp(e *env, args []string) int {
	switch len(args) {
	case 0:
		printUsage(e.stdout)
		return exitOK
	case 1:
		cmd := lookup(args[0])
		if cmd == nil {
			fmt.Fprintf(e.stderr, "ringo help: unknown command %q\n", args[0])
			printUsage(e.stderr)
			return exitUsage
		}
		return cmd.run(e, cmd, []string{"-h"})
	}
	fmt.Fprintln(e.stderr, "usage: ringo help [command]")
	return exitUsage
}

// printUsage writes the top-level usage text: what ringo is and its
// commands.
func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Ringo is a SIP user agent and a tool box for SIP.\n\n")
	b.WriteString("Usage:\n\n\tringo <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "\t%-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nUse \"ringo help <command>\" for more about a command.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns a flag set for cmd whose errors and help the caller
// reports through parseArgs.
func newFlagSet(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet("ringo "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// commandUsage writes cmd's usage line, its help text and its flags.
func commandUsage(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: ringo %s %s\n\n%s", cmd.name, cmd.args, cmd.help)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		io.WriteString(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// parseArgs parses the flags of cmd from args, allowing flags before and
// after the positional arguments ("inspect FILE -json" works as
// "inspect -json FILE"; after "--" everything is positional). It returns
// the positional arguments. When the caller should stop, it returns
// ok == false and the exit status: 0 after printing help for -h, 2 after
// reporting a bad flag.
func parseArgs(e *env, cmd *command, fs *flag.FlagSet, args []string) (pos []string, status int, ok bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(e.stdout, cmd, fs)
			return nil, exitOK, false
		}
		if err != nil {
			return nil, usageError(e, cmd, "%v", err), false
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), exitOK, true
		}
		if len(rest) == 0 {
			return pos, exitOK, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError reports a wrong command line for cmd with its usage line and
// returns exit status 2.
func usageError(e *env, cmd *command, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "ringo %s: %s\n", cmd.name, fmt.Sprintf(format, args...))
	fmt.Fprintf(e.stderr, "usage: ringo %s %s\nRun 'ringo help %s' for details.\n", cmd.name, cmd.args, cmd.name)
	return exitUsage
}
