//go:build !js

package webrtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
)

// Payload types this engine offers. Answers use the offerer's.
const (
	ptPCMU     = 0
	ptPCMA     = 8
	ptVP8      = 96
	ptTE48000  = 110
	ptOpus     = 111
	ptTE8000   = 101
	fmtpTE     = "0-16"
	fmtpOpus   = "minptime=10;useinbandfec=1"
	videoClock = 90000
)

// Engine is the native media engine. It is safe for concurrent use.
type Engine struct {
	cfg Config
}

var _ media.Engine = (*Engine)(nil)

// New returns an Engine for cfg, or an error naming a bad field.
func New(cfg Config) (*Engine, error) {
	cfg.AudioCodecs = slices.Clone(cfg.AudioCodecs)
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg}, nil
}

// SessionOptions are the sources and sinks of one session. Nil fields mean
// silence sent and media received discarded. The session owns what it is
// given: it closes each one that is an io.Closer when it is closed.
type SessionOptions struct {
	// AudioSource is PCM to send as G.711. Ignored if OpusSource is set.
	AudioSource audio.Source
	// OpusSource is Opus to pass through.
	OpusSource OpusSource
	// AudioSink receives decoded G.711.
	AudioSink audio.Sink
	// OpusSink receives Opus packets.
	OpusSink OpusSink
	// VideoSource is VP8 to send (with Config.Video).
	VideoSource VideoSource
	// VideoSink receives VP8 packets (with Config.Video).
	VideoSink VideoSink
}

// closeAll closes every source and sink that is an io.Closer.
func (o SessionOptions) closeAll() error {
	var errs []error
	for _, v := range []any{o.AudioSource, o.OpusSource, o.AudioSink, o.OpusSink, o.VideoSource, o.VideoSink} {
		if c, ok := v.(io.Closer); ok && c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// NewSession makes a session whose sources and sinks come from the
// Config's factories. It implements media.Engine.
func (e *Engine) NewSession(ctx context.Context) (media.Session, error) {
	var o SessionOptions
	var err error
	try := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	c := e.cfg
	if c.NewOpusSource != nil {
		try(func() (err error) { o.OpusSource, err = c.NewOpusSource(); return })
	} else if c.NewAudioSource != nil {
		try(func() (err error) { o.AudioSource, err = c.NewAudioSource(); return })
	}
	if c.NewAudioSink != nil {
		try(func() (err error) { o.AudioSink, err = c.NewAudioSink(); return })
	}
	if c.NewOpusSink != nil {
		try(func() (err error) { o.OpusSink, err = c.NewOpusSink(); return })
	}
	if c.Video && c.NewVideoSource != nil {
		try(func() (err error) { o.VideoSource, err = c.NewVideoSource(); return })
	}
	if c.Video && c.NewVideoSink != nil {
		try(func() (err error) { o.VideoSink, err = c.NewVideoSink(); return })
	}
	if err != nil {
		o.closeAll()
		return nil, fmt.Errorf("webrtc: making a source or sink: %w", err)
	}
	s, err := e.NewSessionWith(ctx, o)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// audioCodecs returns the audio codecs a session with these options offers.
func (e *Engine) audioCodecs(o SessionOptions) []string {
	if len(e.cfg.AudioCodecs) > 0 {
		return e.cfg.AudioCodecs
	}
	if o.OpusSource != nil || o.OpusSink != nil {
		return []string{CodecOpus, CodecPCMU, CodecPCMA}
	}
	return []string{CodecPCMU, CodecPCMA}
}

// newAPI returns a pion API with the codecs, interceptors and settings of
// one session.
func (e *Engine) newAPI(codecs []string) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	reg := func(mime string, clock uint32, channels uint16, fmtp string, pt webrtc.PayloadType, kind webrtc.RTPCodecType) error {
		return m.RegisterCodec(webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mime, ClockRate: clock, Channels: channels, SDPFmtpLine: fmtp},
			PayloadType:        pt,
		}, kind)
	}
	var errs []error
	te8, te48 := false, false
	for _, c := range codecs {
		switch c {
		case CodecPCMU:
			errs = append(errs, reg(webrtc.MimeTypePCMU, 8000, 1, "", ptPCMU, webrtc.RTPCodecTypeAudio))
			te8 = true
		case CodecPCMA:
			errs = append(errs, reg(webrtc.MimeTypePCMA, 8000, 1, "", ptPCMA, webrtc.RTPCodecTypeAudio))
			te8 = true
		case CodecOpus:
			errs = append(errs, reg(webrtc.MimeTypeOpus, 48000, 2, fmtpOpus, ptOpus, webrtc.RTPCodecTypeAudio))
			te48 = true
		}
	}
	if te48 {
		errs = append(errs, reg(mimeTelephoneEvent, 48000, 1, fmtpTE, ptTE48000, webrtc.RTPCodecTypeAudio))
	}
	if te8 {
		errs = append(errs, reg(mimeTelephoneEvent, 8000, 1, fmtpTE, ptTE8000, webrtc.RTPCodecTypeAudio))
	}
	if e.cfg.Video {
		errs = append(errs, reg(webrtc.MimeTypeVP8, videoClock, 0, "", ptVP8, webrtc.RTPCodecTypeVideo))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	// Sender and receiver reports: loss, jitter and round trip for Stats.
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}

	se := webrtc.SettingEngine{LoggerFactory: loggerFactory{e.cfg.Logger}}
	se.SetIncludeLoopbackCandidate(e.cfg.IncludeLoopback)
	if e.cfg.InterfaceFilter != nil {
		se.SetInterfaceFilter(e.cfg.InterfaceFilter)
	}
	if e.cfg.IPFilter != nil {
		f := e.cfg.IPFilter
		se.SetIPFilter(func(ip net.IP) bool { return f(ip) })
	}
	if e.cfg.PortMin != 0 || e.cfg.PortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(e.cfg.PortMin, e.cfg.PortMax); err != nil {
			return nil, err
		}
	}
	if e.cfg.DisableMDNS {
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	} else {
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeQueryOnly)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

// iceServers converts the configured servers for pion.
func (e *Engine) iceServers() []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(e.cfg.ICEServers))
	for _, s := range e.cfg.ICEServers {
		is := webrtc.ICEServer{URLs: s.URLs, Username: s.Username}
		if s.Credential != "" {
			is.Credential = s.Credential
		}
		out = append(out, is)
	}
	return out
}
