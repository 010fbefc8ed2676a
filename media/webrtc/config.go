//go:build !js

package webrtc

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/media/audio"
)

// DefaultGatheringTimeout is how long CreateOffer and CreateAnswer wait
// for ICE gathering when Config.GatheringTimeout is zero.
const DefaultGatheringTimeout = 3 * time.Second

// Audio codec names for Config.AudioCodecs.
const (
	CodecPCMU = "PCMU"
	CodecPCMA = "PCMA"
	CodecOpus = "opus"
)

// ICEServer is a STUN or TURN server.
type ICEServer struct {
	// URLs are the server's URIs (RFC 7064, RFC 7065), such as
	// "stun:stun.example.com:3478" or "turn:turn.example.com?transport=udp".
	URLs []string
	// Username and Credential authenticate to a TURN server.
	Username, Credential string
}

// Config configures an Engine. The zero value is usable: G.711 audio,
// no video, silence sent, audio received discarded, no STUN server.
type Config struct {
	// ICEServers are the STUN and TURN servers used to gather candidates.
	ICEServers []ICEServer

	// GatheringTimeout caps how long an offer or answer waits for ICE
	// gathering; after it, the description carries the candidates gathered
	// so far (JsSIP waits without limit). Zero means
	// DefaultGatheringTimeout (3 s).
	GatheringTimeout time.Duration

	// IncludeLoopback gathers host candidates on loopback interfaces too,
	// for calls between two engines on one machine (tests, demos).
	IncludeLoopback bool

	// InterfaceFilter, if set, keeps only the network interfaces (by name)
	// for which it returns true.
	InterfaceFilter func(name string) bool

	// IPFilter, if set, keeps only the local addresses for which it returns
	// true.
	IPFilter func(ip net.IP) bool

	// PortMin and PortMax, if set, bound the local UDP ports used.
	PortMin, PortMax uint16

	// DisableMDNS turns off resolving the peer's mDNS (.local) host
	// candidates, which browsers send by default. Local candidates are
	// never mDNS names, whatever this says.
	DisableMDNS bool

	// AudioCodecs are the audio codecs offered and accepted, in order of
	// preference: CodecPCMU, CodecPCMA, CodecOpus. Empty means PCMU and
	// PCMA, with Opus first when the session passes Opus through (it has an
	// OpusSource or an OpusSink). telephone-event is always added. A
	// session sends only what its source gives: PCM as G.711, Opus as Opus;
	// if the negotiated codec does not fit the source it sends nothing.
	AudioCodecs []string

	// Video offers and accepts a VP8 video stream.
	Video bool

	// NewAudioSource makes the audio a session made by NewSession sends.
	// Nil, or a nil Source, means silence. Ignored when NewOpusSource is
	// set.
	NewAudioSource func() (audio.Source, error)
	// NewOpusSource, if set, makes an Opus source instead, for Opus
	// pass-through.
	NewOpusSource func() (OpusSource, error)
	// NewAudioSink makes the sink of decoded G.711 a session receives.
	// Nil discards the audio.
	NewAudioSink func() (audio.Sink, error)
	// NewOpusSink makes the sink of Opus packets a session receives.
	NewOpusSink func() (OpusSink, error)
	// NewVideoSource and NewVideoSink make a session's video source and
	// sink (with Video set). Without a source, video is received only.
	NewVideoSource func() (VideoSource, error)
	NewVideoSink   func() (VideoSink, error)

	// Logger receives the engine's and pion's logs. Nil means
	// slog.Default().
	Logger *slog.Logger

	// clock times the gathering timeout; tests replace it with a fake.
	clock clock.Clock
}

// withDefaults returns c with defaults filled in, or an error naming a bad
// field.
func (c Config) withDefaults() (Config, error) {
	if c.GatheringTimeout < 0 {
		return c, fmt.Errorf("webrtc: Config.GatheringTimeout %v is negative", c.GatheringTimeout)
	}
	if c.GatheringTimeout == 0 {
		c.GatheringTimeout = DefaultGatheringTimeout
	}
	if c.PortMax < c.PortMin {
		return c, fmt.Errorf("webrtc: Config.PortMax %d is below PortMin %d", c.PortMax, c.PortMin)
	}
	for i, name := range c.AudioCodecs {
		switch {
		case strings.EqualFold(name, CodecPCMU):
			c.AudioCodecs[i] = CodecPCMU
		case strings.EqualFold(name, CodecPCMA):
			c.AudioCodecs[i] = CodecPCMA
		case strings.EqualFold(name, CodecOpus):
			c.AudioCodecs[i] = CodecOpus
		default:
			return c, fmt.Errorf("webrtc: Config.AudioCodecs[%d] %q is not PCMU, PCMA or opus", i, name)
		}
	}
	for i, s := range c.ICEServers {
		if len(s.URLs) == 0 {
			return c, fmt.Errorf("webrtc: Config.ICEServers[%d] has no URL", i)
		}
		for _, u := range s.URLs {
			if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") &&
				!strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
				return c, fmt.Errorf("webrtc: Config.ICEServers[%d] URL %q is not stun:, stuns:, turn: or turns:", i, u)
			}
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.clock == nil {
		c.clock = clock.Real()
	}
	return c, nil
}
