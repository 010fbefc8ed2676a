package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeWeb: "ringo serve --web" serves the web phone page, ringo.js,
// the wasm build from --web-dist, and a config.json that points the page
// at the server's WebSocket listener.
func TestServeWeb(t *testing.T) {
	dist := t.TempDir()
	for name, body := range map[string]string{"ringo.wasm": "\x00asm-test", "wasm_exec.js": "// go"} {
		if err := os.WriteFile(filepath.Join(dist, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := startRingo(t, "serve", "--ws", "127.0.0.1:0",
		"--web", "127.0.0.1:0", "--web-dist", dist, "--json")
	var ws, page string
	for ws == "" || page == "" {
		ev := srv.event(t, "listening")
		switch ev["transport"] {
		case "ws":
			ws = ev["server"].(string)
		case "http":
			page = ev["server"].(string)
		}
	}
	get := func(path string) (string, string) {
		t.Helper()
		resp, err := http.Get(strings.TrimSuffix(page, "/") + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return string(b), resp.Header.Get("Content-Type")
	}
	if body, _ := get("/"); !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("GET / is not the phone page: %.80q", body)
	}
	if body, ct := get("/dist/ringo.wasm"); body != "\x00asm-test" || ct != "application/wasm" {
		t.Errorf("GET /dist/ringo.wasm: %q as %q", body, ct)
	}
	var cfg map[string]string
	body, _ := get("/config.json")
	if err := json.Unmarshal([]byte(body), &cfg); err != nil || cfg["ws_url"] != ws {
		t.Errorf("config.json %q (%v), want ws_url %q", body, err, ws)
	}
}
