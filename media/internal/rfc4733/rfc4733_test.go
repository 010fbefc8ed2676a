package rfc4733

import (
	"errors"
	"strconv"
	"testing"
)

func TestPayload(t *testing.T) {
	e := Event{Code: 11, End: true, Volume: 10, Duration: 800}
	b := e.Marshal()
	if want := []byte{11, 0x8A, 0x03, 0x20}; string(b) != string(want) {
		t.Fatalf("Marshal = % x, want % x", b, want)
	}
	if got, err := Parse(b); err != nil || got != e {
		t.Errorf("Parse = %+v, %v", got, err)
	}
	if _, err := Parse(b[:3]); !errors.Is(err, ErrShort) {
		t.Errorf("short payload: %v", err)
	}
}

// The receiver reports each tone once, at its end, drops the repeated end
// packets, and reports a tone whose end packets were all lost when the
// next tone starts.
func TestReceiver(t *testing.T) {
	type in struct {
		ts  uint32
		ev  Event
		out string
	}
	e := func(code uint8, end bool, d uint16) Event { return Event{Code: code, End: end, Duration: d} }
	for _, c := range []struct {
		name string
		pkts []in
	}{
		{"start, continue, three ends", []in{{100, e(1, false, 160), ""}, {100, e(1, false, 320), ""},
			{100, e(1, true, 800), "1:800"}, {100, e(1, true, 800), ""}, {100, e(1, true, 800), ""}}},
		{"ends lost", []in{{100, e(5, false, 160), ""}, {100, e(5, false, 480), ""}, {900, e(6, false, 160), "5:480"}, {900, e(6, true, 320), "6:320"}}},
		{"same tone twice", []in{{100, e(11, true, 800), "#:800"}, {100, e(11, true, 800), ""}, {2000, e(11, true, 800), "#:800"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r Receiver
			for i, p := range c.pkts {
				got := ""
				for _, ev := range r.Packet(p.ts, p.ev) {
					if !ev.End {
						t.Errorf("packet %d: reported %+v without End", i, ev)
					}
					got += string(rune("0123456789*#ABCD"[ev.Code])) + ":" + strconv.Itoa(int(ev.Duration))
				}
				if got != p.out {
					t.Errorf("packet %d: reported %q, want %q", i, got, p.out)
				}
			}
		})
	}
}
