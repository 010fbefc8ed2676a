package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func readAll(t *testing.T, src Source, max int) []int16 {
	t.Helper()
	var out []int16
	frame := make([]int16, FrameSamples)
	for len(out) < max {
		n, err := src.ReadPCM(frame)
		out = append(out, frame[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestDominantFrequency(t *testing.T) {
	for _, hz := range []float64{300, 440, 697, 1209.5, 3000} {
		s := readAll(t, NewTone(hz, 0.3), Rate)
		if got := DominantFrequency(s, Rate); math.Abs(got-hz) > 0.5 {
			t.Errorf("%v Hz: DominantFrequency = %.2f", hz, got)
		}
		// Through G.711 both ways the peak stays.
		u := DecodeULaw(nil, EncodeULaw(nil, s))
		a := DecodeALaw(nil, EncodeALaw(nil, s))
		if got := DominantFrequency(u, Rate); math.Abs(got-hz) > 0.5 {
			t.Errorf("%v Hz via PCMU: %.2f", hz, got)
		}
		if got := DominantFrequency(a, Rate); math.Abs(got-hz) > 0.5 {
			t.Errorf("%v Hz via PCMA: %.2f", hz, got)
		}
	}
	// A short snippet (200 ms) is still within a couple of hertz.
	s := readAll(t, NewTone(440, 0.5), Rate/5)
	if got := DominantFrequency(s, Rate); math.Abs(got-440) > 2 {
		t.Errorf("200 ms: %.2f", got)
	}
	if got := DominantFrequency(make([]int16, 1000), Rate); got != 0 {
		t.Errorf("silence: %v", got)
	}
	if got := DominantFrequency(nil, Rate); got != 0 {
		t.Errorf("empty: %v", got)
	}
}

func TestRMSAndActive(t *testing.T) {
	s := readAll(t, NewTone(440, 1), Rate)
	if r := RMS(s); math.Abs(r-math.Sqrt(0.5)) > 0.01 {
		t.Errorf("RMS = %v", r)
	}
	s = append(s, make([]int16, Rate/2)...)
	if a := Active(s, 0.01); a != Rate {
		t.Errorf("Active = %d, want %d", a, Rate)
	}
	if RMS(nil) != 0 {
		t.Error("RMS(nil)")
	}
}

func TestLimitAndSilence(t *testing.T) {
	s := readAll(t, Limit(Silence(), 110*time.Millisecond), 10*Rate)
	if len(s) != 880 {
		t.Errorf("limited to %d samples", len(s))
	}
	for _, v := range s {
		if v != 0 {
			t.Fatal("silence not silent")
		}
	}
}

func TestWAVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tone.wav")
	w, err := CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, NewTone(1000, 0.4), 12345)
	for i := 0; i < len(want); i += 1000 {
		if err := w.WritePCM(want[i:min(i+1000, len(want))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePCM(want[:1]); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	info, _ := os.Stat(path)
	if info.Size() != wavHeaderSize+2*int64(len(want)) {
		t.Errorf("file size %d", info.Size())
	}
	got, format, err := ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if format != (WAVFormat{SampleRate: Rate, Channels: 1}) || !equal(got, want) {
		t.Fatalf("read back %d samples, format %+v", len(got), format)
	}
	r, err := OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := readAll(t, r, 1<<20); !equal(got, want) {
		t.Errorf("WAVReader gave %d samples", len(got))
	}
	var buf bytes.Buffer
	if err := WriteWAV(&buf, want); err != nil {
		t.Fatal(err)
	}
	if got, _, err := ReadWAV(&buf); err != nil || !equal(got, want) {
		t.Errorf("WriteWAV/ReadWAV: %v", err)
	}
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wav builds a WAV stream by hand, with a LIST chunk before the data.
func wav(rate, channels int, samples []int16) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	data := make([]byte, 2*len(samples))
	for i, s := range samples {
		le.PutUint16(data[2*i:], uint16(s))
	}
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(4+8+16+8+3+1+8+len(data)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(channels), uint32(rate),
		uint32(rate * channels * 2), uint16(channels * 2), uint16(16)} {
		binary.Write(&b, le, v)
	}
	b.WriteString("LIST")
	binary.Write(&b, le, uint32(3))
	b.WriteString("abc\x00") // odd size, padded
	b.WriteString("data")
	binary.Write(&b, le, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestWAVReaderConverts(t *testing.T) {
	// 48 kHz stereo: left and right differ; decimation averages 6 frames of
	// both channels.
	var in []int16
	for i := 0; i < 6*100; i++ {
		in = append(in, int16(i/6*10), int16(i/6*10+2))
	}
	r, err := NewWAVReader(bytes.NewReader(wav(48000, 2, in)))
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r, 1000)
	if len(got) != 100 || got[0] != 1 || got[99] != 991 {
		t.Errorf("got %d samples: %v ... %v", len(got), got[0], got[len(got)-1])
	}
	// 440 Hz at 16 kHz stays 440 Hz at 8 kHz.
	var tone []int16
	for i := 0; i < 16000; i++ {
		tone = append(tone, int16(8000*math.Sin(2*math.Pi*440*float64(i)/16000)))
	}
	r, err = NewWAVReader(bytes.NewReader(wav(16000, 1, tone)))
	if err != nil {
		t.Fatal(err)
	}
	if f := DominantFrequency(readAll(t, r, 1<<20), Rate); math.Abs(f-440) > 0.5 {
		t.Errorf("16 kHz tone read as %.2f Hz", f)
	}
}

func TestWAVReaderRefuses(t *testing.T) {
	if _, err := NewWAVReader(bytes.NewReader(wav(44100, 1, []int16{1}))); !errors.Is(err, ErrWAVFormat) {
		t.Errorf("44.1 kHz: %v", err)
	}
	bad := wav(8000, 1, []int16{1})
	bad[20] = 3 // IEEE float
	if _, err := NewWAVReader(bytes.NewReader(bad)); !errors.Is(err, ErrWAVFormat) {
		t.Errorf("float: %v", err)
	}
	if _, err := NewWAVReader(bytes.NewReader([]byte("RIFF\x00\x00\x00\x00AVI "))); !errors.Is(err, ErrWAVFormat) {
		t.Errorf("AVI: %v", err)
	}
	if _, err := NewWAVReader(bytes.NewReader(nil)); !errors.Is(err, ErrWAVFormat) {
		t.Errorf("empty: %v", err)
	}
}

func TestPCMWriter(t *testing.T) {
	w := NewPCMWriter(50 * time.Millisecond) // 400 samples
	done := make(chan error, 1)
	in := make([]int16, 1000)
	for i := range in {
		in[i] = int16(i + 1)
	}
	go func() {
		_, err := w.Write(in) // blocks until the reader drains
		done <- err
	}()
	var out []int16
	frame := make([]int16, FrameSamples)
	for len(out) < len(in) {
		n, err := w.ReadPCM(frame)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range frame[:n] {
			if s != 0 {
				out = append(out, s)
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !equal(out, in) {
		t.Error("samples reordered or lost")
	}
	// Underrun is silence, not blocking.
	if n, err := w.ReadPCM(frame); n != FrameSamples || err != nil || frame[0] != 0 {
		t.Errorf("underrun: %d %v", n, err)
	}
	w.Write([]int16{7, 8})
	w.Close()
	if n, err := w.ReadPCM(frame); n != 2 || err != nil {
		t.Errorf("drain after close: %d %v", n, err)
	}
	if _, err := w.ReadPCM(frame); !errors.Is(err, io.EOF) {
		t.Errorf("after drain: %v", err)
	}
	if _, err := w.Write([]int16{1}); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
}

func TestPCMReader(t *testing.T) {
	r := NewPCMReader(2)
	frame := []int16{1, 2, 3}
	for range 3 {
		if err := r.WritePCM(frame); err != nil {
			t.Fatal(err)
		}
	}
	frame[0] = 9 // the reader copied
	if got := <-r.Frames(); got[0] != 1 || r.Dropped() != 1 {
		t.Errorf("got %v, dropped %d", got, r.Dropped())
	}
	r.Close()
	r.Close()
	if err := r.WritePCM(frame); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	n := 0
	for range r.Frames() {
		n++
	}
	if n != 1 {
		t.Errorf("%d frames left", n)
	}
	var seen int
	SinkFunc(func(p []int16) error { seen = len(p); return nil }).WritePCM(frame)
	if seen != 3 {
		t.Error("SinkFunc")
	}
}
