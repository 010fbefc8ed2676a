//go:build !js

package webrtc

import (
	"strings"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/internal/rfc4733"
)

// OpusSink receives the Opus RTP packets of the audio stream, as they
// arrive; it must not keep the packet after returning.
type OpusSink interface {
	WriteRTP(p *rtp.Packet) error
}

// track starts reading a remote track (pion calls it for each new one,
// including after a renegotiation that resumed a held stream).
func (s *Session) track(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	kind := media.Audio
	if t.Kind() == webrtc.RTPCodecTypeVideo {
		kind = media.Video
	}
	s.goRun(func() { s.readTrack(t, kind) })
	s.goRun(func() { drainRTCP(r) })
}

// drainRTCP reads a receiver's RTCP (the peer's sender reports) so that
// pion's report interceptor sees it, until the receiver stops.
func drainRTCP(r *webrtc.RTPReceiver) {
	for {
		if _, _, err := r.ReadRTCP(); err != nil {
			return
		}
	}
}

// readSenderRTCP reads the RTCP about one of our streams (the peer's
// receiver reports) into the stats, until the sender stops.
func (s *Session) readSenderRTCP(sender *webrtc.RTPSender, kind media.Kind) {
	s.goRun(func() {
		for {
			pkts, _, err := sender.ReadRTCP()
			if err != nil {
				return
			}
			now := time.Now()
			ssrc, clockRate := s.sentStream(kind)
			for _, p := range pkts {
				switch p := p.(type) {
				case *rtcp.ReceiverReport:
					s.stats.reports(kind, ssrc, clockRate, p.Reports, now)
				case *rtcp.SenderReport:
					s.stats.reports(kind, ssrc, clockRate, p.Reports, now)
				}
			}
		}
	})
}

// sentStream returns the SSRC and clock rate of our stream of a kind, or
// zeros before negotiation.
func (s *Session) sentStream(kind media.Kind) (ssrc, clockRate uint32) {
	t := s.audio
	if kind == media.Video {
		t = s.video
	}
	if t == nil {
		return 0, 0
	}
	if b := t.binding(); b != nil {
		return b.ssrc, b.codec.ClockRate
	}
	return 0, 0
}

// readTrack reads one remote track until it ends: it counts the packets,
// hands audio to the sinks and telephone-events to OnDTMF.
func (s *Session) readTrack(t *webrtc.TrackRemote, kind media.Kind) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	var pcm []int16
	var dtmf rfc4733.Receiver
	rx := s.stats.newStream(kind)
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		codec := t.Codec()
		te := isTelephoneEvent(codec.MimeType)
		s.stats.received(kind, rx, &pkt, codec.ClockRate, te, time.Now())
		if kind == media.Video {
			s.mu.Lock()
			sink := s.videoSink
			s.mu.Unlock()
			if sink != nil {
				sink.WriteRTP(&pkt)
			}
			continue
		}
		switch {
		case te:
			s.receiveEvent(&dtmf, &pkt, codec.ClockRate)
		case strings.EqualFold(codec.MimeType, webrtc.MimeTypePCMU), strings.EqualFold(codec.MimeType, webrtc.MimeTypePCMA):
			s.mu.Lock()
			sink := s.sink
			s.mu.Unlock()
			if sink == nil {
				continue
			}
			if strings.EqualFold(codec.MimeType, webrtc.MimeTypePCMU) {
				pcm = audio.DecodeULaw(pcm[:0], pkt.Payload)
			} else {
				pcm = audio.DecodeALaw(pcm[:0], pkt.Payload)
			}
			if err := sink.WritePCM(pcm); err != nil {
				s.log.Debug("audio sink", "err", err)
			}
		case strings.EqualFold(codec.MimeType, webrtc.MimeTypeOpus):
			s.mu.Lock()
			sink := s.opusSink
			s.mu.Unlock()
			if sink != nil {
				if err := sink.WriteRTP(&pkt); err != nil {
					s.log.Debug("Opus sink", "err", err)
				}
			}
		}
	}
}

// receiveEvent takes one telephone-event packet and reports the tones
// that ended.
func (s *Session) receiveEvent(r *rfc4733.Receiver, pkt *rtp.Packet, clockRate uint32) {
	e, err := rfc4733.Parse(pkt.Payload)
	if err != nil || clockRate == 0 {
		return
	}
	for _, ev := range r.Packet(pkt.Timestamp, e) {
		tone, ok := media.DTMFTone(ev.Code)
		if !ok {
			continue // flash or another non-DTMF event
		}
		s.mu.Lock()
		f := s.onDTMF
		s.mu.Unlock()
		if f != nil {
			f(media.DTMFEvent{Tone: tone, Duration: time.Duration(ev.Duration) * time.Second / time.Duration(clockRate)})
		}
	}
}
