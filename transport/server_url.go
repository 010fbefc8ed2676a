//go:build !js

package transport

import (
	"fmt"
	"log/slog"
	"strings"
)

// NewSocket returns a socket for a server named as the ringo command line
// names it: "ws://host:port/path" or "wss://..." for WebSocket, and
// "udp:host:port", "tcp:host:port" or "tls:host:port" for the others
// ("sip:host:port;transport=udp" is understood too). A missing port means
// 5060, or 5061 for TLS.
func NewSocket(server string, log *slog.Logger) (Socket, error) {
	kind, addr, err := splitServer(server)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "ws", "wss":
		return NewWebSocket(server, &WebSocketOptions{Logger: log})
	case "udp":
		return NewUDPSocket(addr, &Options{Logger: log})
	case "tcp":
		return NewTCPSocket(addr, &Options{Logger: log})
	default:
		return NewTLSSocket(addr, nil, &Options{Logger: log})
	}
}

// splitServer returns the transport and host:port of a server string.
func splitServer(server string) (kind, addr string, err error) {
	lower := strings.ToLower(server)
	switch {
	case strings.HasPrefix(lower, "ws://"), strings.HasPrefix(lower, "wss://"):
		return lower[:strings.Index(lower, ":")], "", nil
	case strings.HasPrefix(lower, "sip:"):
		rest := server[len("sip:"):]
		kind = "udp"
		if i := strings.IndexByte(rest, ';'); i >= 0 {
			for _, p := range strings.Split(rest[i+1:], ";") {
				if name, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(name, "transport") {
					kind = strings.ToLower(v)
				}
			}
			rest = rest[:i]
		}
		addr = rest
	default:
		k, a, ok := strings.Cut(server, ":")
		if !ok {
			return "", "", fmt.Errorf("transport: server %q: want ws://, wss://, udp:, tcp: or tls:", server)
		}
		kind, addr = strings.ToLower(k), a
	}
	switch kind {
	case "udp", "tcp", "tls":
	default:
		return "", "", fmt.Errorf("transport: server %q: unknown transport %q", server, kind)
	}
	if addr == "" {
		return "", "", fmt.Errorf("transport: server %q has no host", server)
	}
	if !hasPort(addr) {
		port := "5060"
		if kind == "tls" {
			port = "5061"
		}
		addr += ":" + port
	}
	return kind, addr, nil
}

// hasPort reports whether a host[:port] string has a port.
func hasPort(addr string) bool {
	if strings.HasPrefix(addr, "[") {
		return strings.Contains(addr[strings.IndexByte(addr, ']')+1:], ":")
	}
	return strings.Contains(addr, ":")
}
