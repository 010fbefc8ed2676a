//go:build js

package transport

import (
	"context"

	"github.com/coder/websocket"
)

// readMessage reads the next data message.
func readMessage(ctx context.Context, conn *websocket.Conn) (websocket.MessageType, []byte, error) {
	return conn.Read(ctx)
}
