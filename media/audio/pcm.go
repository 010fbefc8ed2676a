package audio

import (
	"io"
	"sync"
	"time"
)

// PCMWriter is a Source that an application pushes samples into, as a
// voice bot does with synthesized speech. Write queues samples and blocks
// while the queue is full, so a writer is paced by the call; the session
// reads the queue every 20 ms and sends silence when it is empty.
//
// A PCMWriter is safe for concurrent use.
type PCMWriter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []int16 // queued samples; buf[0] is the next to send
	max    int
	closed bool // no more writes; reads drain then return io.EOF
}

// NewPCMWriter returns a PCMWriter that queues up to buffer worth of audio
// (1 s if buffer is zero or less).
func NewPCMWriter(buffer time.Duration) *PCMWriter {
	if buffer <= 0 {
		buffer = time.Second
	}
	w := &PCMWriter{max: max(FrameSamples, int(int64(buffer)*Rate/int64(time.Second)))}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// Write queues samples (16-bit linear, mono, at Rate), blocking while the
// queue is full. It returns ErrClosed, with the count written so far, once
// the writer is closed.
func (w *PCMWriter) Write(samples []int16) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for n < len(samples) {
		for !w.closed && len(w.buf) >= w.max {
			w.cond.Wait()
		}
		if w.closed {
			return n, ErrClosed
		}
		k := min(len(samples)-n, w.max-len(w.buf))
		w.buf = append(w.buf, samples[n:n+k]...)
		n += k
	}
	return n, nil
}

// Buffered returns how much audio is queued.
func (w *PCMWriter) Buffered() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Duration(len(w.buf)) * time.Second / Rate
}

// ReadPCM fills p with queued samples, padding with silence when the queue
// runs short; after Close it drains the queue and then returns io.EOF.
func (w *PCMWriter) ReadPCM(p []int16) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := copy(p, w.buf)
	w.buf = w.buf[:copy(w.buf, w.buf[n:])]
	w.cond.Broadcast()
	if n == 0 && w.closed {
		return 0, io.EOF
	}
	if w.closed {
		return n, nil
	}
	clear(p[n:])
	return len(p), nil
}

// Close ends the stream: blocked and later writes return ErrClosed, and
// reads return io.EOF once the queue is drained.
func (w *PCMWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.cond.Broadcast()
	return nil
}

// PCMReader is a Sink that hands frames received to an application over a
// channel. It never blocks the session: when the channel is full the frame
// is dropped and counted.
//
// A PCMReader is safe for concurrent use.
type PCMReader struct {
	mu      sync.Mutex
	ch      chan []int16
	closed  bool
	dropped uint64
}

// NewPCMReader returns a PCMReader whose channel holds up to depth frames
// (50, one second, if depth is zero or less).
func NewPCMReader(depth int) *PCMReader {
	if depth <= 0 {
		depth = 50
	}
	return &PCMReader{ch: make(chan []int16, depth)}
}

// Frames returns the channel of frames; it is closed by Close.
func (r *PCMReader) Frames() <-chan []int16 { return r.ch }

// WritePCM sends a copy of p on the channel, or drops it if the channel is
// full.
func (r *PCMReader) WritePCM(p []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	select {
	case r.ch <- append([]int16(nil), p...):
	default:
		r.dropped++
	}
	return nil
}

// Dropped returns how many frames were dropped because the channel was full.
func (r *PCMReader) Dropped() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Close closes the channel. It is safe to call more than once.
func (r *PCMReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	return nil
}
