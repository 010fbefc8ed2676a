package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/rtp"
	"github.com/ringo-sip/ringo/media/webrtc"
)

// mediaFlags are the flags of the commands that carry calls (call, agent):
// what to send, where to record, and how the media engine gathers.
type mediaFlags struct {
	play             string
	record           string
	gatheringTimeout time.Duration
	mediaIP          string
	media            string // --media: "", "rtp" or "webrtc"

	// Set by check.
	source playSpec
	ip     net.IP
}

// addMediaFlags defines the media flags on fs; recordHelp says what
// --record takes for this command.
func addMediaFlags(fs *flag.FlagSet, recordHelp string) *mediaFlags {
	f := &mediaFlags{}
	fs.StringVar(&f.play, "play", "", "audio to send: a WAV `FILE` (16-bit PCM at 8, 16, 24, 32 or 48 kHz),\ntone:HZ for a sine tone, or silence (default silence)")
	fs.StringVar(&f.record, "record", "", recordHelp)
	fs.DurationVar(&f.gatheringTimeout, "gathering-timeout", webrtc.DefaultGatheringTimeout, "wait at most this long for ICE candidates before sending an offer or answer")
	fs.StringVar(&f.mediaIP, "media-ip", "", "gather ICE host candidates on this `IP` only (such as 127.0.0.1); default all\ninterfaces, loopback included. Plain RTP binds and announces this address;\nits default is the first non-loopback IPv4 address")
	fs.StringVar(&f.media, "media", "", "media of the calls this side offers: webrtc (ICE, DTLS-SRTP; the default, for\nbrowsers and WebRTC gateways, whatever the SIP transport) or `rtp` (plain\nRTP/AVP, G.711, RFC 4733; for desk phones, baresip, Asterisk, sipp). Offers\nreceived are answered with whichever their m= line asks for")
	return f
}

// check validates the media flags, as a usage error message.
func (f *mediaFlags) check() error {
	src, err := parsePlay(f.play)
	if err != nil {
		return fmt.Errorf("--play %s: %v", f.play, err)
	}
	f.source = src
	if f.gatheringTimeout <= 0 {
		return fmt.Errorf("--gathering-timeout %v: want a positive duration", f.gatheringTimeout)
	}
	if f.mediaIP != "" {
		if f.ip = net.ParseIP(f.mediaIP); f.ip == nil {
			return fmt.Errorf("--media-ip %s: not an IP address", f.mediaIP)
		}
	}
	switch f.media {
	case "", mediaRTP, mediaWebRTC:
	default:
		return fmt.Errorf("--media %s: want rtp or webrtc", f.media)
	}
	return nil
}

// Values of --media.
const (
	mediaRTP    = "rtp"
	mediaWebRTC = "webrtc"
)

// offersPlainRTP reports whether this side's offers use plain RTP
// (--media rtp) rather than WebRTC, the default: the peer behind a UDP
// server may as well be a browser.
func (f *mediaFlags) offersPlainRTP() bool {
	return f.media == mediaRTP
}

// callMedia is the media session of one call of the CLI, from either
// engine.
type callMedia interface {
	media.Session
	// Connected is closed when the media is up.
	Connected() <-chan struct{}
}

// engines are the media engines of the CLI: WebRTC, and plain RTP for
// desk phones and softphones.
type engines struct {
	webrtc *webrtc.Engine
	rtp    *rtp.Engine
}

// engines returns the media engines the flags describe.
func (f *mediaFlags) engines(log *slog.Logger) (*engines, error) {
	w, err := f.engine(log)
	if err != nil {
		return nil, err
	}
	cfg := rtp.Config{Logger: log}
	if f.ip != nil {
		cfg.LocalIP = f.ip
	}
	r, err := rtp.New(cfg)
	if err != nil {
		return nil, err
	}
	return &engines{webrtc: w, rtp: r}, nil
}

// newSession makes a call's media session with src and sink (either may be
// nil): plain RTP or WebRTC. The session owns src and sink, even when it
// fails.
func (e *engines) newSession(ctx context.Context, plain bool, src audio.Source, sink audio.Sink) (callMedia, error) {
	if plain {
		m, err := e.rtp.NewSessionWith(ctx, rtp.SessionOptions{AudioSource: src, AudioSink: sink})
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	m, err := e.webrtc.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: src, AudioSink: sink})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// engine returns the media engine the flags describe. Host candidates on
// loopback interfaces are gathered too, so that two user agents on one
// machine can call each other.
func (f *mediaFlags) engine(log *slog.Logger) (*webrtc.Engine, error) {
	cfg := webrtc.Config{
		GatheringTimeout: f.gatheringTimeout,
		IncludeLoopback:  true,
		Logger:           log,
	}
	if f.ip != nil {
		ip := f.ip
		cfg.IPFilter = func(a net.IP) bool { return a.Equal(ip) }
		cfg.DisableMDNS = true
	}
	return webrtc.New(cfg)
}

// playSpec is a parsed --play value.
type playSpec struct {
	kind string  // "silence", "tone" or "file"
	hz   float64 // for a tone
	path string  // for a file
}

// parsePlay parses a --play value: "", "silence", "tone:HZ" or a file.
func parsePlay(s string) (playSpec, error) {
	switch {
	case s == "" || s == "silence":
		return playSpec{kind: "silence"}, nil
	case strings.HasPrefix(s, "tone:"):
		hz, err := strconv.ParseFloat(strings.TrimPrefix(s, "tone:"), 64)
		if err != nil || hz <= 0 || hz >= audio.Rate/2 {
			return playSpec{}, fmt.Errorf("want tone:HZ with HZ above 0 and below %d", audio.Rate/2)
		}
		return playSpec{kind: "tone", hz: hz}, nil
	}
	return playSpec{kind: "file", path: s}, nil
}

// String describes what is played, for the transcript.
func (p playSpec) String() string {
	switch p.kind {
	case "tone":
		return strconv.FormatFloat(p.hz, 'f', -1, 64) + " Hz tone"
	case "file":
		return p.path
	}
	return "silence"
}

// open returns a new source of what the spec plays: each call gets its
// own, since a source is read and closed by the call that owns it.
func (p playSpec) open() (audio.Source, error) {
	switch p.kind {
	case "tone":
		return audio.NewTone(p.hz, 0.5), nil
	case "file":
		return audio.OpenWAV(p.path)
	}
	return audio.Silence(), nil
}

// recorder is a WAV recording of the audio a call receives. It is the
// call's sink: the media session closes it when the call ends, and the
// command closes it again (harmlessly) to be sure the header is written
// before it reports.
type recorder struct {
	*audio.WAVWriter
	path string
}

// createRecorder creates the WAV file at path.
func createRecorder(path string) (*recorder, error) {
	w, err := audio.CreateWAV(path)
	if err != nil {
		return nil, err
	}
	return &recorder{WAVWriter: w, path: path}, nil
}

// isDir reports whether path names a directory: one that exists, or a
// path ending in a separator.
func isDir(path string) bool {
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
