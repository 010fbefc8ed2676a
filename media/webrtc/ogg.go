//go:build !js

package webrtc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
)

// OpusSource is Opus audio to pass through.
type OpusSource interface {
	// ReadOpus returns the next Opus packet and its duration; io.EOF at
	// the end.
	ReadOpus() (packet []byte, duration time.Duration, err error)
}

// ErrOggFormat means a file is not an Ogg/Opus stream this package reads.
var ErrOggFormat = errors.New("webrtc: not an Ogg/Opus stream")

// OggReader is an OpusSource that reads the packets of an Ogg/Opus file
// (RFC 7845), such as opusenc or ffmpeg write, and passes them through.
// Packets are rebuilt from the pages' lacing, so files with several
// packets per page, or packets that span pages, are read packet by
// packet. Only the first logical stream is read; the pre-skip and gain of
// the header are not applied (the peer decodes).
type OggReader struct {
	// Channels and PreSkip are from the file's OpusHead.
	Channels int
	PreSkip  int

	r       *bufio.Reader
	closer  io.Closer
	serial  uint32
	packets [][]byte // complete packets of the current page not yet returned
	partial []byte   // a packet continued on the next page
}

// NewOggReader reads the headers of an Ogg/Opus stream.
func NewOggReader(r io.Reader) (*OggReader, error) {
	o := &OggReader{r: bufio.NewReader(r)}
	head, err := o.nextPacket()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOggFormat, err)
	}
	if len(head) < 19 || !bytes.HasPrefix(head, []byte("OpusHead")) {
		return nil, fmt.Errorf("%w: no OpusHead", ErrOggFormat)
	}
	o.Channels = int(head[9])
	o.PreSkip = int(binary.LittleEndian.Uint16(head[10:]))
	tags, err := o.nextPacket()
	if err != nil || !bytes.HasPrefix(tags, []byte("OpusTags")) {
		return nil, fmt.Errorf("%w: no OpusTags", ErrOggFormat)
	}
	return o, nil
}

// OpenOgg opens an Ogg/Opus file; closing the reader closes the file.
func OpenOgg(path string) (*OggReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	o, err := NewOggReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	o.closer = f
	return o, nil
}

// ReadOpus returns the next Opus packet and its duration, from its TOC
// byte (RFC 6716 §3.1).
func (o *OggReader) ReadOpus() ([]byte, time.Duration, error) {
	for {
		p, err := o.nextPacket()
		if err != nil {
			return nil, 0, err
		}
		if len(p) == 0 {
			continue
		}
		return p, opusDuration(p), nil
	}
}

// Close closes the file opened by OpenOgg.
func (o *OggReader) Close() error {
	if o.closer != nil {
		return o.closer.Close()
	}
	return nil
}

// nextPacket returns the next packet of the first logical stream.
func (o *OggReader) nextPacket() ([]byte, error) {
	for len(o.packets) == 0 {
		if err := o.readPage(); err != nil {
			return nil, err
		}
	}
	p := o.packets[0]
	o.packets = o.packets[1:]
	return p, nil
}

// readPage reads one page (RFC 3533 §6) and splits its segments into
// packets: a lacing value under 255 ends a packet.
func (o *OggReader) readPage() error {
	var h [27]byte
	if _, err := io.ReadFull(o.r, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return io.EOF // a truncated last page
		}
		return err
	}
	if string(h[0:4]) != "OggS" || h[4] != 0 {
		return fmt.Errorf("%w: bad page header", ErrOggFormat)
	}
	serial := binary.LittleEndian.Uint32(h[14:])
	bos := h[5]&0x02 != 0
	lacing := make([]byte, h[26])
	if _, err := io.ReadFull(o.r, lacing); err != nil {
		return io.EOF
	}
	size := 0
	for _, l := range lacing {
		size += int(l)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(o.r, body); err != nil {
		return io.EOF
	}
	if o.serial == 0 && bos {
		o.serial = serial
	}
	if serial != o.serial {
		return nil // another logical stream
	}
	if h[5]&0x01 == 0 { // not a continuation: drop a dangling partial packet
		o.partial = nil
	}
	at := 0
	for _, l := range lacing {
		o.partial = append(o.partial, body[at:at+int(l)]...)
		at += int(l)
		if l < 255 {
			o.packets = append(o.packets, o.partial)
			o.partial = nil
		}
	}
	return nil
}

// opusDuration returns the duration of an Opus packet from its TOC byte
// and, for code 3, its frame count byte.
func opusDuration(p []byte) time.Duration {
	toc := p[0]
	config := int(toc >> 3)
	var frame time.Duration
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		frame = []time.Duration{10, 20, 40, 60}[config%4] * time.Millisecond
	case config < 16: // hybrid: 10, 20 ms
		frame = []time.Duration{10, 20}[config%2] * time.Millisecond
	default: // CELT: 2.5, 5, 10, 20 ms
		frame = []time.Duration{2500, 5000, 10000, 20000}[config%4] * time.Microsecond
	}
	frames := 1
	switch toc & 0x03 {
	case 1, 2:
		frames = 2
	case 3:
		if len(p) > 1 {
			frames = int(p[1] & 0x3F)
		}
	}
	return frame * time.Duration(frames)
}

// OggRecorder is an OpusSink that writes the Opus packets received to an
// Ogg/Opus file, with pion's oggwriter. It is safe for concurrent use.
type OggRecorder struct {
	fileRecorder
}

// CreateOgg creates (or truncates) an Ogg/Opus file to record into (48
// kHz, stereo as WebRTC's Opus is signalled).
func CreateOgg(path string) (*OggRecorder, error) {
	w, err := oggwriter.New(path, 48000, 2)
	if err != nil {
		return nil, err
	}
	return &OggRecorder{fileRecorder{w: w}}, nil
}

// NewOggRecorder writes an Ogg/Opus stream to out.
func NewOggRecorder(out io.Writer) (*OggRecorder, error) {
	w, err := oggwriter.NewWith(out, 48000, 2)
	if err != nil {
		return nil, err
	}
	return &OggRecorder{fileRecorder{w: w}}, nil
}
