//go:build !js

package transport

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/coder/websocket"
)

// readBufs holds the buffers that readMessage reads frames into.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooledRead is the largest read buffer kept for the next message.
const maxPooledRead = 64 << 10

// readMessage reads the next data message, as conn.Read does, into a
// pooled buffer and returns a copy of exactly its length: one allocation
// per message, where conn.Read's io.ReadAll starts at 512 bytes and grows.
func readMessage(ctx context.Context, conn *websocket.Conn) (websocket.MessageType, []byte, error) {
	typ, r, err := conn.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	bp := readBufs.Get().(*[]byte)
	b := (*bp)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			putReadBuf(bp, b)
			return typ, nil, err
		}
	}
	msg := bytes.Clone(b)
	putReadBuf(bp, b)
	return typ, msg, nil
}

func putReadBuf(bp *[]byte, b []byte) {
	if cap(b) <= maxPooledRead {
		*bp = b[:0]
		readBufs.Put(bp)
	}
}
