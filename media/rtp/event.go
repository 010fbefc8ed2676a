//go:build !js

package rtp

import (
	"encoding/binary"
	"errors"
)

// event is an RFC 4733 §2.3 telephone-event payload:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type event struct {
	code     uint8
	end      bool
	volume   uint8  // power level below 0 dBm0, 0-63
	duration uint16 // in timestamp units since the event's timestamp
}

// dtmfVolume is the power level sent: -10 dBm0, a usual DTMF level.
const dtmfVolume = 10

// errShortEvent is returned for a telephone-event payload under 4 bytes.
var errShortEvent = errors.New("rtp: telephone-event payload shorter than 4 bytes")

// marshal returns the 4-byte payload.
func (e event) marshal() []byte {
	b := make([]byte, 4)
	b[0] = e.code
	b[1] = e.volume & 0x3F
	if e.end {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.duration)
	return b
}

// parseEvent reads a payload; of several events in one payload (RFC 4733
// §2.5.1.5, rare) it reads the first.
func parseEvent(b []byte) (event, error) {
	if len(b) < 4 {
		return event{}, errShortEvent
	}
	return event{code: b[0], end: b[1]&0x80 != 0, volume: b[1] & 0x3F,
		duration: binary.BigEndian.Uint16(b[2:])}, nil
}

// dtmfReceiver turns telephone-event packets into one event per tone:
// packets with the timestamp of a tone already reported (the repeated end
// packets) are dropped, and a tone whose end packets were all lost is
// reported when the next one starts.
type dtmfReceiver struct {
	active   bool   // a tone has started and not been reported
	ts       uint32 // timestamp of the current or last tone
	code     uint8
	duration uint16
	reported bool // the tone at ts was reported
}

// packet takes one telephone-event packet and returns the tones to report.
func (r *dtmfReceiver) packet(ts uint32, e event) (out []event) {
	if r.reported && ts == r.ts {
		return nil
	}
	if r.active && ts != r.ts {
		out = append(out, event{code: r.code, duration: r.duration, end: true})
	}
	if !r.active || ts != r.ts {
		r.active, r.reported, r.ts, r.code, r.duration = true, false, ts, e.code, 0
	}
	r.duration = max(r.duration, e.duration)
	if e.end {
		out = append(out, event{code: r.code, duration: r.duration, end: true})
		r.active, r.reported = false, true
	}
	return out
}
