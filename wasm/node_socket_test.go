//go:build !js

package wasm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ringo-sip/ringo/sip"
)

// The wasm build's WebSocket (the JavaScript one, driven from Go on
// syscall/js) against a server that does what a real one may: answer the
// REGISTER, then close with a code and reason of its own; the UA reports
// them in "disconnected", as JsSIP does, and connects again. A server
// that does not agree to the "sip" subprotocol is never connected to.
func TestNodeWebSocketClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conns := make(chan int32, 4)
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		n := count.Add(1)
		conns <- n
		if c.Subprotocol() != "sip" {
			c.Close(websocket.StatusProtocolError, "no sip")
			return
		}
		typ, b, err := c.Read(r.Context())
		if err != nil {
			t.Errorf("server: %v", err)
			return
		}
		req, err := sip.Parse(b)
		if err != nil || typ != websocket.MessageText {
			t.Errorf("server read %v %q: %v", typ, b, err)
			return
		}
		resp := sip.NewResponse(req.(*sip.Request), 200, "OK")
		resp.Header().Set("Expires", "120")
		if ct := req.Header().Get("Contact"); ct != "" {
			resp.Header().Set("Contact", ct)
		}
		if err := c.Write(r.Context(), websocket.MessageText, resp.Bytes()); err != nil {
			t.Errorf("server: %v", err)
			return
		}
		if n == 1 {
			// The first connection: closed by the server with 4001.
			c.Close(4001, "down for maintenance")
			return
		}
		c.Read(r.Context()) // the second stays until the UA stops
	}))
	defer srv.Close()
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http")

	p := runPeer(t, ctx, peerScript(t, "peer.js"), map[string]string{
		"RINGO_WS_URL": wsURL, "RINGO_URI": "sip:carol@ringo.test", "RINGO_PASSWORD": "x",
	})
	if ev := p.Expect(ctx, "registered"); ev["status"] != 200.0 {
		t.Fatalf("registered: %v", ev)
	}
	ev := p.Expect(ctx, "disconnected")
	if ev["code"] != 4001.0 || ev["reason"] != "down for maintenance" || ev["error"] != true {
		t.Errorf("disconnected %v, want code 4001, the reason, error true", ev)
	}
	// JsSIP's UA connects again after a lost connection, and registers.
	p.Expect(ctx, "connected")
	if ev := p.Expect(ctx, "registered"); ev["status"] != 200.0 {
		t.Fatalf("registered again: %v", ev)
	}
	if got := []int32{<-conns, <-conns}; got[1] != 2 {
		t.Errorf("connections %v", got)
	}
}

func TestNodeWebSocketSubprotocolRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	accepted := make(chan struct{}, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No subprotocols: the server agrees to none.
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		accepted <- struct{}{}
		c.Read(r.Context())
		c.CloseNow()
	}))
	defer srv.Close()
	p := runPeer(t, ctx, peerScript(t, "peer.js"), map[string]string{
		"RINGO_WS_URL": "ws" + strings.TrimPrefix(srv.URL, "http"), "RINGO_URI": "sip:carol@ringo.test", "RINGO_PASSWORD": "x",
	})
	ev, err := p.WaitForAny(ctx, "connected", "disconnected")
	if err != nil {
		t.Fatal(err)
	}
	if ev["event"] != "disconnected" || ev["error"] != true {
		t.Errorf("first connection event %v, want disconnected with error: no sip subprotocol", ev)
	}
	<-accepted // the handshake did reach the server
}
