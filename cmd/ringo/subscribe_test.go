package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSubscribe runs "ringo serve", "ringo agent --notify" and "ringo
// subscribe" in-process over real sockets: a subscriber gets the file's
// content, then each change, and unsubscribes on Ctrl-C; a fetch gets one
// final NOTIFY; SUBSCRIBEs for another package or type are refused; the
// agent's stop ends a subscription with a final NOTIFY.
func TestSubscribe(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte("alice:apw\nbob:bpw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	status := filepath.Join(dir, "status.txt")
	if err := os.WriteFile(status, []byte("available\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startRingo(t, "serve", "--ws", "127.0.0.1:0", "--tcp", "127.0.0.1:0",
		"--users", users, "--domain", "ringo.test", "--json")
	servers := map[string]string{}
	for range 2 {
		ev := srv.event(t, "listening")
		servers[ev["transport"].(string)] = ev["server"].(string)
	}
	ua := func(server, user, pw string) []string {
		return []string{"--server", server, "--uri", "sip:" + user + "@ringo.test", "--password", pw, "--timeout", "10s"}
	}
	agent := startRingo(t, append([]string{"agent", "--json", "--notify", "ringo-test=" + status}, ua(servers["tcp"], "bob", "bpw")...)...)
	agent.event(t, "registered")
	subscribe := func(args ...string) []string {
		return append(append([]string{"subscribe"}, ua(servers["ws"], "alice", "apw")...), args...)
	}

	// The file's content first, then each change; Ctrl-C unsubscribes.
	sub := startRingo(t, subscribe("--json", "--event", "ringo-test", "--accept", "text/plain", "bob")...)
	if ev := sub.event(t, "subscribe_accepted"); ev["status"] != 200.0 || ev["target"] != "sip:bob@ringo.test" || ev["event_package"] != "ringo-test" {
		t.Errorf("subscribe_accepted %v", ev)
	}
	checkNotify := func(got map[string]any, body string, final bool) {
		t.Helper()
		if got["body"] != body || got["final"] != final || !strings.HasPrefix(got["content_type"].(string), "text/plain") {
			t.Errorf("notify %v, want body %q final %v text/plain", got, body, final)
		}
	}
	checkNotify(sub.event(t, "notify"), "available\n", false)
	if ev := agent.event(t, "subscription"); ev["subscription"] != 1.0 || ev["from"] != "sip:alice@ringo.test" || ev["event_package"] != "ringo-test" || ev["expires"] != 900.0 {
		t.Errorf("agent's subscription event %v", ev)
	}
	agent.event(t, "notified")
	for _, body := range []string{"busy\n", "away\n"} {
		if err := os.WriteFile(status, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		checkNotify(sub.event(t, "notify"), body, false)
		if ev := agent.event(t, "notified"); ev["bytes"] != float64(len(body)) {
			t.Errorf("agent's notified event %v", ev)
		}
	}
	code, evs := sub.stop(t)
	if code != exitOK {
		t.Errorf("subscribe exit status %d after Ctrl-C; stderr:\n%s", code, sub.stderr.String())
	}
	if ev := find(evs, "subscription_terminated"); ev == nil || ev["code"] != "FINAL_NOTIFY_RECEIVED" || ev["reason"] != "timeout" {
		t.Errorf("subscribe's events after Ctrl-C %v, want subscription_terminated FINAL_NOTIFY_RECEIVED timeout", evs)
	}
	if ev := agent.event(t, "subscription_terminated"); ev["subscription"] != 1.0 || ev["code"] != "RECEIVE_UNSUBSCRIBE" {
		t.Errorf("agent's subscription_terminated %v", ev)
	}

	t.Run("fetch", func(t *testing.T) {
		stdout, stderr, code := runRingo(t, nil, subscribe("--event", "ringo-test", "--fetch", "bob")...)
		if code != exitOK {
			t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		checkLines(t, "stdout", stdout, []string{
			"final notification (text/plain; charset=utf-8): away",
			"subscription terminated: FINAL_NOTIFY_RECEIVED (reason timeout)",
		})
		agent.event(t, "subscription")
		if ev := agent.event(t, "subscription_terminated"); ev["code"] != "RECEIVE_UNSUBSCRIBE" {
			t.Errorf("agent's subscription_terminated %v", ev)
		}
	})
	for _, tt := range []struct {
		name, event, accept string
		status              float64
	}{
		{"other package", "presence", "", 489},
		{"other type", "ringo-test", "application/json", 406},
	} {
		t.Run("refused/"+tt.name, func(t *testing.T) {
			args := []string{"--json", "--event", tt.event, "bob"}
			if tt.accept != "" {
				args = append(args, "--accept", tt.accept)
			}
			stdout, stderr, code := runRingo(t, nil, subscribe(args...)...)
			if code != exitFailure {
				t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			ev := find(decodeEvents(t, stdout), "subscription_terminated")
			if ev == nil || ev["code"] != "SUBSCRIBE_NON_OK_RESPONSE" || ev["status"] != tt.status {
				t.Errorf("subscription_terminated %v, want SUBSCRIBE_NON_OK_RESPONSE %v", ev, tt.status)
			}
			if !strings.Contains(stderr, "ringo subscribe: SUBSCRIBE failed: ") {
				t.Errorf("stderr does not say why:\n%s", stderr)
			}
			if ev := agent.event(t, "subscription_refused"); ev["status"] != tt.status || ev["event_package"] != tt.event {
				t.Errorf("agent's subscription_refused %v", ev)
			}
		})
	}

	// The agent's stop ends a subscription with a final NOTIFY, which
	// ends the subscribe command with status 0.
	sub2 := startRingo(t, subscribe("--event", "ringo-test", "--sub-expires", "60", "bob")...)
	waitLine(t, sub2, "notification (text/plain; charset=utf-8): away")
	if ev := agent.event(t, "subscription"); ev["expires"] != 60.0 {
		t.Errorf("agent's subscription event %v, want expires 60", ev)
	}
	code, evs = agent.stop(t)
	if code != exitOK {
		t.Errorf("agent exit status %d; stderr:\n%s", code, agent.stderr.String())
	}
	if ev := find(evs, "subscription_terminated"); ev == nil || ev["code"] != "SEND_FINAL_NOTIFY" {
		t.Errorf("agent's events at stop %v, want subscription_terminated SEND_FINAL_NOTIFY", evs)
	}
	waitLine(t, sub2, "subscription terminated: FINAL_NOTIFY_RECEIVED")
	select {
	case <-sub2.done:
		if sub2.code != exitOK {
			t.Errorf("subscribe exit status %d; stderr:\n%s", sub2.code, sub2.stderr.String())
		}
	case <-time.After(waitTimeout):
		t.Fatal("subscribe did not end after the final NOTIFY")
	}
	srv.stop(t)
}

// waitLine waits for the line want on b's standard output.
func waitLine(t *testing.T, b *bgRingo, want string) {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	var seen []string
	for {
		select {
		case line, ok := <-b.lines:
			if !ok {
				t.Fatalf("ringo ended before the line %q; it printed %q; stderr:\n%s", want, seen, b.stderr.String())
			}
			if line == want {
				return
			}
			seen = append(seen, line)
		case <-timer.C:
			t.Fatalf("no line %q within %v; lines %q; stderr:\n%s", want, waitTimeout, seen, b.stderr.String())
		}
	}
}

func TestSubscribeUsage(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status.txt")
	if err := os.WriteFile(status, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ua := []string{"--server", "ws://127.0.0.1:1", "--uri", "a@b"}
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no event", append([]string{"subscribe", "bob"}, ua...), "ringo subscribe: --event is required"},
		{"no target", append([]string{"subscribe", "--event", "presence"}, ua...), "ringo subscribe: want one TARGET, got 0 arguments"},
		{"bad event", append([]string{"subscribe", "--event", "pres ence", "bob"}, ua...), `ringo subscribe: --event "pres ence": `},
		{"bad accept", append([]string{"subscribe", "--event", "presence", "--accept", "text", "bob"}, ua...), `ringo subscribe: --accept "text": `},
		{"fetch with duration", append([]string{"subscribe", "--event", "presence", "--fetch", "--duration", "1s", "bob"}, ua...), "ringo subscribe: --fetch takes neither --duration nor --sub-expires"},
		{"notify without file", append([]string{"agent", "--notify", "presence"}, ua...), `ringo agent: invalid value "presence" for flag -notify: want NAME=FILE`},
		{"notify missing file", append([]string{"agent", "--notify", "presence=/nonexistent/x"}, ua...), `ringo agent: invalid value "presence=/nonexistent/x" for flag -notify: open /nonexistent/x: `},
		{"notify twice", append([]string{"agent", "--notify", "p=" + status, "--notify", "p=" + status}, ua...), `ringo agent: invalid value "p=` + status + `" for flag -notify: event package p given twice`},
		{"notify event parameters", append([]string{"agent", "--notify", "dialog;id=1=" + status}, ua...), `ringo agent: invalid value "dialog;id=1=` + status + `" for flag -notify: bad event package name "dialog;id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runRingo(t, nil, tt.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if first, _, _ := strings.Cut(stderr, "\n"); !strings.HasPrefix(first, tt.wantStderr) {
				t.Errorf("stderr starts %q, want %q", first, tt.wantStderr)
			}
		})
	}
	stdout, _, code := runRingo(t, nil, "help", "subscribe")
	if code != exitOK || !strings.HasPrefix(stdout, "usage: ringo subscribe ") || !strings.Contains(stdout, "-accept TYPE") {
		t.Errorf("help subscribe: exit status %d, stdout:\n%s", code, stdout)
	}
}
