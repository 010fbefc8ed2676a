package sip_test

import (
	"testing"

	"github.com/ringo-sip/ringo/internal/testmsg"
	"github.com/ringo-sip/ringo/sip"
)

// The benchmarks below run on the three messages of internal/testmsg, the
// same bytes that bench/ feeds to other SIP stacks:
//
//   - small-invite: a 463-byte INVITE without a body;
//   - webrtc-invite: a 2393-byte INVITE with Chrome's SDP offer, as JsSIP
//     3.13 sends it over WebSocket;
//   - 401-register: a 463-byte 401 with WWW-Authenticate, Kamailio's answer
//     to a REGISTER.
//
// Run them with
//
//	go test -run '^$' -bench . -benchmem ./sip

// mustParse parses a benchmark message and checks that writing it back
// gives the same bytes, so the serialiser benchmarks write what was read.
func mustParse(tb testing.TB, text string) sip.Message {
	tb.Helper()
	msg, err := sip.Parse([]byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	if got := string(msg.Bytes()); got != text {
		tb.Fatalf("Bytes() differs from the parsed message:\n%s\nwant\n%s", got, text)
	}
	return msg
}

// BenchmarkParse measures Parse alone: the start line, the Request-URI,
// the header fields split into names and values, Content-Length checked
// and the body cut. Typed headers are not parsed yet; see
// BenchmarkParseTyped.
func BenchmarkParse(b *testing.B) {
	for _, m := range testmsg.All {
		b.Run(m.Name, func(b *testing.B) {
			mustParse(b, m.Text)
			data := []byte(m.Text)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sip.Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseTyped parses a message and then reads what a transaction
// and a dialog need from every message: the top Via's branch, CSeq, the
// From and To tags and Call-ID. Typed headers are parsed on first use, so
// this is the honest cost of a message that the stack handles rather than
// one it only forwards.
func BenchmarkParseTyped(b *testing.B) {
	for _, m := range testmsg.All {
		b.Run(m.Name, func(b *testing.B) {
			mustParse(b, m.Text)
			data := []byte(m.Text)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := readTyped(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sink keeps the typed values alive so the compiler cannot drop their
// parsing.
var sink struct {
	branch, fromTag, toTag, callID string
	seq                            uint32
}

func readTyped(data []byte) error {
	msg, err := sip.Parse(data)
	if err != nil {
		return err
	}
	h := msg.Header()
	via, err := h.TopVia()
	if err != nil {
		return err
	}
	cseq, err := h.CSeq()
	if err != nil {
		return err
	}
	from, err := h.From()
	if err != nil {
		return err
	}
	to, err := h.To()
	if err != nil {
		return err
	}
	sink.branch, sink.seq, sink.callID = via.Branch(), cseq.Seq, h.CallID()
	sink.fromTag, sink.toTag = from.Tag(), to.Tag()
	return nil
}

// BenchmarkBytes measures Bytes on a parsed message: one buffer sized for
// the message and written in one pass.
func BenchmarkBytes(b *testing.B) {
	for _, m := range testmsg.All {
		b.Run(m.Name, func(b *testing.B) {
			msg := mustParse(b, m.Text)
			b.SetBytes(int64(len(m.Text)))
			b.ReportAllocs()
			for b.Loop() {
				sinkBytes = msg.Bytes()
			}
		})
	}
}

var sinkBytes []byte

// BenchmarkAppendTo measures AppendTo into a buffer that is reused, as a
// transport writing many messages does: it must not allocate.
func BenchmarkAppendTo(b *testing.B) {
	for _, m := range testmsg.All {
		b.Run(m.Name, func(b *testing.B) {
			msg := mustParse(b, m.Text)
			buf := make([]byte, 0, 4096)
			b.SetBytes(int64(len(m.Text)))
			b.ReportAllocs()
			for b.Loop() {
				buf = msg.AppendTo(buf[:0])
			}
			sinkBytes = buf
		})
	}
}
