package rfc4733

import (
	"encoding/binary"
	"errors"
)

// An Event is an RFC 4733 §2.3 telephone-event payload:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Event struct {
	Code     uint8
	End      bool
	Volume   uint8  // power level below 0 dBm0, 0-63
	Duration uint16 // in timestamp units since the event's timestamp
}

// Volume is the power level to send: -10 dBm0, a usual DTMF level.
const Volume = 10

// ErrShort is returned for a telephone-event payload under 4 bytes.
var ErrShort = errors.New("telephone-event payload shorter than 4 bytes")

// Marshal returns the 4-byte payload.
func (e Event) Marshal() []byte {
	b := make([]byte, 4)
	b[0] = e.Code
	b[1] = e.Volume & 0x3F
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.Duration)
	return b
}

// Parse reads a payload. Of several events in one payload (RFC 4733
// §2.5.1.5, rare) it reads the first.
func Parse(b []byte) (Event, error) {
	if len(b) < 4 {
		return Event{}, ErrShort
	}
	return Event{Code: b[0], End: b[1]&0x80 != 0, Volume: b[1] & 0x3F, Duration: binary.BigEndian.Uint16(b[2:])}, nil
}

// A Receiver turns telephone-event packets into one event per tone:
// packets with the timestamp of a tone already reported (the repeated end
// packets) are dropped, and a tone whose end packets were all lost is
// reported when the next one starts. The zero value is ready to use; a new
// stream (SSRC) wants a new Receiver.
type Receiver struct {
	active   bool   // a tone has started and not been reported
	ts       uint32 // timestamp of the current or last tone
	code     uint8
	duration uint16
	reported bool // the tone at ts was reported
}

// Packet takes one telephone-event packet and returns the tones to report,
// each with End set and its longest duration.
func (r *Receiver) Packet(ts uint32, e Event) (out []Event) {
	if r.reported && ts == r.ts {
		return nil
	}
	if r.active && ts != r.ts {
		out = append(out, Event{Code: r.code, Duration: r.duration, End: true})
	}
	if !r.active || ts != r.ts {
		r.active, r.reported, r.ts, r.code, r.duration = true, false, ts, e.Code, 0
	}
	r.duration = max(r.duration, e.Duration)
	if e.End {
		out = append(out, Event{Code: r.code, Duration: r.duration, End: true})
		r.active, r.reported = false, true
	}
	return out
}
