//go:build js

package transport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"
	"unicode/utf8"
)

// wsDialer opens client WebSocket connections through the JavaScript
// WebSocket (the browser's, or in Node.js the global one, which ringo.js
// provides from the ws package when Node has none). It takes no TLS
// settings or headers.
type wsDialer struct{}

func newWSDialer(bool, *WebSocketOptions) (wsDialer, error) { return wsDialer{}, nil }

// errNoWebSocket is returned by Dial where JavaScript has no WebSocket.
var errNoWebSocket = errors.New("this JavaScript environment has no WebSocket (in Node.js before 22, set globalThis.WebSocket = require('ws'))")

// wsLink is a JavaScript WebSocket. Its event handlers run on the
// JavaScript event loop and must not block: onmessage queues the message
// for read, onclose records the close code and reason.
type wsLink struct {
	ws     js.Value
	limit  int64
	funcs  []js.Func
	opened chan struct{}
	done   chan struct{} // closed by onclose
	wake   chan struct{} // a message was queued, or the connection closed

	mu    sync.Mutex
	queue [][]byte
	err   error // why the connection ended, once it has
}

func (wsDialer) dial(ctx context.Context, url string, limit int64) (*wsLink, error) {
	ctor := js.Global().Get("WebSocket")
	if ctor.Type() != js.TypeFunction {
		return nil, errNoWebSocket
	}
	l := &wsLink{
		limit:  limit,
		opened: make(chan struct{}),
		done:   make(chan struct{}),
		wake:   make(chan struct{}, 1),
	}
	err := catch(func() {
		l.ws = ctor.New(url, Subprotocol)
		l.ws.Set("binaryType", "arraybuffer")
	})
	if err != nil {
		return nil, err
	}
	// Node's ws package throws an error event that has no listener; the
	// close event that follows says what happened.
	l.on("error", func(js.Value) {})
	l.on("open", func(js.Value) { close(l.opened) })
	l.on("message", l.onMessage)
	l.on("close", l.onClose)
	select {
	case <-l.opened:
		return l, nil
	case <-l.done:
		// Scripts are told nothing about why a handshake failed: the
		// browser logs it; the close code is 1006.
		return nil, fmt.Errorf("connection failed: %w", l.ended())
	case <-ctx.Done():
		l.closeNow()
		return nil, ctx.Err()
	}
}

// on sets the handler of one WebSocket event.
func (l *wsLink) on(event string, f func(ev js.Value)) {
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			f(args[0])
		}
		return nil
	})
	l.funcs = append(l.funcs, fn)
	l.ws.Set("on"+event, fn)
}

func (l *wsLink) onMessage(ev js.Value) {
	var b []byte
	switch data := ev.Get("data"); data.Type() {
	case js.TypeString:
		b = []byte(data.String())
	default: // an ArrayBuffer, as binaryType asks
		u8 := js.Global().Get("Uint8Array").New(data)
		if n := int64(u8.Get("byteLength").Int()); n <= l.limit {
			b = make([]byte, n)
			js.CopyBytesToGo(b, u8)
		} else {
			b = make([]byte, n) // only its length is used below
		}
	}
	l.mu.Lock()
	if l.err == nil {
		if int64(len(b)) > l.limit {
			l.err = fmt.Errorf("a message of %d bytes is over the limit of %d", len(b), l.limit)
			l.ws.Call("close", wsNormalClosure, "message too big")
		} else {
			l.queue = append(l.queue, b)
		}
	}
	l.mu.Unlock()
	l.signal()
}

func (l *wsLink) onClose(ev js.Value) {
	l.mu.Lock()
	if l.err == nil {
		l.err = &CloseError{Code: ev.Get("code").Int(), Reason: ev.Get("reason").String()}
	}
	l.mu.Unlock()
	// No event comes after close: the handlers can go.
	for _, name := range []string{"onerror", "onopen", "onmessage", "onclose"} {
		l.ws.Set(name, js.Null())
	}
	for _, f := range l.funcs {
		f.Release()
	}
	close(l.done)
	l.signal()
}

func (l *wsLink) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// ended returns why the connection ended.
func (l *wsLink) ended() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func (l *wsLink) subprotocol() string { return l.ws.Get("protocol").String() }

func (l *wsLink) refuse(reason string) { l.closeWith(wsNormalClosure, reason) }

// send sends msg as a text frame, or as a binary frame when it is not
// UTF-8 (a body in another charset): a JavaScript string would replace the
// bytes that are not.
func (l *wsLink) send(_ context.Context, msg []byte) error {
	if err := l.ended(); err != nil {
		return err
	}
	return catch(func() {
		if utf8.Valid(msg) {
			l.ws.Call("send", string(msg))
			return
		}
		u8 := js.Global().Get("Uint8Array").New(len(msg))
		js.CopyBytesToJS(u8, msg)
		l.ws.Call("send", u8)
	})
}

// read returns the next message queued by onmessage; when none is left
// after the connection closed, the *CloseError.
func (l *wsLink) read(ctx context.Context) ([]byte, error) {
	for {
		l.mu.Lock()
		if len(l.queue) > 0 {
			b := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			l.mu.Unlock()
			return b, nil
		}
		err := l.err
		l.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-l.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ping returns nil: a page cannot send WebSocket pings.
func (l *wsLink) ping(context.Context) error { return nil }

func (l *wsLink) closeNow() { l.closeWith(wsNormalClosure, "") }

// close starts the closing handshake and waits a few seconds at most for
// it to end.
func (l *wsLink) close(code int, reason string) error {
	if err := l.closeWith(code, reason); err != nil {
		return err
	}
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-l.done:
	case <-t.C:
	}
	return nil
}

// closeWith calls the WebSocket's close with a code scripts may send:
// 1000 or 3000–4999.
func (l *wsLink) closeWith(code int, reason string) error {
	if code != wsNormalClosure && (code < 3000 || code > 4999) {
		code = wsNormalClosure
	}
	return catch(func() { l.ws.Call("close", code, reason) })
}

// catch runs f and returns the JavaScript exception it threw, if any.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			jsErr, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = jsErr
		}
	}()
	f()
	return nil
}
