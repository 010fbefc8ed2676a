package audio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// ErrWAVFormat means a file is not a WAV this package reads: RIFF/WAVE
// with 16-bit linear PCM.
var ErrWAVFormat = errors.New("audio: unsupported WAV")

// WAVFormat describes the samples of a WAV file.
type WAVFormat struct {
	SampleRate int // samples per second per channel
	Channels   int // interleaved channels
}

// WAVReader is a Source that reads a WAV file of 16-bit linear PCM and
// delivers it as mono at Rate. Channels are averaged. Sample rates that
// are a multiple of 8 kHz (8, 16, 24, 32, 48 kHz) are decimated by
// averaging; other rates (44.1 kHz, 22.05 kHz, ...) are refused, so convert
// such a file first (for example `sox in.wav -r 8000 -c 1 out.wav`).
type WAVReader struct {
	// Format is the format of the file.
	Format WAVFormat

	r      *bufio.Reader
	left   int64 // data bytes left; -1 when the data chunk runs to EOF
	factor int   // input frames per output sample
	closer io.Closer
	frame  []byte
}

// NewWAVReader reads the header of a WAV stream and returns a reader
// positioned at its first sample.
func NewWAVReader(r io.Reader) (*WAVReader, error) {
	br := bufio.NewReader(r)
	format, size, err := readWAVHeader(br)
	if err != nil {
		return nil, err
	}
	if format.SampleRate%Rate != 0 {
		return nil, fmt.Errorf("%w: sample rate %d Hz: only multiples of %d Hz (8, 16, 24, 32, 48 kHz) are read; resample the file first",
			ErrWAVFormat, format.SampleRate, Rate)
	}
	factor := format.SampleRate / Rate
	return &WAVReader{Format: format, r: br, left: size, factor: factor,
		frame: make([]byte, 2*format.Channels*factor)}, nil
}

// OpenWAV opens a WAV file as a Source; closing the reader closes the file.
func OpenWAV(path string) (*WAVReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWAVReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.closer = f
	return w, nil
}

// ReadPCM fills p with the next samples, mono at Rate.
func (w *WAVReader) ReadPCM(p []int16) (int, error) {
	n := 0
	for n < len(p) {
		if w.left >= 0 && w.left < int64(len(w.frame)) {
			break
		}
		if _, err := io.ReadFull(w.r, w.frame); err != nil {
			break // a short last frame is dropped
		}
		if w.left >= 0 {
			w.left -= int64(len(w.frame))
		}
		sum := 0
		for i := 0; i < len(w.frame); i += 2 {
			sum += int(int16(binary.LittleEndian.Uint16(w.frame[i:])))
		}
		p[n] = int16(sum / (len(w.frame) / 2))
		n++
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Close closes the file opened by OpenWAV; it does nothing for a reader
// made by NewWAVReader.
func (w *WAVReader) Close() error {
	if w.closer != nil {
		return w.closer.Close()
	}
	return nil
}

// readWAVHeader reads RIFF chunks up to the data chunk and returns the
// format and the size of the data (-1 if unknown, for streamed files).
func readWAVHeader(r io.Reader) (WAVFormat, int64, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return WAVFormat{}, 0, fmt.Errorf("%w: %v", ErrWAVFormat, err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return WAVFormat{}, 0, fmt.Errorf("%w: not a RIFF WAVE file", ErrWAVFormat)
	}
	var format WAVFormat
	haveFormat := false
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return WAVFormat{}, 0, fmt.Errorf("%w: no data chunk: %v", ErrWAVFormat, err)
		}
		id := string(hdr[0:4])
		size := int64(binary.LittleEndian.Uint32(hdr[4:]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return WAVFormat{}, 0, fmt.Errorf("%w: fmt chunk of %d bytes", ErrWAVFormat, size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return WAVFormat{}, 0, fmt.Errorf("%w: %v", ErrWAVFormat, err)
			}
			tag := binary.LittleEndian.Uint16(b[0:])
			format.Channels = int(binary.LittleEndian.Uint16(b[2:]))
			format.SampleRate = int(binary.LittleEndian.Uint32(b[4:]))
			bits := binary.LittleEndian.Uint16(b[14:])
			if tag == 0xFFFE && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: the subformat's tag
				tag = binary.LittleEndian.Uint16(b[24:])
			}
			if tag != 1 || bits != 16 {
				return WAVFormat{}, 0, fmt.Errorf("%w: format %d with %d bits: only 16-bit PCM is read", ErrWAVFormat, tag, bits)
			}
			if format.Channels < 1 || format.SampleRate < 1 {
				return WAVFormat{}, 0, fmt.Errorf("%w: %d channels at %d Hz", ErrWAVFormat, format.Channels, format.SampleRate)
			}
			haveFormat = true
		case "data":
			if !haveFormat {
				return WAVFormat{}, 0, fmt.Errorf("%w: data before fmt", ErrWAVFormat)
			}
			if size == 0 || size == 0xFFFFFFFF {
				size = -1 // written by a streamer that could not seek back
			}
			return format, size, nil
		default:
			if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
				return WAVFormat{}, 0, fmt.Errorf("%w: chunk %q: %v", ErrWAVFormat, id, err)
			}
		}
	}
}

// WAVWriter is a Sink that records 16-bit linear PCM, mono, at Rate to a
// WAV file. The sizes in the header are written on Close.
//
// A WAVWriter is safe for concurrent use.
type WAVWriter struct {
	mu      sync.Mutex
	w       io.WriteSeeker
	bw      *bufio.Writer
	closer  io.Closer
	samples int64
	closed  bool
	buf     []byte
}

// wavHeaderSize is the size of the header WAVWriter writes.
const wavHeaderSize = 44

// NewWAVWriter writes a WAV header to w and returns a writer for its
// samples. Close fixes the header's sizes, so w must seek.
func NewWAVWriter(w io.WriteSeeker) (*WAVWriter, error) {
	ww := &WAVWriter{w: w, bw: bufio.NewWriter(w)}
	if _, err := ww.bw.Write(wavHeader(0)); err != nil {
		return nil, err
	}
	return ww, nil
}

// CreateWAV creates (or truncates) a WAV file to record into; closing the
// writer closes the file.
func CreateWAV(path string) (*WAVWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWAVWriter(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.closer = f
	return w, nil
}

// wavHeader returns the 44-byte header of a mono 16-bit PCM file at Rate
// with the given number of samples.
func wavHeader(samples int64) []byte {
	data := uint32(min(samples*2, 0xFFFFFFFF-wavHeaderSize))
	h := make([]byte, wavHeaderSize)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], data+wavHeaderSize-8)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)   // fmt chunk size
	binary.LittleEndian.PutUint16(h[20:], 1)    // PCM
	binary.LittleEndian.PutUint16(h[22:], 1)    // mono
	binary.LittleEndian.PutUint32(h[24:], Rate) // sample rate
	binary.LittleEndian.PutUint32(h[28:], Rate*2)
	binary.LittleEndian.PutUint16(h[32:], 2)  // block align
	binary.LittleEndian.PutUint16(h[34:], 16) // bits per sample
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], data)
	return h
}

// WritePCM appends samples to the file.
func (w *WAVWriter) WritePCM(p []int16) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.buf = w.buf[:0]
	for _, s := range p {
		w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(s))
	}
	if _, err := w.bw.Write(w.buf); err != nil {
		return err
	}
	w.samples += int64(len(p))
	return nil
}

// Duration returns how much audio has been written.
func (w *WAVWriter) Duration() float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return float64(w.samples) / Rate
}

// Close writes the header's sizes and closes the file opened by CreateWAV.
// It is safe to call more than once.
func (w *WAVWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.bw.Flush()
	if err == nil {
		if _, err = w.w.Seek(0, io.SeekStart); err == nil {
			_, err = w.w.Write(wavHeader(w.samples))
		}
	}
	if w.closer != nil {
		if cerr := w.closer.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// ReadWAV reads a whole WAV stream of 16-bit PCM and returns its samples,
// interleaved as in the file, at the file's rate.
func ReadWAV(r io.Reader) ([]int16, WAVFormat, error) {
	br := bufio.NewReader(r)
	format, size, err := readWAVHeader(br)
	if err != nil {
		return nil, WAVFormat{}, err
	}
	var data []byte
	if size >= 0 {
		data = make([]byte, size)
		n, err := io.ReadFull(br, data)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, WAVFormat{}, err
		}
		data = data[:n]
	} else if data, err = io.ReadAll(br); err != nil {
		return nil, WAVFormat{}, err
	}
	samples := make([]int16, len(data)/2)
	for i := range samples {
		samples[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	return samples, format, nil
}

// ReadWAVFile reads a whole WAV file; see ReadWAV.
func ReadWAVFile(path string) ([]int16, WAVFormat, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, WAVFormat{}, err
	}
	defer f.Close()
	return ReadWAV(f)
}

// WriteWAV writes samples (mono, at Rate) as a whole WAV stream.
func WriteWAV(w io.Writer, samples []int16) error {
	buf := wavHeader(int64(len(samples)))
	for _, s := range samples {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(s))
	}
	_, err := w.Write(buf)
	return err
}
