//go:build js

package transport

import (
	"context"

	"github.com/coder/websocket"
)

// readWatch does nothing in browsers, where the library's Read waits on
// the context's Done channel without allocating.
type readWatch struct{}

func (*readWatch) begin(ctx context.Context, _ *websocket.Conn) (context.Context, bool) {
	return ctx, false
}
func (*readWatch) end()     {}
func (*readWatch) release() {}
