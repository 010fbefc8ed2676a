package bench

import (
	"bytes"
	"strconv"
	"testing"

	sipgo "github.com/emiago/sipgo/sip"
	"github.com/ringo-sip/ringo/internal/testmsg"
	"github.com/ringo-sip/ringo/sip"
)

// The benchmarks name their sub-benchmarks stack/message, so that
// benchstat can put Ringo and sipgo side by side; see README.md.

// TestSameMessages checks that both stacks accept every message and read
// the same things from it, so that no benchmark times an early error.
func TestSameMessages(t *testing.T) {
	for _, m := range testmsg.All {
		data := []byte(m.Text)
		rm, err := sip.Parse(data)
		if err != nil {
			t.Fatalf("%s: ringo: %v", m.Name, err)
		}
		gm, err := sipgo.ParseMessage(data)
		if err != nil {
			t.Fatalf("%s: sipgo: %v", m.Name, err)
		}
		r, err := ringoTyped(data)
		if err != nil {
			t.Fatalf("%s: ringo typed: %v", m.Name, err)
		}
		g, err := sipgoTyped(data)
		if err != nil {
			t.Fatalf("%s: sipgo typed: %v", m.Name, err)
		}
		if r != g {
			t.Errorf("%s: ringo read %+v, sipgo %+v", m.Name, r, g)
		}
		if !bytes.Equal(rm.Body(), gm.Body()) {
			t.Errorf("%s: bodies differ: ringo %d bytes, sipgo %d", m.Name, len(rm.Body()), len(gm.Body()))
		}
		if got := string(rm.Bytes()); got != m.Text {
			t.Errorf("%s: ringo does not write back what it read:\n%s", m.Name, got)
		}
	}
}

// BenchmarkParse parses one whole message, as a datagram or a WebSocket
// frame brings it. Ringo splits the header fields and parses typed headers
// on first use; sipgo parses Via, From, To, Contact, Call-ID, CSeq and a
// few others eagerly. BenchmarkParseTyped shows both after reading those.
func BenchmarkParse(b *testing.B) {
	for _, m := range testmsg.All {
		data := []byte(m.Text)
		b.Run("ringo/"+m.Name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sip.Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("sipgo/"+m.Name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sipgo.ParseMessage(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// typed is what a transaction and a dialog read from every message.
type typed struct {
	Branch, FromTag, ToTag, CallID string
	Seq                            uint32
	Method                         string
}

func ringoTyped(data []byte) (typed, error) {
	var t typed
	msg, err := sip.Parse(data)
	if err != nil {
		return t, err
	}
	h := msg.Header()
	via, err := h.TopVia()
	if err != nil {
		return t, err
	}
	cseq, err := h.CSeq()
	if err != nil {
		return t, err
	}
	from, err := h.From()
	if err != nil {
		return t, err
	}
	to, err := h.To()
	if err != nil {
		return t, err
	}
	t.Branch, t.Seq, t.Method, t.CallID = via.Branch(), cseq.Seq, cseq.Method, h.CallID()
	t.FromTag, t.ToTag = from.Tag(), to.Tag()
	return t, nil
}

func sipgoTyped(data []byte) (typed, error) {
	var t typed
	msg, err := sipgo.ParseMessage(data)
	if err != nil {
		return t, err
	}
	via, cseq, from, to, callID := msg.Via(), msg.CSeq(), msg.From(), msg.To(), msg.CallID()
	if via == nil || cseq == nil || from == nil || to == nil || callID == nil {
		return t, errMissing
	}
	t.Branch, _ = via.Params.Get("branch")
	t.Seq, t.Method, t.CallID = cseq.SeqNo, string(cseq.MethodName), callID.Value()
	t.FromTag, _ = from.Params.Get("tag")
	t.ToTag, _ = to.Params.Get("tag")
	return t, nil
}

type missingError struct{}

func (missingError) Error() string { return "a header a transaction needs is missing" }

var errMissing error = missingError{}

var sinkTyped typed

// BenchmarkParseTyped parses a message and reads the top Via's branch,
// CSeq, the From and To tags and Call-ID: what the stack needs from every
// message it handles, rather than forwards.
func BenchmarkParseTyped(b *testing.B) {
	for _, m := range testmsg.All {
		data := []byte(m.Text)
		for _, s := range []struct {
			name  string
			parse func([]byte) (typed, error)
		}{{"ringo", ringoTyped}, {"sipgo", sipgoTyped}} {
			b.Run(s.name+"/"+m.Name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					t, err := s.parse(data)
					if err != nil {
						b.Fatal(err)
					}
					sinkTyped = t
				}
			})
		}
	}
}

// BenchmarkWrite writes a parsed message into a buffer that is reused, as
// a transport sending many messages does: Ringo's AppendTo, sipgo's
// StringWrite into a bytes.Buffer.
func BenchmarkWrite(b *testing.B) {
	for _, m := range testmsg.All {
		data := []byte(m.Text)
		b.Run("ringo/"+m.Name, func(b *testing.B) {
			msg, err := sip.Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 4096)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				buf = msg.AppendTo(buf[:0])
			}
			checkLen(b, len(buf), len(data))
		})
		b.Run("sipgo/"+m.Name, func(b *testing.B) {
			msg, err := sipgo.ParseMessage(data)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			buf.Grow(4096)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				msg.StringWrite(&buf)
			}
			checkLen(b, buf.Len(), len(data))
		})
	}
}

// checkLen fails a write benchmark whose output is far from the input
// size: a stack that wrote almost nothing would look fast.
func checkLen(b *testing.B, got, want int) {
	b.Helper()
	if got < want*9/10 || got > want*11/10 {
		b.Fatalf("wrote %d bytes for a %s-byte message", got, strconv.Itoa(want))
	}
}
