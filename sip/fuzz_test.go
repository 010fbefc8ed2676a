package sip

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// addTortureSeeds seeds a fuzz target with every shared torture message.
func addTortureSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(tortureDir, "*", "*.dat"))
	more, _ := filepath.Glob(filepath.Join(tortureDir, "*", "*", "*.dat"))
	files = append(files, more...)
	if len(files) < 60 {
		f.Fatalf("found %d torture messages in %s; the shared corpus must be beside the repository", len(files), tortureDir)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// exercise calls every typed accessor, so that fuzzing reaches them too.
func exercise(m Message) {
	h := m.Header()
	h.Via()
	h.TopVia()
	h.From()
	h.To()
	h.CSeq()
	h.Contact()
	h.Route()
	h.RecordRoute()
	h.MaxForwards()
	h.Expires()
	if req, ok := m.(*Request); ok {
		if err := CheckRequest(req); err != nil {
			ResponseFor(err)
		}
	} else {
		CheckResponse(m.(*Response))
	}
}

func FuzzParse(f *testing.F) {
	addTortureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			ResponseFor(err)
			return
		}
		exercise(m)
		wire := m.Bytes()
		back, err := Parse(wire)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", wire, err)
		}
		if back.StartLine() != m.StartLine() {
			t.Fatalf("start line %q became %q", m.StartLine(), back.StartLine())
		}
		if !bytes.Equal(back.Body(), m.Body()) {
			t.Fatalf("body %q became %q", m.Body(), back.Body())
		}
		if !bytes.Equal(back.Bytes(), wire) {
			t.Fatalf("second serialisation differs:\n%q\n%q", wire, back.Bytes())
		}
	})
}

func FuzzFramer(f *testing.F) {
	addTortureSeeds(f)
	f.Add([]byte("\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nl: 1\r\n\r\nx\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFramer(bytes.NewReader(data), Parser{})
		consumed := 0
		for {
			b, err := fr.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
					var pe *ParseError
					if !errors.As(err, &pe) {
						t.Fatalf("error %v is neither EOF nor a *ParseError", err)
					}
				}
				return
			}
			if string(b) == KeepAlivePing || string(b) == KeepAlivePong {
				// Keep-alives come back normalised: a bare LF is a pong.
				consumed++
				continue
			}
			consumed += len(b)
			if consumed > len(data) {
				t.Fatalf("framer returned %d bytes from %d", consumed, len(data))
			}
			if m, err := Parse(b); err == nil {
				exercise(m)
			}
		}
	})
}
