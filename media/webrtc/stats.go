//go:build !js

package webrtc

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/ringo-sip/ringo/media"
)

// sessionStats holds a session's counters.
type sessionStats struct {
	mu           sync.Mutex
	audio, video kindStats
}

// kindStats counts the streams of one kind.
type kindStats struct {
	sent      media.DirectionStats
	received  media.DirectionStats
	lostDone  int64     // loss of the remote streams that ended
	expDone   int64     // packets expected from the remote streams that ended
	rx        *rxStream // the current remote stream
	roundTrip time.Duration
}

// rxStream is RFC 3550 §A.1/A.8 reception state of one remote stream.
type rxStream struct {
	started    bool
	baseSeq    uint32
	maxSeq     uint16
	cycles     uint32
	received   int64
	transit    int64   // last relative transit time, in timestamp units
	haveTrans  bool    // transit is set
	jitter     float64 // in timestamp units
	clockRate  uint32
	epoch      time.Time
	lastSender uint32
}

// of returns the counters of a kind. s.mu is held.
func (s *sessionStats) of(kind media.Kind) *kindStats {
	if kind == media.Video {
		return &s.video
	}
	return &s.audio
}

// sent counts one packet sent.
func (s *sessionStats) sent(kind media.Kind, payload int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.of(kind)
	k.sent.Packets++
	k.sent.Bytes += uint64(payload)
}

// newStream starts counting a new remote stream of a kind.
func (s *sessionStats) newStream(kind media.Kind) *rxStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.of(kind)
	if k.rx != nil {
		k.lostDone += k.rx.lost()
		k.expDone += k.rx.expected()
	}
	k.rx = &rxStream{epoch: time.Now()}
	return k.rx
}

// expected returns how many packets the stream should have delivered
// (RFC 3550 §A.3).
func (r *rxStream) expected() int64 {
	if !r.started {
		return 0
	}
	return int64(r.cycles) + int64(r.maxSeq) - int64(r.baseSeq) + 1
}

// lost returns the cumulative loss of the stream.
func (r *rxStream) lost() int64 {
	return r.expected() - r.received
}

// received counts one packet received on stream r. Telephone-events
// count but do not enter the jitter, their timestamps being the tone's.
func (s *sessionStats) received(kind media.Kind, r *rxStream, p *rtp.Packet, clockRate uint32, te bool, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.of(kind)
	k.received.Packets++
	k.received.Bytes += uint64(len(p.Payload))
	seq := p.SequenceNumber
	if !r.started || p.SSRC != r.lastSender {
		if r.started { // the peer changed SSRC
			k.lostDone += r.lost()
			k.expDone += r.expected()
		}
		*r = rxStream{started: true, baseSeq: uint32(seq), maxSeq: seq, epoch: r.epoch, lastSender: p.SSRC}
	} else if d := seq - r.maxSeq; d != 0 && d < 0x8000 {
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	}
	r.received++
	if te || clockRate == 0 {
		return
	}
	if r.clockRate != clockRate {
		r.clockRate, r.haveTrans, r.jitter = clockRate, false, 0
	}
	arrival := int64(now.Sub(r.epoch)) * int64(clockRate) / int64(time.Second)
	transit := arrival - int64(p.Timestamp)
	if r.haveTrans {
		d := float64(transit - r.transit)
		if d < 0 {
			d = -d
		}
		r.jitter += (d - r.jitter) / 16
	}
	r.transit, r.haveTrans = transit, true
}

// reports takes the peer's reception reports about our stream ssrc,
// whose clock runs at clockRate.
func (s *sessionStats) reports(kind media.Kind, ssrc, clockRate uint32, reports []rtcp.ReceptionReport, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.of(kind)
	for _, r := range reports {
		if r.SSRC != ssrc || ssrc == 0 || clockRate == 0 {
			continue
		}
		lost := int64(r.TotalLost & 0xFFFFFF)
		if lost&0x800000 != 0 { // 24-bit signed
			lost -= 1 << 24
		}
		k.sent.Lost = lost
		k.sent.FractionLost = float64(r.FractionLost) / 256
		k.sent.Jitter = time.Duration(r.Jitter) * time.Second / time.Duration(clockRate)
		if r.LastSenderReport != 0 {
			// RFC 3550 §6.4.1: round trip = arrival - LSR - DLSR, in
			// 1/65536 s of the NTP clock.
			rtt := ntpCompact(now) - r.LastSenderReport - r.Delay
			if rtt < 1<<31 {
				k.roundTrip = time.Duration(rtt) * time.Second / 65536
			}
		}
	}
}

// ntpCompact returns the middle 32 bits of the NTP timestamp of t.
func ntpCompact(t time.Time) uint32 {
	const ntpEpochOffset = 2208988800 // seconds from 1900 to 1970
	secs := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return uint32(secs<<16 | frac>>16)
}

// snapshot returns the counters of a kind.
func (s *sessionStats) snapshot(kind media.Kind, codec string) media.StreamStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.of(kind)
	out := media.StreamStats{Codec: codec, Sent: k.sent, Received: k.received, RoundTrip: k.roundTrip}
	out.Received.Lost = k.lostDone
	expected := k.expDone
	if r := k.rx; r != nil {
		out.Received.Lost += r.lost()
		expected += r.expected()
		if r.clockRate != 0 {
			out.Received.Jitter = time.Duration(r.jitter * float64(time.Second) / float64(r.clockRate))
		}
	}
	if expected > 0 && out.Received.Lost > 0 {
		out.Received.FractionLost = float64(out.Received.Lost) / float64(expected)
	}
	return out
}

// Stats implements media.Session.
func (s *Session) Stats() media.Stats {
	codec := func(t *rtpTrack) string {
		if t == nil {
			return ""
		}
		if b := t.binding(); b != nil {
			return b.codecID
		}
		return ""
	}
	return media.Stats{
		Audio: s.stats.snapshot(media.Audio, codec(s.audio)),
		Video: s.stats.snapshot(media.Video, codec(s.video)),
	}
}
