//go:build !js

package rtp

import (
	"time"

	"github.com/pion/rtp"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

// sessionStats holds a session's counters; Session.mu guards them except
// sent, which takes it itself.
type sessionStats struct {
	sentPackets, sentBytes uint64
	recvPackets, recvBytes uint64
	lostDone, expDone      int64 // of the remote streams that ended
	rx                     rxStream
}

// rxStream is the RFC 3550 §A.1/A.8 reception state of one remote stream
// (one SSRC).
type rxStream struct {
	started   bool
	ssrc      uint32
	baseSeq   uint16
	maxSeq    uint16
	cycles    uint32
	received  int64
	transit   int64 // last relative transit time, in timestamp units
	haveTrans bool
	jitter    float64 // in timestamp units
	epoch     time.Time
}

// Sequence jumps (RFC 3550 §A.1): a packet this far behind the newest is
// taken as the sender restarting its sequence, not as an old packet.
const maxMisorder = 100

// expected returns how many packets the stream should have delivered.
func (r *rxStream) expected() int64 {
	if !r.started {
		return 0
	}
	return int64(r.cycles) + int64(r.maxSeq) - int64(r.baseSeq) + 1
}

// countSent counts one packet sent.
func (s *Session) countSent(payload int) {
	s.mu.Lock()
	s.stats.sentPackets++
	s.stats.sentBytes += uint64(payload)
	s.mu.Unlock()
}

// received counts one packet received and reports whether it is new: not
// a duplicate nor older than the newest. Session.mu is held.
func (st *sessionStats) received(p *rtp.Packet, te bool, now time.Time) bool {
	r := &st.rx
	if r.started && p.SSRC == r.ssrc {
		delta := int16(p.SequenceNumber - r.maxSeq)
		switch {
		case delta > 0:
			if p.SequenceNumber < r.maxSeq {
				r.cycles += 1 << 16
			}
			r.maxSeq = p.SequenceNumber
		case delta > -maxMisorder:
			return false // a duplicate or a late packet
		default:
			r.started = false // the sender restarted its sequence
		}
	}
	if !r.started || p.SSRC != r.ssrc {
		if r.started {
			st.expDone += r.expected()
			st.lostDone += r.expected() - r.received
		}
		*r = rxStream{started: true, ssrc: p.SSRC, baseSeq: p.SequenceNumber, maxSeq: p.SequenceNumber, epoch: now}
	}
	r.received++
	st.recvPackets++
	st.recvBytes += uint64(len(p.Payload))
	if !te {
		// RFC 3550 §A.8, in timestamp units of the 8 kHz clock.
		arrival := int64(now.Sub(r.epoch)) * audio.Rate / int64(time.Second)
		transit := arrival - int64(p.Timestamp)
		if r.haveTrans {
			d := transit - r.transit
			if d < 0 {
				d = -d
			}
			r.jitter += (float64(d) - r.jitter) / 16
		}
		r.transit, r.haveTrans = transit, true
	}
	return true
}

// Stats implements media.Session. Sent counts what was sent; Received
// counts new packets (duplicates and late packets are not), their loss
// from sequence gaps and their jitter. Without RTCP, Sent.Lost,
// Sent.Jitter and RoundTrip are zero.
func (s *Session) Stats() media.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.stats
	var a media.StreamStats
	if s.neg != nil {
		a.Codec = s.neg.codec
	}
	a.Sent = media.DirectionStats{Packets: st.sentPackets, Bytes: st.sentBytes}
	expected := st.expDone + st.rx.expected()
	lost := st.lostDone + st.rx.expected() - st.rx.received
	a.Received = media.DirectionStats{Packets: st.recvPackets, Bytes: st.recvBytes, Lost: lost,
		Jitter: time.Duration(st.rx.jitter * float64(time.Second) / audio.Rate)}
	if expected > 0 && lost > 0 {
		a.Received.FractionLost = float64(lost) / float64(expected)
	}
	return media.Stats{Audio: a}
}
