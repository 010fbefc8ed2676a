//go:build !js

package rtp

import (
	"errors"
	"net"
	"time"

	"github.com/pion/rtp"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/internal/rfc4733"
)

// recvLoop reads the RTP socket until it is closed.
func (s *Session) recvLoop(conn *net.UDPConn) {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	r := &receiver{}
	for {
		n, from, err := conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.isClosed() {
				return
			}
			s.log.Debug("reading RTP", "err", err)
			continue
		}
		s.receive(r, buf[:n], from, time.Now())
	}
}

// drain reads and discards what arrives on the RTCP port.
func (s *Session) drain(conn *net.UDPConn) {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		if _, _, err := conn.ReadFromUDP(buf); err != nil {
			if errors.Is(err, net.ErrClosed) || s.isClosed() {
				return
			}
		}
	}
}

// receiver is the receive state owned by recvLoop.
type receiver struct {
	pkt  rtp.Packet
	pcm  []int16
	dtmf rfc4733.Receiver
	ssrc uint32 // SSRC the dtmf state is about
}

// isRTCP reports whether a datagram on the RTP port is RTCP multiplexed
// on it (RFC 5761 §4: packet types 192-223 in the second byte).
func isRTCP(b []byte) bool {
	return len(b) >= 2 && b[1] >= 192 && b[1] <= 223
}

// receive takes one datagram.
func (s *Session) receive(r *receiver, b []byte, from *net.UDPAddr, now time.Time) {
	if len(b) < 12 || b[0]>>6 != 2 || isRTCP(b) {
		return
	}
	if err := r.pkt.Unmarshal(b); err != nil {
		return
	}
	p := &r.pkt
	s.mu.Lock()
	kind := s.recvMap[p.PayloadType]
	if kind == "" {
		s.mu.Unlock()
		return // comfort noise, a codec not negotiated, or nothing negotiated
	}
	if s.latched == nil && s.neg != nil {
		s.latched = from
		if !sameAddr(from, s.neg.remote) {
			s.log.Debug("symmetric RTP: sending where the peer sends from", "from", from, "sdp", s.neg.remote)
		}
	}
	fresh := s.stats.received(p, kind == telephoneEvent, now)
	takes := s.neg.receives() || s.neg == nil
	sink := s.sink
	onDTMF := s.onDTMF
	if !fresh || !takes {
		s.mu.Unlock()
		return
	}
	if kind == telephoneEvent {
		if r.ssrc != p.SSRC {
			r.dtmf, r.ssrc = rfc4733.Receiver{}, p.SSRC
		}
		if e, err := rfc4733.Parse(p.Payload); err == nil && onDTMF != nil {
			for _, ev := range r.dtmf.Packet(p.Timestamp, e) {
				tone, ok := media.DTMFTone(ev.Code)
				if !ok {
					continue // flash or another non-DTMF event
				}
				d := time.Duration(ev.Duration) * time.Second / audio.Rate
				s.post(func() { onDTMF(media.DTMFEvent{Tone: tone, Duration: d}) })
			}
		}
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	if sink == nil {
		return
	}
	if kind == CodecPCMA {
		r.pcm = audio.DecodeALaw(r.pcm[:0], p.Payload)
	} else {
		r.pcm = audio.DecodeULaw(r.pcm[:0], p.Payload)
	}
	if err := sink.WritePCM(r.pcm); err != nil {
		s.log.Debug("audio sink", "err", err)
	}
}
