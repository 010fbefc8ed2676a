//go:build js

package browser

import (
	"context"
	"errors"
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo/media"
)

// DefaultGatheringTimeout is how long an offer or answer waits for ICE
// gathering when Config.GatheringTimeout is zero, as media/webrtc's.
const DefaultGatheringTimeout = 3 * time.Second

// ErrUserMedia wraps a getUserMedia failure (the user denied the
// microphone, or there is none): JsSIP's cause "User Denied Media Access".
var ErrUserMedia = errors.New("browser: getUserMedia failed")

// ErrNoWebRTC means the platform has no RTCPeerConnection.
var ErrNoWebRTC = errors.New("browser: no RTCPeerConnection here (in Node.js, install @roamhq/wrtc and set its classes as globals)")

// Config configures an Engine. Its JavaScript values may be left zero
// (undefined).
type Config struct {
	// PCConfig is the RTCConfiguration of every connection (iceServers,
	// iceTransportPolicy, ...), as JsSIP's pcConfig; undefined means the
	// platform's default (no STUN or TURN server).
	PCConfig js.Value
	// Constraints are the getUserMedia constraints, as JsSIP's
	// mediaConstraints; undefined means {audio: true, video: false}.
	Constraints js.Value
	// GatheringTimeout caps the wait for ICE gathering; zero means
	// DefaultGatheringTimeout.
	GatheringTimeout time.Duration
}

// SessionOptions are one call's own settings; zero fields take the
// Engine's.
type SessionOptions struct {
	// PCConfig and Constraints override the Engine's for this call.
	PCConfig, Constraints js.Value
	// Stream is a MediaStream to send instead of asking getUserMedia
	// (JsSIP's mediaStream); its tracks are not stopped on Close.
	Stream js.Value
	// OnPeerConnection, if set, is called with the RTCPeerConnection when
	// it is made, before any offer or answer (JsSIP's "peerconnection").
	OnPeerConnection func(pc js.Value)
	// OnSDP, if set, sees every description before it is used: the local
	// ones ("local", "offer"|"answer") before they are returned, the
	// remote ones before they are applied, and returns the description to
	// use, as JsSIP's "sdp" event lets the application edit e.sdp.
	OnSDP func(originator, typ, sdp string) string
}

// Engine makes browser media sessions. It is safe for concurrent use.
type Engine struct {
	cfg Config
}

var _ media.Engine = (*Engine)(nil)

// New returns an Engine. It fails with ErrNoWebRTC where there is no
// RTCPeerConnection.
func New(cfg Config) (*Engine, error) {
	if !Available() {
		return nil, ErrNoWebRTC
	}
	if cfg.GatheringTimeout <= 0 {
		cfg.GatheringTimeout = DefaultGatheringTimeout
	}
	return &Engine{cfg: cfg}, nil
}

// Available reports whether the platform has RTCPeerConnection.
func Available() bool {
	return js.Global().Get("RTCPeerConnection").Type() == js.TypeFunction
}

// NewSession returns a session with the Engine's settings.
func (e *Engine) NewSession(ctx context.Context) (media.Session, error) {
	return e.NewSessionWith(ctx, SessionOptions{})
}

// NewSessionWith returns a session with the call's own settings. Like
// NewSession, it makes no connection until the first offer or answer.
func (e *Engine) NewSessionWith(_ context.Context, opts SessionOptions) (*Session, error) {
	if !truthy(opts.PCConfig) {
		opts.PCConfig = e.cfg.PCConfig
	}
	if !truthy(opts.Constraints) {
		opts.Constraints = e.cfg.Constraints
	}
	return &Session{opts: opts, gathering: e.cfg.GatheringTimeout, direction: media.DirectionSendRecv}, nil
}

// truthy reports whether v is set (not undefined, null, false, 0 or "").
func truthy(v js.Value) bool { return !v.IsUndefined() && v.Truthy() }
