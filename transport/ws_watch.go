//go:build !js

package transport

import (
	"context"
	"sync"

	"github.com/coder/websocket"
)

// readWatch closes a connection when the context of a Read ends while the
// Read is in progress, as github.com/coder/websocket does itself for the
// context of each read. The library registers a context.AfterFunc for every
// frame it reads and removes it afterwards, which allocates several times
// per message; a reader loop passes the same context to every Read, so a
// readWatch registers once for that context and only counts, per Read,
// whether one is in progress.
//
// A context is watched from its second Read in a row on; a Read with a new
// context is left to the library as before. A context without a Done
// channel needs no watch. Read calls begin and end from one goroutine at a
// time; the context's AfterFunc calls fire from another.
type readWatch struct {
	mu     sync.Mutex
	ctx    context.Context // the context watched, or nil
	last   context.Context // the context of the previous Read, not watched yet
	stop   func() bool
	active bool // a Read under ctx is in progress
	conn   *websocket.Conn
}

// begin returns the context to hand to the library for a Read under ctx:
// context.Background() and true when ctx is watched, in which case end
// must be called when the Read returns; ctx and false otherwise.
func (w *readWatch) begin(ctx context.Context, conn *websocket.Conn) (context.Context, bool) {
	if ctx.Done() == nil {
		return ctx, false
	}
	w.mu.Lock()
	if w.ctx != ctx {
		if w.last != ctx {
			w.last = ctx
			w.mu.Unlock()
			return ctx, false
		}
		if w.stop != nil {
			w.stop()
		}
		w.ctx, w.last, w.conn = ctx, nil, conn
		w.stop = context.AfterFunc(ctx, w.fire)
	}
	w.active = true
	w.mu.Unlock()
	// A context that ended before the Read began fails the Read as the
	// library does: fire saw no Read in progress, so hand ctx over.
	if ctx.Err() != nil {
		w.end()
		return ctx, false
	}
	return context.Background(), true
}

// end marks the Read begun with a watched context as over.
func (w *readWatch) end() {
	w.mu.Lock()
	w.active = false
	w.mu.Unlock()
}

// fire runs when the watched context ends: a Read in progress is ended by
// closing the connection, as the library would.
func (w *readWatch) fire() {
	w.mu.Lock()
	active, conn := w.active, w.conn
	w.mu.Unlock()
	if active && conn != nil {
		conn.CloseNow()
	}
}

// release stops watching, when the connection is over.
func (w *readWatch) release() {
	w.mu.Lock()
	if w.stop != nil {
		w.stop()
	}
	w.ctx, w.last, w.stop, w.conn = nil, nil, nil, nil
	w.mu.Unlock()
}
