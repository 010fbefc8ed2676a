//go:build !js

package wasm

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
//
// Files go out gzipped (compressed once, at the default level, and kept
// until the file changes) to clients that accept it: ringo.wasm is 6.3 MB
// as it is and about 1.5 MB gzipped.
func WebHandler(cfg WebConfig) http.Handler {
	page, _ := fs.Sub(files, "web")
	mux := http.NewServeMux()
	gz := &gzipCache{files: map[string]gzipped{}}
	serveFile := func(fsys fs.FS, name, typ string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", typ)
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				w.Header().Set("Content-Encoding", "gzip")
				b = gz.get(r.URL.Path, b)
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
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

// gzipCache keeps the gzipped form of each file served, made on first
// request, until the file's contents change.
type gzipCache struct {
	mu    sync.Mutex
	files map[string]gzipped
}

type gzipped struct {
	sum [sha256.Size]byte // of the file as it is
	gz  []byte
}

// get returns b, the contents of the file served at path, gzipped.
func (c *gzipCache) get(path string, b []byte) []byte {
	sum := sha256.Sum256(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.files[path]; ok && e.sum == sum {
		return e.gz
	}
	var buf bytes.Buffer
	// The default level: within 1 % of BestCompression's size on
	// ringo.wasm, in a third of the time the first visitor waits.
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	c.files[path] = gzipped{sum: sum, gz: buf.Bytes()}
	return buf.Bytes()
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, e := range strings.Split(v, ",") {
			name, q, _ := strings.Cut(strings.TrimSpace(e), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
				return true
			}
		}
	}
	return false
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
