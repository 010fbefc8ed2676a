//go:build !js

package transport

import "testing"

func TestSplitServer(t *testing.T) {
	tests := []struct {
		in, kind, addr string
		bad            bool
	}{
		{in: "ws://127.0.0.1:8080/ws", kind: "ws"},
		{in: "WSS://example.com", kind: "wss"},
		{in: "udp:127.0.0.1:5060", kind: "udp", addr: "127.0.0.1:5060"},
		{in: "tcp:example.com", kind: "tcp", addr: "example.com:5060"},
		{in: "tls:example.com", kind: "tls", addr: "example.com:5061"},
		{in: "tcp:[::1]", kind: "tcp", addr: "[::1]:5060"},
		{in: "sip:127.0.0.1:5070;transport=TCP", kind: "tcp", addr: "127.0.0.1:5070"},
		{in: "sip:127.0.0.1", kind: "udp", addr: "127.0.0.1:5060"},
		{in: "sctp:h:1", bad: true},
		{in: "example.com", bad: true},
		{in: "udp:", bad: true},
	}
	for _, tt := range tests {
		kind, addr, err := splitServer(tt.in)
		if (err != nil) != tt.bad || kind != tt.kind || addr != tt.addr {
			t.Errorf("splitServer(%q) = %q, %q, %v; want %q, %q, bad=%v", tt.in, kind, addr, err, tt.kind, tt.addr, tt.bad)
		}
	}
	if _, err := NewSocket("udp:127.0.0.1:9", nil); err != nil {
		t.Errorf("NewSocket(udp): %v", err)
	}
}
