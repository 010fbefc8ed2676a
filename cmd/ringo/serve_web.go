package main

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/wasm"
)

// webOrigins returns the Origin patterns a browser page served on addr
// has: the address itself and, for a loopback address, localhost.
func webOrigins(addr string) []string {
	if addr == "" {
		return nil
	}
	out := []string{addr}
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			out = append(out, "localhost:"+port)
		}
	}
	return out
}

// serveWeb serves the web phone on addr in the background until the
// command's context ends: the page, ringo.js and the wasm build from dist
// (built now into a temporary folder when dist is empty).
func serveWeb(e *env, rep *reporter, addr, dist string, addrs server.Addrs, domain string) int {
	if dist == "" {
		dir, err := os.MkdirTemp("", "ringo-web-")
		if err != nil {
			rep.errorf("%v", err)
			return exitFailure
		}
		go func() { <-e.ctx.Done(); os.RemoveAll(dir) }()
		rep.progress("building the wasm web phone (go build, GOOS=js GOARCH=wasm)")
		if err := wasm.Build(e.ctx, dir); err != nil {
			rep.errorf("%v", err)
			return exitFailure
		}
		dist = dir
	} else if _, err := os.Stat(filepath.Join(dist, "ringo.wasm")); err != nil {
		rep.errorf("--web-dist %s: %v", dist, err)
		return exitFailure
	}
	wsURL := ""
	if addrs.WS.IsValid() {
		wsURL = "ws://" + addrs.WS.String()
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		rep.errorf("--web: %v", err)
		return exitFailure
	}
	hs := &http.Server{
		Handler:           wasm.WebHandler(wasm.WebConfig{Dist: dist, WSURL: wsURL, Domain: domain}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			rep.errorf("web phone: %v", err)
		}
	}()
	go func() { <-e.ctx.Done(); hs.Close() }()
	url := "http://" + l.Addr().String() + "/"
	rep.event("web phone on "+url, "listening", "transport", "http", "addr", l.Addr().String(), "server", url)
	return exitOK
}
