//go:build js

package transport

import "log/slog"

// WebSocketOptions configures a [WebSocket]. The zero value is ready to use.
//
// In GOOS=js builds it has no TLS settings or HTTP headers: the JavaScript
// WebSocket verifies certificates itself and lets no page set headers, and
// leaving them out keeps crypto/tls and net/http out of the wasm file.
type WebSocketOptions struct {
	// Logger receives connection events and, at Debug level, every SIP
	// message sent and received. Nil means slog.Default().
	Logger *slog.Logger

	// MaxMessageSize is the largest message accepted in one frame, in
	// bytes. Zero means sip.DefaultMaxMessageSize (64 KiB).
	MaxMessageSize int

	// ViaHost is the host written in Via sent-by and Contact. Empty means
	// a random "<token>.invalid" name, as RFC 7118 §5.2 recommends for a
	// client that cannot be reached by a new connection.
	ViaHost string
}
