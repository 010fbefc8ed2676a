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
	dtmf    *dtmfJob
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

// dtmfJob is one SendDTMF call, played by sendLoop.
type dtmfJob struct {
	ctx   context.Context
	tones string
	opts  media.DTMFOptions
	done  chan error // receives the result once

	i        int    // index of the current character in tones
	phase    int    // dtmfStart, dtmfEvent, dtmfEnd or dtmfWait
	code     uint8  // event of the current tone
	evTS     uint32 // timestamp of the current tone
	total    uint32 // its duration in timestamp units
	elapsed  uint32 // duration sent so far
	first    bool   // the next event packet is the tone's first
	endsLeft int    // end packets still to send after the first
	wait     int    // ticks of gap or pause left
}

// Phases of a dtmfJob.
const (
	dtmfStart = iota // about to start the next character
	dtmfEvent        // sending a tone's packets
	dtmfEnd          // repeating its end packet
	dtmfWait         // gap after a tone, or a pause: audio flows
)

// finishDTMF ends the current job, if any, with err.
func (st *sender) finishDTMF(err error) {
	if st.dtmf != nil {
		st.dtmf.done <- err
		st.dtmf = nil
	}
}

// ticks returns how many 20 ms intervals d spans, at least one.
func ticks(d time.Duration) int {
	return max(1, int((d+ptime-1)/ptime))
}

// dtmfTick plays one interval of the current DTMF job. It returns true if
// it sent a telephone-event (the interval carries no audio).
func (s *Session) dtmfTick(st *sender, n *negotiation, dest *net.UDPAddr) bool {
	j := st.dtmf
	for {
		switch j.phase {
		case dtmfStart:
			if j.i >= len(j.tones) {
				st.finishDTMF(nil)
				return false
			}
			if err := j.ctx.Err(); err != nil {
				st.finishDTMF(err)
				return false
			}
			if !n.sends() || !n.hasTE {
				st.finishDTMF(fmt.Errorf("%w: renegotiated while sending DTMF", errNotSending))
				return false
			}
			c := rune(j.tones[j.i])
			if c == ',' {
				j.i++
				j.phase, j.wait = dtmfWait, ticks(j.opts.Pause)
				continue
			}
			j.code, _ = media.DTMFEventCode(c)
			j.evTS = st.ts
			j.total = uint32(min(int64(j.opts.Duration)*audio.Rate/int64(time.Second), 0xFFFF))
			j.elapsed, j.first = 0, true
			j.phase = dtmfEvent
		case dtmfEvent:
			if j.ctx.Err() != nil {
				j.total = min(j.total, j.elapsed+unitsPerPacket) // cut the tone short
			}
			j.elapsed = min(j.elapsed+unitsPerPacket, j.total)
			end := j.elapsed >= j.total
			s.sendEvent(st, n, dest, j, end)
			if end {
				j.phase, j.endsLeft = dtmfEnd, 2
			}
			return true
		case dtmfEnd:
			s.sendEvent(st, n, dest, j, true)
			j.endsLeft--
			if j.endsLeft == 0 {
				j.i++
				j.phase, j.wait = dtmfWait, ticks(j.opts.Gap)
			}
			return true
		case dtmfWait:
			j.wait--
			if j.wait <= 0 {
				j.phase = dtmfStart
			}
			return false
		}
	}
}

// sendEvent sends one telephone-event packet of the current tone: the
// first with the marker bit, all with the tone's timestamp and the
// duration so far (RFC 4733 §2.5.1).
func (s *Session) sendEvent(st *sender, n *negotiation, dest *net.UDPAddr, j *dtmfJob, end bool) {
	if !n.sends() || dest == nil {
		return
	}
	payload := rfc4733.Event{Code: j.code, End: end, Volume: rfc4733.Volume, Duration: uint16(j.elapsed)}.Marshal()
	s.write(st, dest, n.tePT, j.evTS, j.first, payload)
	j.first = false
	st.marker = true // audio after the tone starts a talkspurt
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
	job := &dtmfJob{ctx: ctx, tones: tones, opts: opts.WithDefaults(), done: make(chan error, 1)}
	select {
	case s.dtmfCh <- job:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return media.ErrClosed
	}
	select {
	case err := <-job.done:
		return err
	case <-s.done:
		return media.ErrClosed
	}
}
