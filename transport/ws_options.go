//go:build !js

package transport

import (
	"crypto/tls"
	"log/slog"
	"net/http"
)

// WebSocketOptions configures a [WebSocket]. The zero value is ready to use.
type WebSocketOptions struct {
	// Logger receives connection events and, at Debug level, every SIP
	// message sent and received. Nil means slog.Default().
	Logger *slog.Logger

	// MaxMessageSize is the largest message accepted in one frame, in
	// bytes. It raises the WebSocket library's 32 KiB read limit. Zero
	// means sip.DefaultMaxMessageSize (64 KiB).
	MaxMessageSize int

	// ViaHost is the host written in Via sent-by and Contact. Empty means
	// a random "<token>.invalid" name, as RFC 7118 §5.2 recommends for a
	// client that cannot be reached by a new connection.
	ViaHost string

	// TLSConfig configures wss connections: RootCAs to trust a test CA,
	// client certificates, ServerName. Nil means the system's roots and the
	// URL's host name. Certificates are always verified unless
	// InsecureSkipVerify is set. (GOOS=js builds have no such field: the
	// JavaScript WebSocket verifies.)
	TLSConfig *tls.Config

	// InsecureSkipVerify turns off certificate verification for wss.
	// It exists for tests against throw-away servers; never set it
	// otherwise.
	InsecureSkipVerify bool

	// Header holds extra HTTP headers for the opening handshake (for
	// example Origin or an authorization token). GOOS=js builds have no
	// such field: browsers do not let a page set them.
	Header http.Header
}
