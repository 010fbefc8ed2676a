//go:build !js

package rtp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

// Audio codec names for Config.Codecs.
const (
	CodecPCMU = "PCMU"
	CodecPCMA = "PCMA"
)

// Config configures an Engine. The zero value is usable: PCMU and PCMA on
// the host's first non-loopback IPv4 address, silence sent, audio received
// discarded.
type Config struct {
	// LocalIP is the address the sessions bind their sockets to and write
	// in their SDP. Nil means the first non-loopback IPv4 address of an
	// interface that is up, or 127.0.0.1 if there is none. It must not be
	// unspecified (0.0.0.0): the SDP has to name a reachable address.
	LocalIP net.IP

	// PortMin and PortMax, if set, bound the local RTP ports (even ports;
	// RTCP's port + 1 must also be free and at most PortMax).
	PortMin, PortMax uint16

	// Codecs are the audio codecs offered and accepted, in order of
	// preference: CodecPCMU, CodecPCMA. Empty means both, PCMU first.
	// telephone-event is always offered.
	Codecs []string

	// NewAudioSource makes the audio a session made by NewSession sends.
	// Nil, or a nil Source, means silence.
	NewAudioSource func() (audio.Source, error)
	// NewAudioSink makes the sink of the audio a session made by
	// NewSession receives. Nil discards it.
	NewAudioSink func() (audio.Sink, error)

	// Logger receives the engine's logs. Nil means slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with defaults filled in, or an error naming a bad
// field.
func (c Config) withDefaults() (Config, error) {
	if c.PortMax < c.PortMin {
		return c, fmt.Errorf("rtp: Config.PortMax %d is below PortMin %d", c.PortMax, c.PortMin)
	}
	if c.PortMin != 0 && c.PortMax-c.PortMin < 1 && c.PortMax != 0 {
		return c, fmt.Errorf("rtp: Config.PortMin %d to PortMax %d leaves no room for RTP and RTCP", c.PortMin, c.PortMax)
	}
	c.Codecs = slices.Clone(c.Codecs)
	for i, name := range c.Codecs {
		switch {
		case strings.EqualFold(name, CodecPCMU):
			c.Codecs[i] = CodecPCMU
		case strings.EqualFold(name, CodecPCMA):
			c.Codecs[i] = CodecPCMA
		default:
			return c, fmt.Errorf("rtp: Config.Codecs[%d] %q is not PCMU or PCMA", i, name)
		}
	}
	if len(c.Codecs) == 0 {
		c.Codecs = []string{CodecPCMU, CodecPCMA}
	}
	if c.LocalIP == nil {
		c.LocalIP = defaultIP()
	} else if c.LocalIP.IsUnspecified() {
		return c, fmt.Errorf("rtp: Config.LocalIP %v is unspecified; name the address the peer can reach", c.LocalIP)
	}
	if ip4 := c.LocalIP.To4(); ip4 != nil {
		c.LocalIP = ip4
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// defaultIP returns the first non-loopback IPv4 address of an interface
// that is up, or 127.0.0.1.
func defaultIP() net.IP {
	ifaces, err := net.Interfaces()
	if err == nil {
		for _, ifc := range ifaces {
			if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
				continue
			}
			addrs, err := ifc.Addrs()
			if err != nil {
				continue
			}
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
					return n.IP.To4()
				}
			}
		}
	}
	return net.IPv4(127, 0, 0, 1).To4()
}

// Engine is the plain RTP media engine. It is safe for concurrent use.
type Engine struct {
	cfg Config
}

var _ media.Engine = (*Engine)(nil)

// New returns an Engine for cfg, or an error naming a bad field.
func New(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg}, nil
}

// LocalIP returns the address the engine's sessions bind to.
func (e *Engine) LocalIP() net.IP { return slices.Clone(e.cfg.LocalIP) }

// SessionOptions are the source and sink of one session. Nil fields mean
// silence sent and audio received discarded. The session owns what it is
// given: it closes each one that is an io.Closer when it is closed.
type SessionOptions struct {
	// AudioSource is PCM to send as G.711.
	AudioSource audio.Source
	// AudioSink receives decoded G.711.
	AudioSink audio.Sink
}

// NewSession makes a session whose source and sink come from the Config's
// factories. It implements media.Engine.
func (e *Engine) NewSession(ctx context.Context) (media.Session, error) {
	var o SessionOptions
	if f := e.cfg.NewAudioSource; f != nil {
		src, err := f()
		if err != nil {
			return nil, fmt.Errorf("rtp: making the audio source: %w", err)
		}
		o.AudioSource = src
	}
	if f := e.cfg.NewAudioSink; f != nil {
		sink, err := f()
		if err != nil {
			closeIf(o.AudioSource)
			return nil, fmt.Errorf("rtp: making the audio sink: %w", err)
		}
		o.AudioSink = sink
	}
	return e.NewSessionWith(ctx, o)
}

// closeIf closes v if it is an io.Closer.
func closeIf(v any) error {
	if c, ok := v.(io.Closer); ok && c != nil {
		return c.Close()
	}
	return nil
}
