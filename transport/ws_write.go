//go:build !js

package transport

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// writeGrace is how long a write whose context can end runs before the
// socket starts watching that context.
const writeGrace = 5 * time.Millisecond

// writeWatch writes the frames of a connection one at a time and closes
// the connection when the context of a write ends while the write is in
// progress, as github.com/coder/websocket does itself. The library
// registers a context.AfterFunc for every write, which allocates several
// times when the context can end, as the context of a send bounded by a
// timeout can; yet nearly every write is over in microseconds, long before
// its context could end. So a write is handed to the library with a
// context without a Done channel, and the watch arms one timer of the
// connection (no allocation) for writeGrace, or until the context's
// deadline if that is sooner; only when the timer fires with the write
// still in progress does it register the AfterFunc. A deadline is kept to
// the timer's precision; a context cancelled during a write that is stuck
// closes the connection at most writeGrace later than the library would.
//
// Waiting for another write ends with the context, as the library's own
// write lock does, without closing the connection.
type writeWatch struct {
	sem chan struct{} // holds a token while a frame is written

	mu    sync.Mutex
	timer *time.Timer
	ctx   context.Context // of the write in progress, or nil
	conn  *websocket.Conn
	stop  func() bool // the AfterFunc registered by late, or nil
}

func newWriteWatch() writeWatch { return writeWatch{sem: make(chan struct{}, 1)} }

// write writes msg as one frame of type typ.
//
// It does not call ctx.Done unless it has to wait for another write: a
// context made by WithTimeout allocates its channel on the first call.
func (w *writeWatch) write(ctx context.Context, conn *websocket.Conn, typ websocket.MessageType, msg []byte) error {
	select {
	case w.sem <- struct{}{}:
	default:
		select {
		case w.sem <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("failed to wait for another write: %w", ctx.Err())
		}
	}
	defer func() { <-w.sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	w.arm(ctx, conn)
	err := conn.Write(context.Background(), typ, msg)
	w.disarm()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// arm starts the timer for a write under ctx.
func (w *writeWatch) arm(ctx context.Context, conn *websocket.Conn) {
	d := writeGrace
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
	}
	w.mu.Lock()
	w.ctx, w.conn = ctx, conn
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.late)
	} else {
		w.timer.Reset(d)
	}
	w.mu.Unlock()
}

// late runs when a write has lasted writeGrace, or reached its context's
// deadline: from now on the end of the context closes the connection (at
// once if it has ended already).
func (w *writeWatch) late() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx == nil || w.stop != nil {
		return // the write is over, or watched already
	}
	conn := w.conn
	w.stop = context.AfterFunc(w.ctx, func() { conn.CloseNow() })
}

// disarm ends the watch of the write that is over.
func (w *writeWatch) disarm() {
	w.mu.Lock()
	w.timer.Stop()
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
	w.ctx, w.conn = nil, nil
	w.mu.Unlock()
}
