package testpeer

import (
	"bytes"
	"sync"
)

// maxLog bounds what a logBuffer keeps: beyond it the oldest half is dropped,
// so a chatty peer in a long test cannot eat the machine's memory.
const maxLog = 8 << 20

// logBuffer is an io.Writer that collects a process's output for the test
// log; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len()+len(p) > maxLog {
		keep := b.buf.Bytes()[b.buf.Len()/2:]
		var n bytes.Buffer
		n.WriteString("[... earlier output dropped ...]\n")
		n.Write(keep)
		b.buf = n
	}
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns at most the last n bytes of s, cut at a line start.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return "[...]\n" + s
}
