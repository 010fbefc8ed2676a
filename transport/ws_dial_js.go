//go:build js

package transport

import (
	"context"

	"github.com/coder/websocket"
)

// wsDialer opens client WebSocket connections through the browser's
// WebSocket, which takes no TLS settings or headers.
type wsDialer struct{}

func newWSDialer(bool, *WebSocketOptions) (wsDialer, error) { return wsDialer{}, nil }

func (wsDialer) dial(ctx context.Context, url string) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{Subprotocol}})
	return c, err
}
