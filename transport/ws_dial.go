//go:build !js

package transport

import (
	"context"
	"crypto/tls"
	"net/http"

	"github.com/coder/websocket"
)

// wsDialer opens client WebSocket connections with the options of a
// WebSocket: its HTTP client (for the TLS settings) and extra headers.
type wsDialer struct {
	client *http.Client
	header http.Header
}

func newWSDialer(secure bool, opts *WebSocketOptions) (wsDialer, error) {
	d := wsDialer{header: opts.Header.Clone()}
	if !secure || opts.TLSConfig == nil && !opts.InsecureSkipVerify {
		return d, nil
	}
	cfg := &tls.Config{}
	if opts.TLSConfig != nil {
		cfg = opts.TLSConfig.Clone()
	}
	if opts.InsecureSkipVerify {
		cfg.InsecureSkipVerify = true
	}
	// A transport of its own, HTTP/1.1 only: the upgrade needs it, and a
	// custom TLS config must not leak into http.DefaultTransport.
	d.client = &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyFromEnvironment,
		TLSClientConfig: cfg,
	}}
	return d, nil
}

func (d wsDialer) dial(ctx context.Context, url string, limit int64) (*wsLink, error) {
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:   d.client,
		HTTPHeader:   d.header,
		Subprotocols: []string{Subprotocol},
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, &handshakeError{status: resp.Status, err: err}
		}
		return nil, err
	}
	return newWSLink(c, limit), nil
}

// handshakeError is a WebSocket upgrade the server answered with an HTTP
// status other than 101.
type handshakeError struct {
	status string
	err    error
}

// Error says which status the server answered with.
func (e *handshakeError) Error() string {
	return "server answered the upgrade with HTTP " + e.status + ": " + e.err.Error()
}

// Unwrap returns the WebSocket library's error.
func (e *handshakeError) Unwrap() error { return e.err }
