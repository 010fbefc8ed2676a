//go:build !js

package webrtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/internal/rfc4733"
)

// ptime is the packet interval of audio: 20 ms.
const ptime = 20 * time.Millisecond

// opusSilence is a 20 ms Opus packet of silence (CELT, fullband, mono),
// sent while an Opus stream is muted.
var opusSilence = []byte{0xF8, 0xFF, 0xFE}

// audioSender is the state of the outgoing audio stream, owned by the
// audio loop.
type audioSender struct {
	seq      uint16
	ts       uint32
	marker   bool          // the next audio packet starts a talkspurt
	srcDone  bool          // the source returned io.EOF
	src      any           // the source srcDone is about
	opusDebt time.Duration // Opus audio sent ahead of the clock
	frame    []int16
	payload  []byte
	dtmf     *rfc4733.Job
}

// audioLoop sends the audio stream every 20 ms once the session is
// connected, until it is closed.
func (s *Session) audioLoop() {
	select {
	case <-s.up:
	case <-s.done:
		return
	}
	st := &audioSender{seq: uint16(rand.Uint32()), ts: rand.Uint32(), marker: true,
		frame: make([]int16, audio.FrameSamples)}
	next := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-s.done:
			st.finishDTMF(media.ErrClosed)
			return
		case <-timer.C:
		}
		s.audioTick(st)
		next = next.Add(ptime)
		wait := time.Until(next)
		if wait < -10*ptime { // fell far behind (a stalled machine): do not burst
			next, wait = time.Now(), 0
		}
		timer.Reset(max(wait, 0))
	}
}

// audioTick sends what is due in one 20 ms interval.
func (s *Session) audioTick(st *audioSender) {
	b := s.audio.binding()
	if b == nil {
		return
	}
	units := b.codec.ClockRate / 50 // timestamp units per 20 ms
	if st.dtmf == nil {
		select {
		case st.dtmf = <-s.dtmfCh:
		default:
		}
	}
	if st.dtmf != nil && s.dtmfTick(st, b) {
		st.ts += units
		return
	}
	if !s.sendAudio.Load() {
		st.ts += units
		st.marker = true
		return
	}
	if strings.EqualFold(b.codec.MimeType, webrtc.MimeTypeOpus) {
		s.sendOpus(st, b)
		return
	}
	s.sendG711(st, b)
	st.ts += units
}

// sendG711 reads a frame from the PCM source and sends it encoded.
func (s *Session) sendG711(st *audioSender, b *binding) {
	s.mu.Lock()
	src := s.src
	s.mu.Unlock()
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
	if s.mutedAudio.Load() {
		clear(st.frame)
	}
	switch {
	case strings.EqualFold(b.codec.MimeType, webrtc.MimeTypePCMA):
		st.payload = audio.EncodeALaw(st.payload[:0], st.frame)
	case strings.EqualFold(b.codec.MimeType, webrtc.MimeTypePCMU):
		st.payload = audio.EncodeULaw(st.payload[:0], st.frame)
	default:
		return
	}
	s.writeAudio(st, b, uint8(b.codec.PayloadType), st.ts, st.payload)
}

// sendOpus sends the Opus packets of the source that are due.
func (s *Session) sendOpus(st *audioSender, b *binding) {
	s.mu.Lock()
	src := s.opusSrc
	s.mu.Unlock()
	if src != st.src {
		st.src, st.srcDone, st.opusDebt = src, false, 0
	}
	st.opusDebt -= ptime
	for st.opusDebt < 0 {
		var pkt []byte
		d := ptime
		if src != nil && !st.srcDone {
			p, pd, err := src.ReadOpus()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					s.log.Warn("Opus source failed", "err", err)
				}
				st.srcDone = true
			} else {
				pkt, d = p, max(pd, 2500*time.Microsecond)
			}
		}
		if src == nil || st.srcDone || s.mutedAudio.Load() {
			pkt, d = opusSilence, ptime
		}
		s.writeAudio(st, b, uint8(b.codec.PayloadType), st.ts, pkt)
		st.ts += uint32(d * 48000 / time.Second)
		st.opusDebt += d
	}
}

// writeAudio sends one audio packet, with the marker bit if a talkspurt
// starts.
func (s *Session) writeAudio(st *audioSender, b *binding, pt uint8, ts uint32, payload []byte) {
	s.writePacket(st, b, pt, ts, st.marker, payload)
	st.marker = false
}

// writePacket sends one packet of the audio stream.
func (s *Session) writePacket(st *audioSender, b *binding, pt uint8, ts uint32, marker bool, payload []byte) {
	h := rtp.Header{PayloadType: pt, SequenceNumber: st.seq, Timestamp: ts, Marker: marker}
	st.seq++
	if err := b.write(&h, payload); err != nil {
		if !s.isClosed() {
			s.log.Debug("writing RTP", "err", err)
		}
		return
	}
	s.stats.sent(media.Audio, len(payload))
}

// finishDTMF ends the current job, if any, with err.
func (st *audioSender) finishDTMF(err error) {
	if st.dtmf != nil {
		st.dtmf.Finish(err)
		st.dtmf = nil
	}
}

// dtmfTick plays one interval of the current DTMF job. It returns true if
// it sent a telephone-event (the interval carries no audio).
func (s *Session) dtmfTick(st *audioSender, b *binding) bool {
	j := st.dtmf
	if j.Starting() {
		if j.Done() {
			st.finishDTMF(nil)
			return false
		}
		if err := j.Ctx.Err(); err != nil {
			st.finishDTMF(err)
			return false
		}
	}
	pkt, ok := j.Next(st.ts, b.codec.ClockRate, j.Ctx.Err() != nil)
	if !ok {
		return false
	}
	if s.sendAudio.Load() {
		s.writePacket(st, b, b.teType, pkt.Timestamp, pkt.Marker, pkt.Event.Marshal())
		st.marker = true // audio after the tone starts a talkspurt
	}
	return true
}

// SendDTMF implements media.Session.
func (s *Session) SendDTMF(ctx context.Context, tones string, opts media.DTMFOptions) error {
	tones, err := media.ValidateDTMF(tones)
	if err != nil {
		return err
	}
	s.dtmfMu.Lock()
	defer s.dtmfMu.Unlock()
	if s.isClosed() {
		return media.ErrClosed
	}
	b := s.audio.binding()
	if b == nil || !b.hasTE {
		return media.ErrNoTelephoneEvent
	}
	if !s.sendAudio.Load() {
		return fmt.Errorf("%w: cannot send DTMF", errNotSending)
	}
	return rfc4733.NewJob(ctx, tones, opts).Run(s.dtmfCh, s.done)
}
