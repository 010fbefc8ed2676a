//go:build !js

package wasm

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// files are the package's JavaScript and the web phone page.
//
//go:embed ringo.js ringo.d.ts web
var files embed.FS

// WebConfig configures WebHandler.
type WebConfig struct {
	// Dist is the folder with ringo.wasm and wasm_exec.js, as build.sh or
	// Build make it (required).
	Dist string
	// WSURL is the SIP-over-WebSocket server the page proposes, such as
	// "ws://127.0.0.1:8080"; Domain is the SIP domain its address hint
	// uses. Both may be empty.
	WSURL, Domain string
}

// WebHandler serves the Ringo web phone: the page (register, dial pad,
// call, answer, hang up, hold, mute, DTMF, messages, call state and
// duration) at /, ringo.js and ringo.d.ts, dist/ringo.wasm and
// dist/wasm_exec.js from cfg.Dist, and /config.json with the server the
// page proposes. `ringo serve --web` mounts it.
func WebHandler(cfg WebConfig) http.Handler {
	page, _ := fs.Sub(files, "web")
	mux := http.NewServeMux()
	serveFile := func(fsys fs.FS, name, typ string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", typ)
			w.Header().Set("Cache-Control", "no-cache")
			w.Write(b)
		}
	}
	mux.HandleFunc("GET /{$}", serveFile(page, "index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /index.html", serveFile(page, "index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /phone.js", serveFile(page, "phone.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /phone.css", serveFile(page, "phone.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /ringo.js", serveFile(files, "ringo.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /ringo.d.ts", serveFile(files, "ringo.d.ts", "text/plain; charset=utf-8"))
	dist := os.DirFS(cfg.Dist)
	mux.HandleFunc("GET /dist/ringo.wasm", serveFile(dist, "ringo.wasm", "application/wasm"))
	mux.HandleFunc("GET /dist/wasm_exec.js", serveFile(dist, "wasm_exec.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		json.NewEncoder(w).Encode(map[string]string{"ws_url": cfg.WSURL, "domain": cfg.Domain})
	})
	return mux
}

// Build builds dist/ringo.wasm into dir with the go command, as build.sh
// does, and copies the toolchain's wasm_exec.js next to it. It runs in
// the current directory, which must be inside a module that has Ringo:
// its repository, or an application that requires it.
func Build(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	goroot, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("wasm: go env GOROOT: %w (is Go installed?)", err)
	}
	root := strings.TrimSpace(string(goroot))
	var execJS []byte
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if execJS, err = os.ReadFile(filepath.Join(root, p)); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("wasm: no wasm_exec.js in %s", root)
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), execJS, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-gcflags=all=-l", "-gcflags=sync/atomic=", "-ldflags=-s -w -buildid=", "-o", filepath.Join(dir, "ringo.wasm"),
		"github.com/ringo-sip/ringo/wasm/cmd/ringo-wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.New("wasm: building ringo.wasm: " + strings.TrimSpace(string(out)))
	}
	return nil
}
