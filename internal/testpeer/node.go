package testpeer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// NodeInstallHint is the message a test fails with when the interop
// directory's npm packages are not installed.
const NodeInstallHint = "JsSIP not installed: cd interop && npm ci"

// NodeProcess is a Node.js script from the interop directory, started by
// RunNode, that prints one JSON event per line on stdout and reads one JSON
// command per line on stdin. Its methods are safe for concurrent use, except
// Expect, which must be called from the test's goroutine.
type NodeProcess struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	stderr logBuffer

	stdinMu sync.Mutex
	stdin   io.WriteCloser

	mu      sync.Mutex
	pending []map[string]any // events not yet taken by Next or WaitFor
	lines   []string         // every stdout line, for the test log
	wake    chan struct{}    // closed and replaced when pending or eof changes
	eof     bool             // stdout is closed

	exited  chan struct{} // closed when the process has exited
	waitErr error         // its exit status, once exited is closed
}

// RunNode runs `node interop/SCRIPT` from the repository root with env added
// to the test's environment, and returns at once; ctx bounds the process's
// life (it is killed when ctx is done), and it is killed in t.Cleanup if it
// is still running then. Its stdout is read as JSON events (see Next and
// WaitFor), its stderr kept for the test log, which also gets every event
// line if the test failed.
//
// The test fails with NodeInstallHint if interop/node_modules is missing,
// and with a hint if node is not installed.
func RunNode(t testing.TB, ctx context.Context, script string, env map[string]string) *NodeProcess {
	t.Helper()
	root := RepoRoot(t)
	node := lookNode(t)
	if _, err := os.Stat(filepath.Join(root, "interop", "node_modules", "jssip")); err != nil {
		t.Fatalf("%s (%v)", NodeInstallHint, err)
	}
	path := filepath.Join("interop", script)
	if _, err := os.Stat(filepath.Join(root, path)); err != nil {
		t.Fatalf("testpeer: RunNode: %v", err)
	}

	cmd := exec.CommandContext(ctx, node, path)
	cmd.Dir = root
	name := script
	if u := env["RINGO_URI"]; u != "" {
		name = script + " " + u
	}
	p := startNode(t, cmd, env, name)
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			p.mu.Lock()
			lines := strings.Join(p.lines, "\n")
			p.mu.Unlock()
			t.Logf("node %s (exit: %v)\nstdout:\n%s\nstderr:\n%s", p.name, p.waitErr, tail(lines, 32<<10), tail(p.stderr.String(), 32<<10))
		}
	})
	return p
}

// lookNode returns the path of node, failing the test with how to install
// it when it is missing.
func lookNode(t testing.TB) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not installed (%v): install Node.js 20 or later, then: cd interop && npm ci", err)
	}
	return node
}

// startNode starts cmd, with env added to this process's environment, as
// a NodeProcess: its stdout read as events, its stdin open for commands,
// its stderr kept for the log. The caller sets up the cleanup.
func startNode(t testing.TB, cmd *exec.Cmd, env map[string]string, name string) *NodeProcess {
	t.Helper()
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	cmd.WaitDelay = 2 * time.Second
	p := &NodeProcess{t: t, name: name, cmd: cmd, wake: make(chan struct{}), exited: make(chan struct{})}
	cmd.Stderr = &p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting node %s: %v", name, err)
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		p.read(stdout)
	}()
	go func() {
		<-readDone // Wait closes stdout: read it to the end first
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p
}

// read turns stdout lines into pending events until stdout closes. A line
// that is not a JSON object is kept for the log only.
func (p *NodeProcess) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		var ev map[string]any
		err := json.Unmarshal([]byte(line), &ev)
		p.mu.Lock()
		p.lines = append(p.lines, line)
		if err == nil {
			p.pending = append(p.pending, ev)
			close(p.wake)
			p.wake = make(chan struct{})
		}
		p.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r)
	p.mu.Lock()
	p.eof = true
	close(p.wake)
	p.wake = make(chan struct{})
	p.mu.Unlock()
}

// take waits for the first pending event that match accepts, removes it and
// returns it.
func (p *NodeProcess) take(ctx context.Context, what string, match func(map[string]any) bool) (map[string]any, error) {
	for {
		p.mu.Lock()
		for i, ev := range p.pending {
			if match(ev) {
				p.pending = slices.Delete(p.pending, i, i+1)
				p.mu.Unlock()
				return ev, nil
			}
		}
		eof, wake := p.eof, p.wake
		p.mu.Unlock()
		if eof {
			<-p.exited
			return nil, fmt.Errorf("node %s exited (%v) before %s; stderr: %s", p.name, p.waitErr, what, tail(p.stderr.String(), 2000))
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, fmt.Errorf("node %s: waiting for %s: %w", p.name, what, ctx.Err())
		}
	}
}

// Next returns the oldest event not yet taken, waiting for one if there is
// none. It fails when ctx is done or the process has exited.
func (p *NodeProcess) Next(ctx context.Context) (map[string]any, error) {
	return p.take(ctx, "the next event", func(map[string]any) bool { return true })
}

// WaitFor returns the oldest event not yet taken whose "event" field is
// event, waiting for one if there is none. Other events stay where they are,
// in order, for later calls: waiting for "message_sent" does not lose a
// "message" that arrived first.
func (p *NodeProcess) WaitFor(ctx context.Context, event string) (map[string]any, error) {
	return p.take(ctx, fmt.Sprintf("event %q", event), func(ev map[string]any) bool { return ev["event"] == event })
}

// WaitForAny returns the oldest event not yet taken whose "event" field is
// one of events, for outcomes that come in pairs: WaitForAny(ctx,
// "message_sent", "message_failed").
func (p *NodeProcess) WaitForAny(ctx context.Context, events ...string) (map[string]any, error) {
	return p.take(ctx, fmt.Sprintf("one of the events %q", events), func(ev map[string]any) bool {
		name, _ := ev["event"].(string)
		return slices.Contains(events, name)
	})
}

// Expect is WaitFor that fails the test (t.Fatalf) when the event does not
// come. Call it from the test's goroutine.
func (p *NodeProcess) Expect(ctx context.Context, event string) map[string]any {
	p.t.Helper()
	ev, err := p.WaitFor(ctx, event)
	if err != nil {
		p.t.Fatal(err)
	}
	return ev
}

// Pending returns the events received but not yet taken by Next or WaitFor,
// oldest first, without taking them.
func (p *NodeProcess) Pending() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.pending)
}

// Send writes cmd as one JSON line to the script's stdin, for example
// {"cmd": "message", "target": "sip:bob@ringo.test", "body": "hi"}.
func (p *NodeProcess) Send(cmd map[string]any) error {
	b, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	if _, err := p.stdin.Write(b); err != nil {
		return fmt.Errorf("node %s: sending %s: %w", p.name, b, err)
	}
	return nil
}

// CloseStdin closes the script's stdin; jssip-ua.js takes that as "stop".
func (p *NodeProcess) CloseStdin() error {
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	return p.stdin.Close()
}

// Wait waits for the process to exit and returns nil if it exited with
// status 0, its exit error otherwise, or ctx's error if ctx is done first.
func (p *NodeProcess) Wait(ctx context.Context) error {
	select {
	case <-p.exited:
		return p.waitErr
	case <-ctx.Done():
		return fmt.Errorf("node %s: waiting for exit: %w", p.name, ctx.Err())
	}
}

// Stop sends {"cmd":"stop"} and waits until the process exits with status 0
// (for jssip-ua.js: unregistered, disconnected); it fails the test if not.
// Call it from the test's goroutine.
func (p *NodeProcess) Stop(ctx context.Context) {
	p.t.Helper()
	if err := p.Send(map[string]any{"cmd": "stop"}); err != nil && !errors.Is(err, os.ErrClosed) {
		select {
		case <-p.exited:
		default:
			p.t.Fatal(err)
		}
	}
	if err := p.Wait(ctx); err != nil {
		p.t.Fatalf("node %s did not stop cleanly: %v", p.name, err)
	}
}

// Stderr returns what the script wrote to stderr so far.
func (p *NodeProcess) Stderr() string { return p.stderr.String() }

// JsSIPOptions configure StartJsSIP; they become jssip-ua.js's RINGO_*
// environment variables.
type JsSIPOptions struct {
	WSURL       string // server to connect to, e.g. Kamailio.WSURL() (required)
	URI         string // the UA's SIP URI, e.g. Kamailio.URI("alice") (required)
	Password    string // digest password; empty: none
	AuthUser    string // authorization user; empty: the URI's user
	DisplayName string

	// NoRegister makes the UA connect without registering (it can still
	// send); StartJsSIP then returns once it is connected.
	NoRegister bool

	// RegisterExpires is the registration expiry in seconds; 0: 600.
	RegisterExpires int

	// MessageStatus answers incoming MESSAGEs with this status; 0: 200.
	MessageStatus int

	// Debug turns on JsSIP's debug log (on stderr, in the test log on
	// failure).
	Debug bool
}

// StartJsSIP runs interop/jssip-ua.js (a JsSIP 3.13 UA in Node.js) with
// opts, and returns once it has registered (or connected, with NoRegister);
// it fails the test if registration fails or ctx ends first. Drive it with
// Send and read its events with WaitFor or Expect; jssip-ua.js lists them.
func StartJsSIP(t testing.TB, ctx context.Context, opts JsSIPOptions) *NodeProcess {
	t.Helper()
	if opts.WSURL == "" || opts.URI == "" {
		t.Fatal("testpeer: StartJsSIP: WSURL and URI are required")
	}
	env := map[string]string{"RINGO_WS_URL": opts.WSURL, "RINGO_URI": opts.URI}
	set := func(k, v string) {
		if v != "" {
			env[k] = v
		}
	}
	set("RINGO_PASSWORD", opts.Password)
	set("RINGO_AUTH_USER", opts.AuthUser)
	set("RINGO_DISPLAY_NAME", opts.DisplayName)
	if opts.NoRegister {
		env["RINGO_REGISTER"] = "0"
	}
	if opts.RegisterExpires > 0 {
		env["RINGO_REGISTER_EXPIRES"] = strconv.Itoa(opts.RegisterExpires)
	}
	if opts.MessageStatus > 0 {
		env["RINGO_MESSAGE_STATUS"] = strconv.Itoa(opts.MessageStatus)
	}
	if opts.Debug {
		env["RINGO_DEBUG"] = "1"
	}
	p := RunNode(t, ctx, "jssip-ua.js", env)
	want := []string{"registered", "registration_failed"}
	if opts.NoRegister {
		want = []string{"connected"}
	}
	ev, err := p.WaitForAny(ctx, want...)
	if err != nil {
		t.Fatalf("JsSIP %s: %v", opts.URI, err)
	}
	if ev["event"] == "registration_failed" {
		t.Fatalf("JsSIP %s: registration failed: %v", opts.URI, ev)
	}
	return p
}
