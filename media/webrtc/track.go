//go:build !js

package webrtc

import (
	"strings"
	"sync"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// rtpTrack is a TrackLocal whose RTP this package writes itself, payload
// type included. pion's TrackLocalStaticRTP rewrites every packet's payload
// type to the one negotiated codec, which rules out sending
// telephone-events in the audio stream; this track does not.
type rtpTrack struct {
	id, streamID string
	kind         webrtc.RTPCodecType
	// choose picks the codec the track sends from those negotiated.
	choose func([]webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool)

	mu sync.Mutex
	b  *binding
}

// binding is what a track needs to write once negotiation bound it.
type binding struct {
	id      string
	ssrc    uint32
	codec   webrtc.RTPCodecParameters // the codec sent
	teType  uint8                     // payload type of telephone-event at codec's clock rate
	hasTE   bool                      // telephone-event was negotiated at that rate
	writer  webrtc.TrackLocalWriter
	codecID string // PCMU, PCMA, opus, VP8
}

// Bind records the negotiated SSRC, codecs and writer.
func (t *rtpTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codecs := ctx.CodecParameters()
	codec, ok := t.choose(codecs)
	if !ok {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	b := &binding{id: ctx.ID(), ssrc: uint32(ctx.SSRC()), codec: codec, writer: ctx.WriteStream(),
		codecID: codecName(codec.MimeType)}
	for _, c := range codecs {
		if isTelephoneEvent(c.MimeType) && c.ClockRate == codec.ClockRate {
			b.teType, b.hasTE = uint8(c.PayloadType), true
			break
		}
	}
	t.mu.Lock()
	t.b = b
	t.mu.Unlock()
	return codec, nil
}

// Unbind forgets the binding.
func (t *rtpTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.b != nil && t.b.id == ctx.ID() {
		t.b = nil
	}
	return nil
}

// binding returns the current binding, or nil before negotiation.
func (t *rtpTrack) binding() *binding {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b
}

// ID returns the track's id.
func (t *rtpTrack) ID() string { return t.id }

// RID returns "": no simulcast.
func (t *rtpTrack) RID() string { return "" }

// StreamID returns the media stream id (msid) of the track.
func (t *rtpTrack) StreamID() string { return t.streamID }

// Kind returns audio or video.
func (t *rtpTrack) Kind() webrtc.RTPCodecType { return t.kind }

// write sends one RTP packet with the given payload type.
func (b *binding) write(h *rtp.Header, payload []byte) error {
	h.Version = 2
	h.SSRC = b.ssrc
	_, err := b.writer.WriteRTP(h, payload)
	return err
}

// codecName returns the short name of a MIME type: "audio/PCMU" → "PCMU".
func codecName(mime string) string {
	if _, name, ok := strings.Cut(mime, "/"); ok {
		return name
	}
	return mime
}

// isTelephoneEvent reports whether mime is RFC 4733 telephone-event.
func isTelephoneEvent(mime string) bool {
	return strings.EqualFold(mime, mimeTelephoneEvent)
}

// mimeTelephoneEvent is the MIME type of RFC 4733 events.
const mimeTelephoneEvent = "audio/telephone-event"
