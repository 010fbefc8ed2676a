//go:build !js

package wasm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
)

// jssipImport is the line of testdata/jssip-app.js that a JsSIP user
// changes to switch to Ringo.
const jssipImport = "require('jssip')"

// A client written against JsSIP's API (testdata/jssip-app.js) runs on
// Ringo with only its import changed, and does what it does on JsSIP: the
// two transcripts are the same, event for event.
func TestJsSIPAppRunsOnRingo(t *testing.T) {
	src, err := os.ReadFile(peerScript(t, "jssip-app.js"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(src), jssipImport) != 1 {
		t.Fatalf("jssip-app.js must require jssip exactly once")
	}
	ringoJS, err := filepath.Abs("ringo.js")
	if err != nil {
		t.Fatal(err)
	}
	onRingo := filepath.Join(t.TempDir(), "ringo-app.js")
	changed := strings.Replace(string(src), jssipImport, fmt.Sprintf("require(%q)", ringoJS), 1)
	if err := os.WriteFile(onRingo, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}

	jssip := runApp(t, peerScript(t, "jssip-app.js"))
	ringoT := runApp(t, onRingo)
	if !slices.Equal(jssip, ringoT) {
		t.Errorf("transcripts differ\nJsSIP:\n  %s\nRingo:\n  %s", strings.Join(jssip, "\n  "), strings.Join(ringoT, "\n  "))
	}
}

// runApp runs the client as bob against the embedded server, has a native
// UA send it two messages, and returns the client's transcript.
func runApp(t *testing.T, script string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startServer(t, map[string]string{"alice": "a-pass", "bob": "b-pass"})
	echoes := make(chan string, 4)
	alice := nativeUA(t, srv, "alice", "a-pass", func(ua *ringo.UA) {
		ua.OnNewMessage(func(r *ringo.IncomingRequest) { echoes <- string(r.Body()) })
	})
	app := runPeer(t, ctx, script, map[string]string{
		"APP_SERVER":   wsURL(srv),
		"APP_URI":      "sip:bob@ringo.test",
		"APP_PASSWORD": "b-pass",
		"APP_NAME":     "Bob",
	})
	var seen []string
	waitFor(t, ctx, app, "registered", &seen)
	for _, text := range []string{"hello", "bye"} {
		if _, err := alice.SendMessage(ctx, "sip:bob@ringo.test", text, nil); err != nil {
			t.Fatalf("MESSAGE %q: %v", text, err)
		}
		select {
		case got := <-echoes:
			if got != "echo: "+text {
				t.Errorf("echo of %q: got %q", text, got)
			}
		case <-ctx.Done():
			t.Fatalf("no echo of %q", text)
		}
		// The 200 for the echo reaches the app after the native handler
		// returns: wait for it, so that the transcript has one order.
		waitFor(t, ctx, app, "sent", &seen)
	}
	waitFor(t, ctx, app, "unregistered", &seen)
	if err := app.Wait(ctx); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(script), err, app.Stderr())
	}
	for _, ev := range app.Pending() {
		seen = append(seen, fmt.Sprint(ev))
	}
	return seen
}

// waitFor takes the app's events in order up to the first named one,
// appending them to seen.
func waitFor(t *testing.T, ctx context.Context, app *testpeer.NodeProcess, name string, seen *[]string) {
	t.Helper()
	for {
		ev, err := app.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", name, err)
		}
		*seen = append(*seen, fmt.Sprint(ev))
		if ev["event"] == name {
			return
		}
	}
}
