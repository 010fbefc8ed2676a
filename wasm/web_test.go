//go:build !js

package wasm_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
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
		resp, err := plainClient.Get(srv.URL + c.path)
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

// plainClient asks for files as they are (no Accept-Encoding), sparing
// the tests that do not look at compression a gzip -9 of ringo.wasm.
var plainClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// WebHandler gzips what it serves for clients that accept gzip, and only
// for them, and notices when a file changes.
func TestWebHandlerGzip(t *testing.T) {
	dist := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(buildWasm(t), "ringo.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dist, "ringo.wasm"), raw, 0o644)
	os.WriteFile(filepath.Join(dist, "wasm_exec.js"), []byte("// one\n"), 0o644)
	srv := httptest.NewServer(wasm.WebHandler(wasm.WebConfig{Dist: dist}))
	defer srv.Close()
	// A client that sees the bytes as sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path, accept string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	gunzip := func(b []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, accept := range []string{"", "identity", "gzip;q=0", "br;q=1.0, gzip; q=0"} {
		resp, b := get("/dist/ringo.wasm", accept)
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(b, raw) {
			t.Errorf("Accept-Encoding %q: %q encoding, %d bytes; want the file as it is, %d bytes", accept, resp.Header.Get("Content-Encoding"), len(b), len(raw))
		}
	}
	for _, accept := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, GZIP;q=0.5"} {
		resp, b := get("/dist/ringo.wasm", accept)
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" ||
			resp.Header.Get("Content-Length") != strconv.Itoa(len(b)) {
			t.Fatalf("Accept-Encoding %q: headers %v", accept, resp.Header)
		}
		if len(b) > len(raw)/3 || !bytes.Equal(gunzip(b), raw) {
			t.Errorf("Accept-Encoding %q: %d gzipped bytes of %d; want the file, under a third", accept, len(b), len(raw))
		}
	}
	// A file that changes is compressed again.
	if _, b := get("/dist/wasm_exec.js", "gzip"); string(gunzip(b)) != "// one\n" {
		t.Errorf("wasm_exec.js: %q", gunzip(b))
	}
	os.WriteFile(filepath.Join(dist, "wasm_exec.js"), []byte("// two\n"), 0o644)
	if _, b := get("/dist/wasm_exec.js", "gzip"); string(gunzip(b)) != "// two\n" {
		t.Errorf("wasm_exec.js after a change: %q", gunzip(b))
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
	resp, err := plainClient.Get(srv.URL + "/dist/ringo.wasm")
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
