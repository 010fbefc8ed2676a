//go:build !js

package webrtc

import (
	"errors"
	"io"
	"math/rand/v2"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/ringo-sip/ringo/media"
)

// VideoSource is VP8 video to send.
type VideoSource interface {
	// ReadVP8 returns the next VP8 frame and its presentation time from
	// the start of the stream; io.EOF at the end.
	ReadVP8() (frame []byte, pts time.Duration, err error)
}

// VideoSink receives the VP8 RTP packets of the video stream, as they
// arrive; it must not keep the packet after returning.
type VideoSink interface {
	WriteRTP(p *rtp.Packet) error
}

// videoMTU is the largest RTP payload the VP8 packetizer makes.
const videoMTU = 1200

// videoLoop sends the frames of the video source at their presentation
// times once the session is connected, until the source ends or the
// session is closed.
func (s *Session) videoLoop() {
	select {
	case <-s.up:
	case <-s.done:
		return
	}
	s.mu.Lock()
	src := s.videoSrc
	s.mu.Unlock()
	if src == nil {
		return
	}
	packetizer := rtp.NewPacketizer(videoMTU, 0, 0, &codecs.VP8Payloader{EnablePictureID: true},
		rtp.NewRandomSequencer(), videoClock)
	start := time.Now()
	base := rand.Uint32()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		frame, pts, err := src.ReadVP8()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.log.Warn("video source failed", "err", err)
			}
			return
		}
		timer.Reset(time.Until(start.Add(pts)))
		select {
		case <-s.done:
			return
		case <-timer.C:
		}
		pkts := packetizer.Packetize(frame, 0)
		ts := base + uint32(int64(pts)*videoClock/int64(time.Second))
		b := s.video.binding()
		if b == nil || !s.sendVideo.Load() || s.mutedVideo.Load() {
			continue
		}
		for _, p := range pkts {
			h := p.Header
			h.PayloadType = uint8(b.codec.PayloadType)
			h.Timestamp = ts
			if err := b.write(&h, p.Payload); err != nil {
				s.log.Debug("writing video RTP", "err", err)
				continue
			}
			s.stats.sent(media.Video, len(p.Payload))
		}
	}
}
