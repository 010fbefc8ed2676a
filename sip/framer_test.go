package sip

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFramer(t *testing.T) {
	const opt = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nl: 5\r\n\r\nhello"
	const bye = "BYE sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"
	tests := []struct {
		name   string
		stream string
		want   []string
		err    error
	}{
		{"two messages", opt + bye, []string{opt, bye}, io.EOF},
		{"ping between", opt + "\r\n\r\n" + bye, []string{opt, KeepAlivePing, bye}, io.EOF},
		{"lone CRLF", "\r\n", nil, io.EOF},
		{"ping alone", "\r\n\r\n", []string{KeepAlivePing}, io.EOF},
		{"LF only lines", "BYE sip:a@b SIP/2.0\nContent-Length: 2\n\nhi", []string{"BYE sip:a@b SIP/2.0\nContent-Length: 2\n\nhi"}, io.EOF},
		{"missing length", "BYE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n", nil, ErrBadContentLength},
		{"negative length", "BYE sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n", nil, ErrBadContentLength},
		{"two lengths", "BYE sip:a@b SIP/2.0\r\nContent-Length: 13\r\nl: 5\r\n\r\n", nil, ErrBadContentLength},
		{"body cut short", "BYE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nabc", nil, io.ErrUnexpectedEOF},
		{"header cut short", "BYE sip:a@b SIP/2.0\r\nContent-Len", nil, io.ErrUnexpectedEOF},
		{"too large", "BYE sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n", nil, ErrMessageTooLarge},
		{"line too long", "BYE sip:a@b SIP/2.0\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", nil, ErrLineTooLong},
	}
	for _, tt := range tests {
		for _, r := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{{"whole", func(r io.Reader) io.Reader { return r }}, {"bytewise", iotest.OneByteReader}} {
			t.Run(tt.name+"/"+r.name, func(t *testing.T) {
				f := NewFramer(r.wrap(strings.NewReader(tt.stream)), Parser{})
				var got []string
				var err error
				for {
					var b []byte
					if b, err = f.Next(); err != nil {
						break
					}
					got = append(got, string(b))
				}
				if !errors.Is(err, tt.err) {
					t.Fatalf("error = %v, want %v", err, tt.err)
				}
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Fatalf("frames = %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func TestFramerMessagesParse(t *testing.T) {
	const inv = "INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc"
	f := NewFramer(strings.NewReader(inv+inv), Parser{})
	for i := 0; i < 2; i++ {
		b, err := f.Next()
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Body()) != "abc" {
			t.Fatalf("body %q", m.Body())
		}
	}
}

// seg is what the peer writes at once; ping says that this side sent a
// ping (Framer.ExpectPong) just before it arrived.
type seg struct {
	data string
	ping bool
}

// chunkReader returns its chunks one Read at a time, calling ExpectPong
// on fr before a chunk that starts a segment sent after our ping.
type chunkReader struct {
	fr     *Framer
	chunks []seg
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	c := &r.chunks[0]
	if c.ping {
		r.fr.ExpectPong()
		c.ping = false
	}
	n := copy(p, c.data)
	if c.data = c.data[n:]; c.data == "" {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// chunkings returns segs as the reads that deliver them: whole, cut at
// each single byte offset, and one byte at a time.
func chunkings(segs []seg) map[string][]seg {
	// cut splits segs at the given offsets of their concatenation.
	cut := func(at func(int) bool) []seg {
		var out []seg
		off := 0
		for _, s := range segs {
			start := 0
			for i := 1; i < len(s.data); i++ {
				if at(off + i) {
					out = append(out, seg{s.data[start:i], s.ping && start == 0})
					start = i
				}
			}
			out = append(out, seg{s.data[start:], s.ping && start == 0})
			off += len(s.data)
		}
		return out
	}
	all := map[string][]seg{"whole": cut(func(int) bool { return false })}
	total := 0
	for _, s := range segs {
		total += len(s.data)
	}
	for i := 1; i < total; i++ {
		all[fmt.Sprintf("cut%d", i)] = cut(func(j int) bool { return j == i })
	}
	all["bytewise"] = cut(func(int) bool { return true })
	return all
}

// TestFramerKeepAliveSplits feeds keep-alives and messages cut at every
// point and checks the exact frames: a server (no ping of ours) sees each
// double CRLF as one ping however it is split, and a CRLF before a message
// is ignored; a client that pinged sees each pong at once.
func TestFramerKeepAliveSplits(t *testing.T) {
	const inv = "INVITE sip:b@h SIP/2.0\r\nl: 2\r\n\r\nhi"
	const (
		ping = KeepAlivePing
		pong = KeepAlivePong
	)
	tests := []struct {
		name string
		segs []seg
		want []string
	}{
		// A server: only pings are expected.
		{"ping", []seg{{"\r\n\r\n", false}}, []string{ping}},
		{"ping in two writes", []seg{{"\r\n", false}, {"\r\n", false}}, []string{ping}},
		{"ping then message", []seg{{"\r\n\r\n" + inv, false}}, []string{ping, inv}},
		{"message ping message", []seg{{inv + "\r\n\r\n" + inv, false}}, []string{inv, ping, inv}},
		{"two pings", []seg{{"\r\n\r\n\r\n\r\n", false}}, []string{ping, ping}},
		{"LF ping", []seg{{"\n\n", false}}, []string{ping}},
		{"CRLF before message", []seg{{"\r\n" + inv, false}}, []string{inv}},
		{"ping and CRLF before message", []seg{{"\r\n\r\n\r\n" + inv, false}}, []string{ping, inv}},
		{"lone CRLF at the end", []seg{{inv + "\r\n", false}}, []string{inv}},
		{"ping and lone CRLF", []seg{{"\r\n\r\n\r\n", false}}, []string{ping}},
		{"bare CR before message", []seg{{"\r" + inv, false}}, []string{inv}},

		// A client: each pong answers a ping of ours.
		{"pong", []seg{{"\r\n", true}}, []string{pong}},
		{"pong then message", []seg{{"\r\n" + inv, true}}, []string{pong, inv}},
		{"pong, message apart", []seg{{"\r\n", true}, {inv, false}}, []string{pong, inv}},
		{"message then pong", []seg{{inv, false}, {"\r\n", true}}, []string{inv, pong}},
		{"two pongs", []seg{{"\r\n", true}, {"\r\n", true}}, []string{pong, pong}},
		{"two pongs between messages", []seg{{inv, false}, {"\r\n", true}, {inv, false}, {"\r\n", true}, {inv, false}},
			[]string{inv, pong, inv, pong, inv}},
		{"double CRLF for a pong", []seg{{"\r\n\r\n", true}}, []string{pong}},
		{"stray CRLF, then our pong", []seg{{"\r\n", false}, {"\r\n", true}}, []string{pong}},
		{"ping then our pong", []seg{{"\r\n\r\n", false}, {"\r\n", true}}, []string{ping, pong}},
	}
	for _, tt := range tests {
		for name, chunks := range chunkings(tt.segs) {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				var reads []string
				for _, c := range chunks {
					reads = append(reads, c.data)
				}
				r := &chunkReader{chunks: chunks}
				f := NewFramer(r, Parser{})
				r.fr = f
				var got []string
				for {
					b, err := f.Next()
					if err != nil {
						if err != io.EOF {
							t.Fatalf("after %q: %v", got, err)
						}
						break
					}
					got = append(got, string(b))
				}
				if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
					t.Fatalf("reads %q: frames = %q, want %q", reads, got, tt.want)
				}
			})
		}
	}
}
