//go:build js

package transport

import (
	"context"

	"github.com/coder/websocket"
)

// writeWatch hands every write to the library in browsers, whose Write
// waits on the context's Done channel without allocating.
type writeWatch struct{}

func newWriteWatch() writeWatch { return writeWatch{} }

func (*writeWatch) write(ctx context.Context, conn *websocket.Conn, typ websocket.MessageType, msg []byte) error {
	return conn.Write(ctx, typ, msg)
}
