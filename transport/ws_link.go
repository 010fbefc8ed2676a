//go:build !js

package transport

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// wsLink is a connection of github.com/coder/websocket, with the watches
// that keep reads and writes cheap (see readWatch and writeWatch).
type wsLink struct {
	c *websocket.Conn
	// rw watches the context that Read is called with, ww the context of
	// each write.
	rw readWatch
	ww writeWatch
}

func newWSLink(c *websocket.Conn, limit int64) *wsLink {
	c.SetReadLimit(limit)
	return &wsLink{c: c, ww: newWriteWatch()}
}

func (l *wsLink) subprotocol() string { return l.c.Subprotocol() }

// refuse closes a connection whose handshake did not agree on what SIP
// needs, with 1002 (protocol error).
func (l *wsLink) refuse(reason string) { l.c.Close(websocket.StatusProtocolError, reason) }

// send writes msg as one text frame, or as a binary frame when it is not
// UTF-8 (a body in another charset, or binary): a browser fails the
// connection on a text frame that is not UTF-8 (RFC 6455 §8.1).
func (l *wsLink) send(ctx context.Context, msg []byte) error {
	typ := websocket.MessageText
	if !utf8.Valid(msg) {
		typ = websocket.MessageBinary
	}
	return l.ww.write(ctx, l.c, typ, msg)
}

// read returns the payload of the next data frame. A close frame from the
// peer is returned as a *CloseError.
func (l *wsLink) read(ctx context.Context) ([]byte, error) {
	rctx, watched := l.rw.begin(ctx, l.c)
	_, b, err := readMessage(rctx, l.c)
	if watched {
		l.rw.end()
	}
	if err != nil {
		l.rw.release()
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return nil, &CloseError{Code: int(ce.Code), Reason: ce.Reason}
		}
		return nil, err
	}
	return b, nil
}

func (l *wsLink) ping(ctx context.Context) error { return l.c.Ping(ctx) }

func (l *wsLink) closeNow() { l.c.CloseNow() }

// close sends a close frame and waits a few seconds at most for the
// peer's. A close that the peer started or answered is not an error.
func (l *wsLink) close(code int, reason string) error {
	err := l.c.Close(websocket.StatusCode(code), reason)
	if err != nil && websocket.CloseStatus(err) == -1 {
		return err
	}
	return nil
}
