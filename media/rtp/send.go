//go:build !js

package rtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/pion/rtp"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/internal/rfc4733"
)

// ptime is the packet interval: 20 ms.
const ptime = 20 * time.Millisecond

// unitsPerPacket is the RTP timestamp advance of one packet at 8 kHz.
const unitsPerPacket = audio.FrameSamples

// errNotSending is returned by SendDTMF while the stream does not send.
var errNotSending = errors.New("rtp: the audio stream is not sending")

// sender is the state of the outgoing stream, owned by sendLoop.
type sender struct {
	ssrc    uint32
	seq     uint16
	ts      uint32
	marker  bool         // the next audio packet starts a talkspurt
	src     audio.Source // the source srcDone is about
	srcDone bool         // src returned io.EOF or failed
	frame   []int16
	payload []byte
	buf     []byte
	dtmf    *rfc4733.Job
}

// sendLoop sends a packet every 20 ms until the session is closed.
func (s *Session) sendLoop() {
	defer s.wg.Done()
	st := &sender{ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(), marker: true,
		frame: make([]int16, audio.FrameSamples)}
	t := time.NewTicker(ptime)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			st.finishDTMF(media.ErrClosed)
			return
		case <-t.C:
		}
		s.tick(st)
	}
}

// tick sends what is due in one 20 ms interval.
func (s *Session) tick(st *sender) {
	s.mu.Lock()
	n := s.neg
	dest := s.latched
	if dest == nil && n != nil {
		dest = n.remote
	}
	src := s.src
	s.mu.Unlock()
	defer func() { st.ts += unitsPerPacket }()
	if st.dtmf == nil {
		select {
		case st.dtmf = <-s.dtmfCh:
		default:
		}
	}
	if st.dtmf != nil && s.dtmfTick(st, n, dest) {
		return
	}
	if !n.sends() || dest == nil {
		st.marker = true
		return
	}
	if src != st.src {
		st.src, st.srcDone = src, false
	}
	if src == nil || st.srcDone {
		clear(st.frame)
	} else if err := audio.ReadFrame(src, st.frame); err != nil {
		if !errors.Is(err, io.EOF) {
			s.log.Warn("audio source failed; sending silence", "err", err)
		}
		st.srcDone = true
	}
	if s.muted.Load() {
		clear(st.frame)
	}
	if n.codec == CodecPCMA {
		st.payload = audio.EncodeALaw(st.payload[:0], st.frame)
	} else {
		st.payload = audio.EncodeULaw(st.payload[:0], st.frame)
	}
	s.write(st, dest, n.pt, st.ts, st.marker, st.payload)
	st.marker = false
}

// write sends one RTP packet to dest.
func (s *Session) write(st *sender, dest *net.UDPAddr, pt uint8, ts uint32, marker bool, payload []byte) {
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: st.seq,
		Timestamp: ts, SSRC: st.ssrc, Marker: marker}, Payload: payload}
	st.seq++
	size := p.MarshalSize()
	if cap(st.buf) < size {
		st.buf = make([]byte, size)
	}
	b := st.buf[:size]
	if _, err := p.MarshalTo(b); err != nil {
		s.log.Debug("marshalling RTP", "err", err)
		return
	}
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if _, err := conn.WriteToUDP(b, dest); err != nil {
		if !s.isClosed() {
			s.log.Debug("writing RTP", "to", dest, "err", err)
		}
		return
	}
	s.countSent(len(payload))
}

// finishDTMF ends the current job, if any, with err.
func (st *sender) finishDTMF(err error) {
	if st.dtmf != nil {
		st.dtmf.Finish(err)
		st.dtmf = nil
	}
}

// dtmfTick plays one interval of the current DTMF job. It returns true if
// it sent a telephone-event (the interval carries no audio).
func (s *Session) dtmfTick(st *sender, n *negotiation, dest *net.UDPAddr) bool {
	j := st.dtmf
	if j.Starting() {
		switch err := j.Ctx.Err(); {
		case j.Done():
			st.finishDTMF(nil)
			return false
		case err != nil:
			st.finishDTMF(err)
			return false
		case !n.sends() || !n.hasTE:
			st.finishDTMF(fmt.Errorf("%w: renegotiated while sending DTMF", errNotSending))
			return false
		}
	}
	pkt, ok := j.Next(st.ts, audio.Rate, j.Ctx.Err() != nil)
	if !ok {
		return false
	}
	if n.sends() && dest != nil {
		s.write(st, dest, n.tePT, pkt.Timestamp, pkt.Marker, pkt.Event.Marshal())
		st.marker = true // audio after the tone starts a talkspurt
	}
	return true
}

// SendDTMF implements media.Session: RFC 4733 telephone-events on the audio
// stream, each tone a start packet, continuation packets every 20 ms and
// three end packets, all with the tone's timestamp.
func (s *Session) SendDTMF(ctx context.Context, tones string, opts media.DTMFOptions) error {
	tones, err := media.ValidateDTMF(tones)
	if err != nil {
		return err
	}
	s.dtmfMu.Lock()
	defer s.dtmfMu.Unlock()
	s.mu.Lock()
	n := s.neg
	s.mu.Unlock()
	if s.isClosed() {
		return media.ErrClosed
	}
	if n == nil || !n.hasTE {
		return media.ErrNoTelephoneEvent
	}
	if !n.sends() {
		return fmt.Errorf("%w: cannot send DTMF", errNotSending)
	}
	return rfc4733.NewJob(ctx, tones, opts).Run(s.dtmfCh, s.done)
}
