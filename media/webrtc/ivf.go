//go:build !js

package webrtc

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
)

// IVFReader is a VideoSource that reads the VP8 frames of an IVF file
// with pion's ivfreader.
type IVFReader struct {
	r      *ivfreader.IVFReader
	hdr    *ivfreader.IVFFileHeader
	closer io.Closer
}

// NewIVFReader reads the header of an IVF stream of VP8.
func NewIVFReader(r io.Reader) (*IVFReader, error) {
	ir, hdr, err := ivfreader.NewWith(r)
	if err != nil {
		return nil, err
	}
	if hdr.FourCC != "VP80" {
		return nil, fmt.Errorf("webrtc: IVF of %q: only VP8 (VP80) is sent", hdr.FourCC)
	}
	if hdr.TimebaseDenominator == 0 || hdr.TimebaseNumerator == 0 {
		return nil, fmt.Errorf("webrtc: IVF with a zero timebase")
	}
	return &IVFReader{r: ir, hdr: hdr}, nil
}

// OpenIVF opens an IVF file of VP8; closing the reader closes the file.
func OpenIVF(path string) (*IVFReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewIVFReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// ReadVP8 returns the next frame and its presentation time.
func (r *IVFReader) ReadVP8() ([]byte, time.Duration, error) {
	frame, fh, err := r.r.ParseNextFrame()
	if err != nil {
		return nil, 0, err
	}
	// pion's reader scales the file's pts by den/num; undo that, then
	// apply the timebase (num/den seconds per pts unit).
	num, den := uint64(r.hdr.TimebaseNumerator), uint64(r.hdr.TimebaseDenominator)
	pts := fh.Timestamp * num / den
	return frame, time.Duration(pts * num * uint64(time.Second) / den), nil
}

// Close closes the file opened by OpenIVF.
func (r *IVFReader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// IVFRecorder is a VideoSink that writes the VP8 frames received to an
// IVF file, with pion's ivfwriter (which rebuilds frames from packets and
// starts at the first key frame). It is safe for concurrent use.
type IVFRecorder struct {
	fileRecorder
}

// CreateIVF creates (or truncates) an IVF file to record VP8 into.
func CreateIVF(path string) (*IVFRecorder, error) {
	w, err := ivfwriter.New(path, ivfwriter.WithCodec(webrtc.MimeTypeVP8))
	if err != nil {
		return nil, err
	}
	return &IVFRecorder{fileRecorder{w: w}}, nil
}

// rtpFileWriter is what pion's IVF and Ogg writers have in common.
type rtpFileWriter interface {
	WriteRTP(p *rtp.Packet) error
	Close() error
}

// fileRecorder serialises the packets written to a pion file writer and
// makes Close safe to repeat.
type fileRecorder struct {
	mu     sync.Mutex
	w      rtpFileWriter
	closed bool
}

// WriteRTP writes the payload that p carries.
func (r *fileRecorder) WriteRTP(p *rtp.Packet) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return os.ErrClosed
	}
	return r.w.WriteRTP(p)
}

// Close finishes the file. It is safe to call more than once.
func (r *fileRecorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	return r.w.Close()
}
