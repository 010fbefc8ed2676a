//go:build !js

package webrtc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/ivfreader"

	"github.com/ringo-sip/ringo/media/audio"
)

// oggPage appends one Ogg page holding segments (lacing values) of body.
func oggPage(out *bytes.Buffer, flags byte, serial, seq uint32, lacing []byte, body []byte) {
	h := make([]byte, 27)
	copy(h, "OggS")
	h[5] = flags
	binary.LittleEndian.PutUint32(h[14:], serial)
	binary.LittleEndian.PutUint32(h[18:], seq)
	h[26] = byte(len(lacing))
	out.Write(h)
	out.Write(lacing)
	out.Write(body)
}

// lace returns the lacing values of a packet of n bytes.
func lace(n int) []byte {
	var l []byte
	for ; n >= 255; n -= 255 {
		l = append(l, 255)
	}
	return append(l, byte(n))
}

// opusHead is a minimal OpusHead packet.
func opusHead() []byte {
	h := []byte("OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00")
	return h
}

// testOpusPackets returns n distinct 20 ms CELT packets (TOC 0xF8).
func testOpusPackets(n, size int) [][]byte {
	var out [][]byte
	for i := range n {
		p := make([]byte, size)
		p[0] = 0xF8
		for j := 1; j < size; j++ {
			p[j] = byte(i*7 + j)
		}
		out = append(out, p)
	}
	return out
}

// oggFile builds an Ogg/Opus stream with several packets per page and one
// packet spanning two pages.
func oggFile(packets [][]byte) []byte {
	var b bytes.Buffer
	const serial = 1234
	oggPage(&b, 0x02, serial, 0, lace(19), opusHead())
	tags := []byte("OpusTags\x00\x00\x00\x00\x00\x00\x00\x00")
	oggPage(&b, 0, serial, 1, lace(len(tags)), tags)
	seq := uint32(2)
	for i := 0; i < len(packets); {
		var lacing, body []byte
		for k := 0; k < 3 && i < len(packets); k++ { // three packets a page
			lacing = append(lacing, lace(len(packets[i]))...)
			body = append(body, packets[i]...)
			i++
		}
		oggPage(&b, 0, serial, seq, lacing, body)
		seq++
	}
	// A 300-byte packet split over two pages: 255 on the first (lacing
	// 255, unfinished), 45 on the continuation page.
	big := bytes.Repeat([]byte{0xF8}, 300)
	oggPage(&b, 0, serial, seq, []byte{255}, big[:255])
	oggPage(&b, 0x01, serial, seq+1, []byte{45}, big[255:])
	// A page of another logical stream is skipped.
	oggPage(&b, 0x02, 999, 0, []byte{3}, []byte{1, 2, 3})
	return b.Bytes()
}

func TestOggReaderLacing(t *testing.T) {
	packets := testOpusPackets(7, 100)
	packets[3] = bytes.Repeat([]byte{0xF8}, 600) // spans segments within a page
	r, err := NewOggReader(bytes.NewReader(oggFile(packets)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Channels != 2 || r.PreSkip != 312 {
		t.Errorf("head: %d channels, pre-skip %d", r.Channels, r.PreSkip)
	}
	for i, want := range packets {
		got, d, err := r.ReadOpus()
		if err != nil || !bytes.Equal(got, want) || d != 20*time.Millisecond {
			t.Fatalf("packet %d: %d bytes, %v, %v", i, len(got), d, err)
		}
	}
	if got, _, err := r.ReadOpus(); err != nil || len(got) != 300 {
		t.Errorf("spanning packet: %d bytes, %v", len(got), err)
	}
	if _, _, err := r.ReadOpus(); !errors.Is(err, io.EOF) {
		t.Errorf("end: %v", err)
	}
	if _, err := NewOggReader(bytes.NewReader([]byte("RIFF...."))); !errors.Is(err, ErrOggFormat) {
		t.Errorf("not ogg: %v", err)
	}
}

func TestOpusDuration(t *testing.T) {
	tests := []struct {
		p    []byte
		want time.Duration
	}{
		{[]byte{0xF8}, 20 * time.Millisecond},                     // CELT FB 20 ms
		{[]byte{0x78}, 20 * time.Millisecond},                     // hybrid FB 20 ms
		{[]byte{0x08}, 20 * time.Millisecond},                     // SILK NB 20 ms
		{[]byte{0x18}, 60 * time.Millisecond},                     // SILK NB 60 ms
		{[]byte{0xE0}, 2500 * time.Microsecond},                   // CELT 2.5 ms
		{[]byte{0xF9}, 40 * time.Millisecond},                     // two frames
		{[]byte{0xFB, 0x03}, 60 * time.Millisecond},               // code 3, three frames
		{[]byte{0x03, 0x02}, 20 * time.Millisecond},               // SILK 10 ms x2
		{[]byte{0x60}, 10 * time.Millisecond},                     // hybrid 10 ms
		{[]byte{0xFB, 0x00}, 0},                                   // code 3, zero frames
		{[]byte{0x03, 0x06}, 60 * time.Millisecond},               // SILK 10 ms x6
		{append([]byte{0xFB, 0x02}, 1, 2), 40 * time.Millisecond}, // padding ignored
	}
	for _, tt := range tests {
		if got := opusDuration(tt.p); got != tt.want {
			t.Errorf("% x: %v, want %v", tt.p, got, tt.want)
		}
	}
}

// ivfFile builds an IVF file of VP8 frames at 30 fps.
func ivfFile(frames [][]byte) []byte {
	var b bytes.Buffer
	h := make([]byte, 32)
	copy(h, "DKIF")
	binary.LittleEndian.PutUint16(h[6:], 32)
	copy(h[8:], "VP80")
	binary.LittleEndian.PutUint16(h[12:], 64)
	binary.LittleEndian.PutUint16(h[14:], 48)
	binary.LittleEndian.PutUint32(h[16:], 30) // timebase denominator
	binary.LittleEndian.PutUint32(h[20:], 1)  // numerator
	binary.LittleEndian.PutUint32(h[24:], uint32(len(frames)))
	b.Write(h)
	for i, f := range frames {
		fh := make([]byte, 12)
		binary.LittleEndian.PutUint32(fh, uint32(len(f)))
		binary.LittleEndian.PutUint64(fh[4:], uint64(i))
		b.Write(fh)
		b.Write(f)
	}
	return b.Bytes()
}

// Opus from an Ogg file is passed through to B's Ogg recording unchanged.
func TestOpusPassThrough(t *testing.T) {
	t.Parallel()
	packets := testOpusPackets(30, 60)
	src, err := NewOggReader(bytes.NewReader(oggFile(packets)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b.ogg")
	rec, err := CreateOgg(path)
	if err != nil {
		t.Fatal(err)
	}
	a := newSession(t, testConfig(), SessionOptions{OpusSource: src})
	b := newSession(t, testConfig(), SessionOptions{OpusSink: rec, AudioSink: &frameCounter{}})
	connect(t, a, b)
	time.Sleep(900 * time.Millisecond)
	st := a.Stats()
	a.Close()
	b.Close()
	if st.Audio.Codec != "opus" {
		t.Errorf("codec %q", st.Audio.Codec)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewOggReader(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range packets {
		got, _, err := r.ReadOpus()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("packet %d: % x (%v), want % x", i, got[:min(len(got), 4)], err, want[:4])
		}
	}
	// Then the packet that spans two pages, and after the file, silence.
	if got, _, err := r.ReadOpus(); err != nil || len(got) != 300 {
		t.Errorf("spanning packet: %d bytes, %v", len(got), err)
	}
	if got, _, err := r.ReadOpus(); err != nil || !bytes.Equal(got, opusSilence) {
		t.Errorf("after the file: % x, %v", got, err)
	}
}

// VP8 frames from an IVF file arrive in B's IVF recording unchanged,
// split over several RTP packets each.
func TestVideoIVF(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for i := range 12 {
		f := make([]byte, 2500+i) // two or three packets a frame
		f[0] = 0x00               // key frame
		for j := 1; j < len(f); j++ {
			f[j] = byte(i + j)
		}
		frames = append(frames, f)
	}
	src, err := NewIVFReader(bytes.NewReader(ivfFile(frames)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b.ivf")
	rec, err := CreateIVF(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Video = true
	a := newSession(t, cfg, SessionOptions{VideoSource: src, AudioSource: audio.NewTone(440, 0.3)})
	b := newSession(t, cfg, SessionOptions{VideoSink: rec})
	offer, _ := negotiate(t, a, b, struct{ ICERestart bool }{})
	waitConnected(t, a, b)
	if !bytes.Contains([]byte(offer), []byte("VP8/90000")) {
		t.Error("no VP8 in the offer")
	}
	time.Sleep(700 * time.Millisecond) // 12 frames at 30 fps: 400 ms
	st := b.Stats()
	a.Close()
	b.Close()
	if st.Video.Received.Packets < 24 {
		t.Errorf("video stats %+v", st.Video)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, _, err := ivfreader.NewWith(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range frames {
		got, _, err := r.ParseNextFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d: %d bytes, want %d", i, len(got), len(want))
		}
	}
}
