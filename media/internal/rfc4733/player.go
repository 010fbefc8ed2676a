package rfc4733

import (
	"time"

	"github.com/ringo-sip/ringo/media"
)

// Interval is the packet interval the player plays in, as both engines
// send audio: 20 ms.
const Interval = 20 * time.Millisecond

// A Player plays a string of DTMF tones as telephone-events, one packet
// interval at a time (RFC 4733 §2.5.1): each tone is a first packet with
// the marker bit, packets every interval with the duration so far, then
// three end packets, all with the tone's timestamp; then opts.Gap of audio,
// and opts.Pause of audio for a ','.
type Player struct {
	tones string
	opts  media.DTMFOptions

	i        int    // index of the current character in tones
	phase    int    // start, event, end or wait
	code     uint8  // event of the current tone
	ts       uint32 // timestamp of the current tone
	total    uint32 // its duration in timestamp units
	elapsed  uint32 // duration sent so far
	first    bool   // the next event packet is the tone's first
	endsLeft int    // end packets still to send after the first
	wait     int    // intervals of gap or pause left
}

// Phases of a Player.
const (
	phaseStart = iota // about to start the next character
	phaseEvent        // sending a tone's packets
	phaseEnd          // repeating its end packet
	phaseWait         // gap after a tone, or a pause: audio flows
)

// NewPlayer returns a player of tones (validated by media.ValidateDTMF),
// with opts' defaults applied.
func NewPlayer(tones string, opts media.DTMFOptions) *Player {
	return &Player{tones: tones, opts: opts.WithDefaults()}
}

// Packet is one telephone-event packet to send.
type Packet struct {
	Event     Event
	Timestamp uint32 // the tone's: the stream's timestamp when it started
	Marker    bool   // the tone's first packet
}

// Starting reports whether the next interval begins a character (or finds
// none left): where an engine checks that it may still send events, and
// whether the caller still wants them.
func (p *Player) Starting() bool { return p.phase == phaseStart }

// Done reports whether every tone has been played.
func (p *Player) Done() bool { return p.phase == phaseStart && p.i >= len(p.tones) }

// Next plays one interval: ts is the stream's timestamp for it and rate
// its clock rate; stop cuts the current tone short (its end packets are
// sent at once). It returns the packet to send instead of audio, or false
// when the interval carries audio (a gap, a pause, or nothing left).
func (p *Player) Next(ts, rate uint32, stop bool) (Packet, bool) {
	units := rate / uint32(time.Second/Interval)
	for {
		switch p.phase {
		case phaseStart:
			if p.i >= len(p.tones) {
				return Packet{}, false
			}
			c := rune(p.tones[p.i])
			if c == ',' {
				p.i++
				p.phase, p.wait = phaseWait, intervals(p.opts.Pause)
				continue
			}
			p.code, _ = media.DTMFEventCode(c)
			p.ts = ts
			p.total = uint32(min(int64(p.opts.Duration)*int64(rate)/int64(time.Second), 0xFFFF))
			p.elapsed, p.first = 0, true
			p.phase = phaseEvent
		case phaseEvent:
			if stop {
				p.total = min(p.total, p.elapsed+units)
			}
			p.elapsed = min(p.elapsed+units, p.total)
			end := p.elapsed >= p.total
			if end {
				p.phase, p.endsLeft = phaseEnd, 2
			}
			return p.packet(end), true
		case phaseEnd:
			p.endsLeft--
			if p.endsLeft == 0 {
				p.i++
				p.phase, p.wait = phaseWait, intervals(p.opts.Gap)
			}
			return p.packet(true), true
		case phaseWait:
			p.wait--
			if p.wait <= 0 {
				p.phase = phaseStart
			}
			return Packet{}, false
		}
	}
}

func (p *Player) packet(end bool) Packet {
	pkt := Packet{Event: Event{Code: p.code, End: end, Volume: Volume, Duration: uint16(p.elapsed)}, Timestamp: p.ts, Marker: p.first}
	p.first = false
	return pkt
}

// intervals returns how many packet intervals d spans, at least one.
func intervals(d time.Duration) int {
	return max(1, int((d+Interval-1)/Interval))
}
