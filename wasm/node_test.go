//go:build !js

package wasm_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
)

// The wasm build in Node.js registers with the embedded server (digest
// authentication) and exchanges MESSAGE and OPTIONS with a native Ringo UA,
// both ways, through the JsSIP-shaped API.
func TestNodeMessagesWithNativeUA(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, map[string]string{"alice": "wonderland", "bob": "builder"})

	got := make(chan *ringo.IncomingRequest, 4)
	alice := nativeUA(t, srv, "alice", "wonderland", func(ua *ringo.UA) {
		ua.OnNewMessage(func(r *ringo.IncomingRequest) { got <- r })
	})

	bob := runPeer(t, ctx, peerScript(t, "peer.js"), map[string]string{
		"RINGO_WS_URL":       wsURL(srv),
		"RINGO_URI":          "sip:bob@ringo.test",
		"RINGO_PASSWORD":     "builder",
		"RINGO_DISPLAY_NAME": "Bob Wasm",
		"RINGO_REJECT_BODY":  "reject me",
	})
	loaded := bob.Expect(ctx, "loaded")
	t.Logf("ringo.js %s loaded in %.0f ms", loaded["version"], loaded["ms"])
	// ringo.js refuses a ringo.wasm of another version; its own must be
	// the package's.
	var pkg struct{ Version string }
	if b, err := os.ReadFile("package.json"); err != nil || json.Unmarshal(b, &pkg) != nil || pkg.Version != loaded["version"] {
		t.Errorf("Ringo.version %v, package.json version %q (%v)", loaded["version"], pkg.Version, err)
	}
	if ev := bob.Expect(ctx, "registered"); ev["status"] != 200.0 {
		t.Fatalf("registered: %v", ev)
	}

	// Native to wasm: accepted with 200 by default, headers readable.
	resp, err := alice.SendMessage(ctx, "sip:bob@ringo.test", "hello wasm", &ringo.MessageOptions{ExtraHeaders: []string{"X-Test: 42"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("native to wasm MESSAGE: %v %v", resp, err)
	}
	ev := bob.Expect(ctx, "message")
	if ev["body"] != "hello wasm" || ev["from"] != "sip:alice@ringo.test" || ev["x_test"] != "42" ||
		ev["content_type"] != "text/plain" || ev["remote_user"] != "alice" {
		t.Errorf("message event: %v", ev)
	}

	// A body that JSON and UTF-8 must both get right on the way into
	// JavaScript: quotes, backslashes, control characters, non-ASCII, and
	// a byte that is not UTF-8 (sent in a binary WebSocket frame, read as
	// U+FFFD, as a JavaScript string must). The display name has quotes.
	awkward := "\"quoted\" \\ back\tslash\r\nline\x01 ünïcödé ☎ 🙂 \xff end"
	resp, err = alice.SendMessage(ctx, "sip:bob@ringo.test", awkward, &ringo.MessageOptions{
		ContentType: "text/plain;charset=utf-8", FromDisplayName: `Al "the" Ice`})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("native to wasm MESSAGE with an awkward body: %v %v", resp, err)
	}
	ev = bob.Expect(ctx, "message")
	if want := strings.ToValidUTF8(awkward, "\uFFFD"); ev["body"] != want || ev["display_name"] != `Al "the" Ice` {
		t.Errorf("awkward message event: body %q, display name %q; want %q, %q", ev["body"], ev["display_name"], want, `Al "the" Ice`)
	}

	// Native to wasm, rejected by the handler: the native side sees 486.
	_, err = alice.SendMessage(ctx, "bob", "reject me", nil)
	var rerr *ringo.Error
	if !errors.As(err, &rerr) || rerr.StatusCode != 486 || !errors.Is(err, ringo.CauseBusy) {
		t.Errorf("rejected MESSAGE: got %v, want 486 Busy", err)
	}
	bob.Expect(ctx, "message")

	// Wasm to native, with the JsSIP event handlers and the Promise.
	bob.Send(map[string]any{"cmd": "message", "id": "m1", "target": "alice", "body": "hello native", "content_type": "text/plain;charset=utf-8"})
	select {
	case r := <-got:
		from := r.From()
		if string(r.Body()) != "hello native" || from.URI.User != "bob" || from.DisplayName != "Bob Wasm" ||
			r.ContentType() != "text/plain;charset=utf-8" {
			t.Errorf("native got %q from %v (%s)", r.Body(), from, r.ContentType())
		}
	case <-ctx.Done():
		t.Fatal("native UA got no MESSAGE")
	}
	if ev := bob.Expect(ctx, "message_sent"); ev["status"] != 200.0 || ev["id"] != "m1" {
		t.Errorf("message_sent: %v", ev)
	}
	if ev := bob.Expect(ctx, "result"); ev["ok"] != true || ev["status"] != 200.0 {
		t.Errorf("sendMessage promise: %v", ev)
	}

	// Wasm to a user nobody registered: failed with JsSIP's cause.
	bob.Send(map[string]any{"cmd": "message", "id": "m2", "target": "nobody", "body": "x"})
	if ev := bob.Expect(ctx, "message_failed"); ev["status"] != 404.0 || ev["cause"] != "Not Found" {
		t.Errorf("message_failed: %v", ev)
	}
	if ev := bob.Expect(ctx, "result"); ev["ok"] != false || ev["cause"] != "Not Found" {
		t.Errorf("rejected promise: %v", ev)
	}

	// OPTIONS both ways.
	bob.Send(map[string]any{"cmd": "options", "id": "o1", "target": "sip:alice@ringo.test"})
	if ev := bob.Expect(ctx, "options_sent"); ev["status"] != 200.0 {
		t.Errorf("options_sent: %v", ev)
	}
	if resp, err := alice.SendOptions(ctx, "sip:bob@ringo.test", nil); err != nil || resp.StatusCode != 200 {
		t.Errorf("native to wasm OPTIONS: %v %v", resp, err)
	}
	bob.Expect(ctx, "options")

	bob.Stop(ctx)
}
