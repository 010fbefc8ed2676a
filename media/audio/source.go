package audio

import (
	"errors"
	"io"
	"math"
	"time"
)

// Rate is the sample rate of sources and sinks: 8 kHz, G.711's.
const Rate = 8000

// FrameSamples is the number of samples in one 20 ms frame at Rate.
const FrameSamples = Rate / 50

// ErrClosed is returned by writes to a closed PCMWriter, PCMReader or
// WAVWriter.
var ErrClosed = errors.New("audio: closed")

// Source is audio to send: 16-bit linear PCM, mono, at Rate.
//
// ReadPCM fills p with the next samples and returns how many it wrote, with
// io.Reader's conventions; it returns io.EOF when the source has ended. A
// live source that has nothing yet returns silence rather than blocking: an
// engine calls ReadPCM every 20 ms, on its media goroutine, with a frame of
// FrameSamples. A Source that is also an io.Closer is closed by the session
// that owns it.
type Source interface {
	ReadPCM(p []int16) (n int, err error)
}

// Sink is audio received: 16-bit linear PCM, mono, at Rate, one frame per
// call. WritePCM must not keep p after it returns and should not block: it
// runs on the engine's receive goroutine. A Sink that is also an io.Closer
// is closed by the session that owns it.
type Sink interface {
	WritePCM(p []int16) error
}

// SinkFunc is a Sink that calls a function with each frame.
type SinkFunc func(p []int16) error

// WritePCM calls f(p).
func (f SinkFunc) WritePCM(p []int16) error { return f(p) }

// Tone is a Source of a sine wave at a frequency, without end.
type Tone struct {
	step, phase float64
	amplitude   float64
}

// NewTone returns a sine tone of frequency hz (below Rate/2) at amplitude
// (0 to 1 of full scale; 0 means 0.5).
func NewTone(hz float64, amplitude float64) *Tone {
	if amplitude <= 0 || amplitude > 1 {
		amplitude = 0.5
	}
	return &Tone{step: 2 * math.Pi * hz / Rate, amplitude: amplitude * 32767}
}

// ReadPCM fills p with the next samples of the tone.
func (t *Tone) ReadPCM(p []int16) (int, error) {
	for i := range p {
		p[i] = int16(math.Round(t.amplitude * math.Sin(t.phase)))
		t.phase += t.step
		if t.phase >= 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
	}
	return len(p), nil
}

// Silence returns a Source of zero samples without end.
func Silence() Source { return silence{} }

// silence is the Source returned by Silence.
type silence struct{}

// ReadPCM fills p with zeros.
func (silence) ReadPCM(p []int16) (int, error) {
	clear(p)
	return len(p), nil
}

// Limit returns a Source that reads from src and ends (io.EOF) after d
// worth of samples at Rate. Closing it closes src if src is an io.Closer.
func Limit(src Source, d time.Duration) Source {
	return &limited{src: src, left: int64(d) * Rate / int64(time.Second)}
}

// limited is the Source returned by Limit.
type limited struct {
	src  Source
	left int64
}

// ReadPCM reads from the underlying source up to the limit.
func (l *limited) ReadPCM(p []int16) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.src.ReadPCM(p)
	l.left -= int64(n)
	return n, err
}

// Close closes the underlying source if it is an io.Closer.
func (l *limited) Close() error {
	if c, ok := l.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// ReadFrame fills frame from src as an engine sends it: as many samples as
// src gives, then silence. It returns io.EOF when src has ended and any
// other error it returned; after either, the engine sends silence.
func ReadFrame(src Source, frame []int16) error {
	n := 0
	var err error
	for n < len(frame) && err == nil {
		var k int
		k, err = src.ReadPCM(frame[n:])
		n += k
		if k == 0 && err == nil {
			break // a live source with nothing more now
		}
	}
	clear(frame[n:])
	return err
}
