//go:build !js

package wasm_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/wasm"
)

// WebHandler serves the page, the package's JavaScript, the wasm build and
// the page's configuration, each with its content type.
func TestWebHandler(t *testing.T) {
	srv := httptest.NewServer(wasm.WebHandler(wasm.WebConfig{Dist: buildWasm(t), WSURL: "ws://127.0.0.1:5555", Domain: "ringo.test"}))
	defer srv.Close()
	for _, c := range []struct{ path, typ, has string }{
		{"/", "text/html", "Ringo web phone"},
		{"/phone.js", "text/javascript", "newRTCSession"},
		{"/phone.css", "text/css", ".pad"},
		{"/ringo.js", "text/javascript", "WebSocketInterface"},
		{"/ringo.d.ts", "text/plain", "export declare class UA"},
		{"/dist/ringo.wasm", "application/wasm", "\x00asm"},
		{"/dist/wasm_exec.js", "text/javascript", "globalThis.Go"},
		{"/config.json", "application/json", `"ws_url":"ws://127.0.0.1:5555"`},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.typ) || !strings.Contains(string(b), c.has) {
			t.Errorf("GET %s: %d %s, %d bytes; want %s with %q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), len(b), c.typ, c.has)
		}
	}
	if resp, err := http.Get(srv.URL + "/nothing"); err != nil || resp.StatusCode != 404 {
		t.Errorf("GET /nothing: %v %v", resp, err)
	}
}

// Build makes the same files as build.sh.
func TestBuild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	if err := wasm.Build(ctx, dir); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(wasm.WebHandler(wasm.WebConfig{Dist: dir}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/dist/ringo.wasm")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(b) < 1<<20 || string(b[:4]) != "\x00asm" {
		t.Errorf("built ringo.wasm: %d bytes", len(b))
	}
	// The same flags as build.sh: with -trimpath the two files are the
	// same bytes.
	want, err := os.ReadFile(filepath.Join(buildWasm(t), "ringo.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("wasm.Build made %d bytes, build.sh %d: their go build flags differ", len(b), len(want))
	}
}
