package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitTimeout bounds every wait for an event of a command running in the
// background; the commands' own --timeout is shorter, so a hang shows as
// a failed command rather than a stuck test.
const waitTimeout = 20 * time.Second

// bgRingo is a ringo command running in a goroutine, as a long-running
// command (serve, agent) runs until Ctrl-C.
type bgRingo struct {
	cancel context.CancelFunc
	done   chan struct{} // closed at exit, when code is set
	code   int
	lines  chan string // standard output, line by line; closed at exit
	stderr *lockedBuffer
}

// startRingo runs ringo with args in the background. Its standard output
// is read line by line into lines.
func startRingo(t *testing.T, args ...string) *bgRingo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	b := &bgRingo{cancel: cancel, done: make(chan struct{}), lines: make(chan string, 100), stderr: &lockedBuffer{}}
	go func() {
		b.code = runContext(ctx, args, strings.NewReader(""), pw, b.stderr)
		pw.Close()
		close(b.done)
	}()
	go func() {
		defer close(b.lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			b.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-b.done:
		case <-time.After(waitTimeout):
			t.Errorf("ringo %s did not stop", args[0])
		}
	})
	return b
}

// event returns the next JSON event of b whose "event" member is name,
// skipping others, and fails the test if b ends or none comes in time.
func (b *bgRingo) event(t *testing.T, name string) map[string]any {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case line, ok := <-b.lines:
			if !ok {
				t.Fatalf("ringo ended before a %q event; stderr:\n%s", name, b.stderr.String())
			}
			ev := decodeEvent(t, line)
			if ev["event"] == name {
				return ev
			}
		case <-timer.C:
			t.Fatalf("no %q event within %v; stderr:\n%s", name, waitTimeout, b.stderr.String())
		}
	}
}

// stop cancels b's context, as Ctrl-C does, and returns the exit status
// and the events it printed until it ended.
func (b *bgRingo) stop(t *testing.T) (code int, events []map[string]any) {
	t.Helper()
	b.cancel()
	for line := range b.lines {
		events = append(events, decodeEvent(t, line))
	}
	select {
	case <-b.done:
	case <-time.After(waitTimeout):
		t.Fatal("ringo did not stop")
	}
	return b.code, events
}

// lockedBuffer is a strings.Builder safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.String()
}

func decodeEvent(t *testing.T, line string) map[string]any {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("stdout line %q is not JSON: %v", line, err)
	}
	if _, ok := ev["event"].(string); !ok {
		t.Fatalf("stdout line %q has no event member", line)
	}
	return ev
}

// decodeEvents decodes every line of out as a JSON event.
func decodeEvents(t *testing.T, out string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line != "" {
			evs = append(evs, decodeEvent(t, line))
		}
	}
	return evs
}

// find returns the first event named name, or nil.
func find(evs []map[string]any, name string) map[string]any {
	for _, ev := range evs {
		if ev["event"] == name {
			return ev
		}
	}
	return nil
}

// names lists the event names, in order.
func names(evs []map[string]any) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev["event"].(string))
	}
	return out
}

func TestDemo(t *testing.T) {
	for _, bob := range []string{"udp", "ws"} {
		t.Run(bob, func(t *testing.T) {
			stdout, stderr, code := runRingo(t, nil, "demo", "--bob", bob, "--timeout", "15s")
			if code != exitOK {
				t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			for _, want := range []string{
				`bob     received from sip:alice@ringo.test (text/plain): "` + demoToBob + `"`,
				`alice   received from sip:bob@ringo.test (text/plain): "` + demoToAlice + `"`,
				"registered sip:alice@ringo.test",
				"registered sip:bob@ringo.test",
				"got 200 OK",
				"Both messages arrived intact.",
				"bob     received DTMF # (RFC 4733, 100.0 ms)",
			} {
				if !strings.Contains(stdout, want) {
					t.Errorf("transcript lacks %q:\n%s", want, stdout)
				}
			}
			// "bob heard 440 Hz for 2.3 s (440.0 Hz measured, level 0.36), and DTMF 123# arrived in order."
			m := regexp.MustCompile(`(?m)^bob heard \d+ Hz for ([\d.]+) s \(([\d.]+) Hz measured, level [\d.]+\), and DTMF 123# arrived in order\.$`).FindStringSubmatch(stdout)
			if m == nil {
				t.Fatalf("transcript does not say what bob heard:\n%s", stdout)
			}
			if hz, _ := strconv.ParseFloat(m[2], 64); math.Abs(hz-demoToneHz) > demoToneTolerance {
				t.Errorf("bob heard %v Hz, want %d±%d", hz, demoToneHz, demoToneTolerance)
			}
			if secs, _ := strconv.ParseFloat(m[1], 64); secs < demoMinSound.Seconds() {
				t.Errorf("bob heard %v s of sound, want at least %v", secs, demoMinSound)
			}
		})
	}
}

// TestCommands runs "ringo serve" and "ringo agent" in the background and
// register, message and options against them, all in-process over real
// sockets on 127.0.0.1.
func TestCommands(t *testing.T) {
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("# test users\nalice:apw\nbob:bpw\ndave:dpw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startRingo(t, "serve", "--ws", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--tcp", "127.0.0.1:0",
		"--users", users, "--domain", "ringo.test", "--json")
	servers := map[string]string{}
	for range 3 {
		ev := srv.event(t, "listening")
		servers[ev["transport"].(string)] = ev["server"].(string)
	}
	for _, tr := range []string{"ws", "udp", "tcp"} {
		if servers[tr] == "" {
			t.Fatalf("serve printed no %s address: %v", tr, servers)
		}
	}
	ua := func(server, user string) []string {
		return []string{"--server", server, "--uri", "sip:" + user + "@ringo.test", "--timeout", "10s"}
	}
	cmd := func(name string, args ...string) []string { return append([]string{name}, args...) }

	t.Run("register", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, cmd("register", append(ua(servers["ws"], "alice"), "--password", "apw", "--json")...)...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		evs := decodeEvents(t, stdout)
		if got, want := names(evs), []string{"connecting", "connected", "registered", "unregistered"}; !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		if reg := find(evs, "registered"); reg == nil || reg["expires"] != 600.0 || reg["aor"] != "sip:alice@ringo.test" {
			t.Errorf("registered event %v, want expires 600 for sip:alice@ringo.test", reg)
		}
	})
	t.Run("register password from environment", func(t *testing.T) {
		t.Setenv("RINGO_PASSWORD", "apw")
		stdout, stderr, code := runRingo(t, nil, cmd("register", ua(servers["tcp"], "alice")...)...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		checkLines(t, "stdout", stdout, []string{"registered sip:alice@ringo.test for 600 s", "unregistered sip:alice@ringo.test"})
	})
	t.Run("register wrong password", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, cmd("register", append(ua(servers["udp"], "alice"), "--password", "nope", "--json")...)...)
		if code != exitFailure {
			t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		ev := find(decodeEvents(t, stdout), "registration_failed")
		if ev == nil || ev["status"] != 401.0 || ev["cause"] != "Authentication Error" {
			t.Errorf("registration_failed event %v, want status 401", ev)
		}
		if !strings.Contains(stderr, "ringo register: registration failed: ") {
			t.Errorf("stderr does not say why:\n%s", stderr)
		}
	})

	// bob stays online over UDP; dave over TCP, rejecting messages.
	bob := startRingo(t, cmd("agent", append(ua(servers["udp"], "bob"), "--password", "bpw", "--json")...)...)
	if ev := bob.event(t, "registered"); ev["aor"] != "sip:bob@ringo.test" {
		t.Fatalf("agent registered %v", ev)
	}
	dave := startRingo(t, cmd("agent", append(ua(servers["tcp"], "dave"), "--password", "dpw", "--json", "--reject", "486")...)...)
	dave.event(t, "registered")

	t.Run("message", func(t *testing.T) {
		body := `{"text": "héllo <bob> & \"friends\""}`
		stdout, stderr, code := runRingo(t, nil, cmd("message", append(ua(servers["ws"], "alice"),
			"--password", "apw", "--json", "--content-type", "application/json", "bob", body)...)...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		resp := find(decodeEvents(t, stdout), "response")
		if resp == nil || resp["status"] != 200.0 || resp["method"] != "MESSAGE" || resp["target"] != "sip:bob@ringo.test" {
			t.Errorf("response event %v, want 200 for MESSAGE to sip:bob@ringo.test", resp)
		}
		got := bob.event(t, "message")
		want := map[string]any{"event": "message", "from": "sip:alice@ringo.test", "to": "sip:bob@ringo.test",
			"content_type": "application/json", "body": body}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("agent's message event %s = %#v, want %#v", k, got[k], v)
			}
		}
	})
	t.Run("message from stdin with registration", func(t *testing.T) {
		var out, errOut lockedBuffer
		code := run(cmd("message", append(ua(servers["tcp"], "alice"), "--password", "apw", "--register", "bob", "-")...),
			strings.NewReader("line one\nline two\n"), &out, &errOut)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
		}
		checkLines(t, "stdout", out.String(), []string{
			"registered sip:alice@ringo.test for 600 s",
			"MESSAGE sip:bob@ringo.test: 200 OK",
			"unregistered sip:alice@ringo.test",
		})
		if got := bob.event(t, "message"); got["body"] != "line one\nline two\n" {
			t.Errorf("agent got body %q", got["body"])
		}
	})
	t.Run("message to unknown user", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, cmd("message", append(ua(servers["ws"], "alice"), "--password", "apw", "carol", "hi")...)...)
		if code != exitFailure {
			t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		checkLines(t, "stdout", stdout, []string{"MESSAGE sip:carol@ringo.test: 404 Not Found"})
		checkLines(t, "stderr", stderr, []string{"ringo message: MESSAGE failed: 404 Not Found"})
	})
	t.Run("message rejected by agent", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, cmd("message", append(ua(servers["udp"], "alice"), "--password", "apw", "--json", "dave", "hi")...)...)
		if code != exitFailure {
			t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if resp := find(decodeEvents(t, stdout), "response"); resp == nil || resp["status"] != 486.0 || resp["cause"] != "Busy" {
			t.Errorf("response event %v, want 486 Busy", resp)
		}
		if got := dave.event(t, "message"); got["body"] != "hi" {
			t.Errorf("dave's message event %v", got)
		}
	})
	t.Run("options", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, cmd("options", append(ua(servers["tcp"], "alice"), "--password", "apw", "--json", "bob")...)...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		resp := find(decodeEvents(t, stdout), "response")
		if resp == nil || resp["status"] != 200.0 {
			t.Fatalf("response event %v, want 200", resp)
		}
		allow, _ := resp["allow"].([]any)
		if !slices.Contains(allow, any("MESSAGE")) {
			t.Errorf("allow %v lacks MESSAGE", resp["allow"])
		}
		if ev := bob.event(t, "options"); ev["from"] != "sip:alice@ringo.test" {
			t.Errorf("agent's options event %v", ev)
		}
	})

	// Ctrl-C: the agents unregister and exit 0.
	for _, a := range []*bgRingo{bob, dave} {
		code, evs := a.stop(t)
		if code != exitOK {
			t.Errorf("agent exit status %d, want 0; stderr:\n%s", code, a.stderr.String())
		}
		if len(evs) == 0 || evs[len(evs)-1]["event"] != "unregistered" {
			t.Errorf("agent's last events %v, want unregistered last", names(evs))
		}
	}
	t.Run("message to offline user", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, cmd("message", append(ua(servers["ws"], "alice"), "--password", "apw", "bob", "hi")...)...)
		if code != exitFailure {
			t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		checkLines(t, "stdout", stdout, []string{"MESSAGE sip:bob@ringo.test: 480 Temporarily Unavailable (Unavailable)"})
	})
	if code, _ := srv.stop(t); code != exitOK {
		t.Errorf("serve exit status %d, want 0; stderr:\n%s", code, srv.stderr.String())
	}
}

func TestUACommandUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"register no server", []string{"register", "--uri", "sip:a@b"}, "ringo register: --server is required"},
		{"register no uri", []string{"register", "--server", "ws://127.0.0.1:1"}, "ringo register: --uri is required"},
		{"register argument", []string{"register", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "x"}, "ringo register: want no arguments, got 1"},
		{"register bad server", []string{"register", "--server", "ftp://x", "--uri", "a@b"}, `ringo register: --server ftp://x: transport: server "ftp://x": unknown transport "ftp"`},
		{"register bad uri", []string{"register", "--server", "ws://127.0.0.1:1", "--uri", "sip:@@"}, "ringo register: --uri: "},
		{"register bad expires", []string{"register", "--expires", "0", "--server", "ws://127.0.0.1:1", "--uri", "a@b"}, `ringo register: invalid value "0" for flag -expires: want a positive number of seconds`},
		{"message one argument", []string{"message", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "bob"}, "ringo message: want TARGET and TEXT, got 1 arguments"},
		{"message bad target", []string{"message", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "bob@", "hi"}, "ringo message: bad TARGET: "},
		{"options no target", []string{"options", "--server", "ws://127.0.0.1:1", "--uri", "a@b"}, "ringo options: want one TARGET, got 0 arguments"},
		{"agent bad reject", []string{"agent", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--reject", "200"}, "ringo agent: --reject 200: want a status from 300 to 699"},
		{"serve bad address", []string{"serve", "--ws", "8080"}, "ringo serve: --ws 8080: want host:port"},
		{"serve argument", []string{"serve", "now"}, "ringo serve: want no arguments, got 1"},
		{"serve digest", []string{"serve", "--digest", "MD5,SHA-1"}, `ringo serve: --digest MD5,SHA-1: unknown algorithm "SHA-1"`},
		{"demo bad transport", []string{"demo", "--bob", "sctp"}, `ringo demo: --bob "sctp": want udp, tcp or ws`},
		{"demo bad flag", []string{"demo", "--alice", "ws"}, "ringo demo: flag provided but not defined: -alice"},
		{"call no target", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b"}, "ringo call: want one TARGET, got 0 arguments"},
		{"call two targets", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "bob", "carol"}, "ringo call: want one TARGET, got 2 arguments"},
		{"call bad tone", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--play", "tone:4000", "bob"}, "ringo call: --play tone:4000: want tone:HZ with HZ above 0 and below 4000"},
		{"call bad dtmf", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--dtmf", "12x", "bob"}, `ringo call: --dtmf 12x: bad tone 'x': want 0-9, A-D, *, # or ,`},
		{"call dtmf-info alone", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--dtmf-info", "bob"}, "ringo call: --dtmf-info needs --dtmf"},
		{"call negative duration", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--duration", "-1s", "bob"}, "ringo call: --duration -1s is negative"},
		{"call bad media ip", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--media-ip", "localhost", "bob"}, "ringo call: --media-ip localhost: not an IP address"},
		{"call bad target", []string{"call", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "bob@"}, "ringo call: bad TARGET: "},
		{"call no server", []string{"call", "--uri", "a@b", "bob"}, "ringo call: --server is required"},
		{"agent play without answer", []string{"agent", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--play", "tone:440"}, "ringo agent: --play needs --answer"},
		{"agent record without answer", []string{"agent", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--record", "x.wav"}, "ringo agent: --record needs --answer"},
		{"agent negative answer delay", []string{"agent", "--server", "ws://127.0.0.1:1", "--uri", "a@b", "--answer", "--answer-delay", "-1s"}, "ringo agent: --answer-delay -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runRingo(t, nil, tt.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.HasPrefix(first, tt.wantStderr) {
				t.Errorf("stderr starts %q, want %q", first, tt.wantStderr)
			}
			if !strings.Contains(stderr, "Run 'ringo help "+tt.args[0]+"' for details.") {
				t.Errorf("stderr has no pointer to help:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("unexpected stdout:\n%s", stdout)
			}
		})
	}
}

func TestUACommandHelp(t *testing.T) {
	for _, name := range []string{"demo", "serve", "register", "message", "options", "call", "agent"} {
		stdout, _, code := runRingo(t, nil, "help", name)
		if code != exitOK || !strings.HasPrefix(stdout, "usage: ringo "+name+" ") {
			t.Errorf("help %s: exit status %d, stdout:\n%s", name, code, stdout)
		}
	}
}

// A command that cannot reach its server gives up after --timeout and
// exits 1.
func TestUnreachableServer(t *testing.T) {
	stdout, stderr, code := runRingo(t, nil, "register", "--server", "tcp:127.0.0.1:1", "--uri", "a@b", "--timeout", "300ms", "--json")
	if code != exitFailure {
		t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "ringo register: cannot connect: ") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if ev := find(decodeEvents(t, stdout), "disconnected"); ev == nil || ev["error"] == nil {
		t.Errorf("no disconnected event with an error in:\n%s", stdout)
	}
}

func TestEventJSON(t *testing.T) {
	got := string(eventJSON("message", "from", "sip:a@b", "status", opt(0), "body", "<&>", "n", 3, "list", []string{"A"}))
	want := `{"event":"message","from":"sip:a@b","body":"<&>","n":3,"list":["A"]}` + "\n"
	if got != want {
		t.Errorf("eventJSON = %s, want %s", got, want)
	}
}
