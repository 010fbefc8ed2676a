package media

import (
	"context"
	"time"
)

// Engine makes the media sessions of calls. An Engine is safe for
// concurrent use; it holds no per-call state.
type Engine interface {
	// NewSession makes the media of one call. It allocates nothing on the
	// network until the first CreateOffer or CreateAnswer.
	NewSession(ctx context.Context) (Session, error)
}

// Session is the media of one call: one peer connection with an audio
// stream (and, if the engine is configured for it, a video stream).
//
// Its methods are safe for concurrent use. Offer/answer follows RFC 3264:
// after CreateOffer the session waits for SetRemoteAnswer (or CancelOffer);
// CreateAnswer completes a negotiation by itself. Renegotiation (hold,
// unhold, ICE restart) is another CreateOffer/SetRemoteAnswer or CreateAnswer
// on the same Session.
type Session interface {
	// CreateOffer returns a complete SDP offer. It waits for ICE gathering
	// to finish, but no longer than the engine's gathering timeout: after
	// it, the offer carries the candidates gathered so far. The offer asks
	// for the direction last given to SetDirection.
	CreateOffer(ctx context.Context, opts OfferOptions) (sdp string, err error)

	// CreateAnswer applies the peer's offer and returns a complete SDP
	// answer, waiting for ICE gathering as CreateOffer does. The answer's
	// direction is the one last given to SetDirection, narrowed by what the
	// offer allows. An offer that the session cannot accept gives an error
	// that wraps ErrIncompatibleSDP (the signalling answers 488).
	CreateAnswer(ctx context.Context, remoteOffer string) (sdp string, err error)

	// SetRemoteAnswer applies the peer's answer to the last CreateOffer.
	// Applying the same answer again (a 2xx after an 18x with the same SDP)
	// does nothing. An answer the session cannot use gives an error that
	// wraps ErrIncompatibleSDP.
	SetRemoteAnswer(sdp string) error

	// CancelOffer abandons the last CreateOffer, whose answer will not come
	// (the re-INVITE failed or was answered 491). The session keeps the
	// media and direction it had before that offer.
	CancelOffer() error

	// SetDirection sets the direction the next offer or answer asks for:
	// DirectionSendOnly or DirectionInactive to hold, DirectionSendRecv to
	// resume. It takes effect when that negotiation completes.
	SetDirection(d Direction)

	// SetMuted stops (true) or resumes (false) sending the media of a kind
	// without renegotiation: a muted audio stream keeps sending RTP, with
	// silence in it.
	SetMuted(kind Kind, muted bool)

	// SendDTMF sends tones as RFC 4733 telephone-events and returns when the
	// last one has been sent, or when ctx is done. tones is made of
	// 0-9, A-D, * and #, with ',' for a pause. Calls are serialized. If the
	// peer did not negotiate telephone-event it returns ErrNoTelephoneEvent;
	// bad tones give an error wrapping ErrInvalidDTMF.
	SendDTMF(ctx context.Context, tones string, opts DTMFOptions) error

	// OnDTMF sets the function called with each telephone-event received,
	// once per tone, when the tone ends. It is called on a goroutine of the
	// engine and must not block for long. A nil f removes it.
	OnDTMF(f func(DTMFEvent))

	// OnStateChange sets the function called when the connection state
	// changes (connecting, connected, disconnected, failed, closed), on a
	// goroutine of the engine. A call whose media failed can be ended on
	// StateFailed. A nil f removes it.
	OnStateChange(f func(State))

	// Stats returns the counters of each stream, per direction.
	Stats() Stats

	// Close stops the media and frees the session's sockets. It is safe to
	// call more than once.
	Close() error
}

// OfferOptions tunes one offer.
type OfferOptions struct {
	// ICERestart asks for new ICE credentials and a new gathering (RFC
	// 8445 §9), as for a renegotiation after a network change.
	ICERestart bool
}

// DTMFOptions tunes SendDTMF. A zero field takes its default.
type DTMFOptions struct {
	// Duration is how long each tone lasts: default 100 ms, at least 40 ms,
	// at most 6 s (engines may cap it further to fit RFC 4733's 16-bit
	// duration field).
	Duration time.Duration

	// Gap is the silence between two tones: default 70 ms, at least 40 ms.
	Gap time.Duration

	// Pause is how long a ',' waits: default 2 s, as JsSIP's.
	Pause time.Duration
}

// DTMF defaults and limits used by the engines.
const (
	DefaultDTMFDuration = 100 * time.Millisecond
	DefaultDTMFGap      = 70 * time.Millisecond
	DefaultDTMFPause    = 2 * time.Second
	MinDTMFDuration     = 40 * time.Millisecond
	MaxDTMFDuration     = 6 * time.Second
	MinDTMFGap          = 40 * time.Millisecond
)

// WithDefaults returns o with zero fields set to their defaults and the
// others clamped to the limits.
func (o DTMFOptions) WithDefaults() DTMFOptions {
	if o.Duration == 0 {
		o.Duration = DefaultDTMFDuration
	}
	o.Duration = min(max(o.Duration, MinDTMFDuration), MaxDTMFDuration)
	if o.Gap == 0 {
		o.Gap = DefaultDTMFGap
	}
	o.Gap = max(o.Gap, MinDTMFGap)
	if o.Pause <= 0 {
		o.Pause = DefaultDTMFPause
	}
	return o
}

// DTMFEvent is one tone received.
type DTMFEvent struct {
	// Tone is one of 0-9, A-D, * and #.
	Tone rune
	// Duration is how long the tone lasted, as the sender said.
	Duration time.Duration
}

// Kind is the kind of a media stream.
type Kind string

// Kinds of media stream.
const (
	Audio Kind = "audio"
	Video Kind = "video"
)

// State is the state of a session's connection (ICE and DTLS together), as
// RTCPeerConnection's connectionState.
type State string

// Connection states.
const (
	StateNew          State = "new"
	StateConnecting   State = "connecting"
	StateConnected    State = "connected"
	StateDisconnected State = "disconnected"
	StateFailed       State = "failed"
	StateClosed       State = "closed"
)

// Stats is a snapshot of a session's counters.
type Stats struct {
	// Audio and Video are the streams' counters; a stream that was not
	// negotiated has zero counters.
	Audio, Video StreamStats
}

// StreamStats counts one stream, per direction.
type StreamStats struct {
	// Codec is the codec the stream sends with ("PCMU", "PCMA", "opus",
	// "VP8"), empty before negotiation.
	Codec string
	// Sent counts what this side sent; its Lost, FractionLost and Jitter
	// are the peer's view, from its RTCP receiver reports.
	Sent DirectionStats
	// Received counts what this side received; its Lost and Jitter are
	// computed here, as this side reports them in its receiver reports.
	Received DirectionStats
	// RoundTrip is the last round-trip time computed from RTCP, or zero.
	RoundTrip time.Duration
}

// DirectionStats counts one direction of a stream.
type DirectionStats struct {
	// Packets and Bytes are RTP packets and payload bytes.
	Packets, Bytes uint64
	// Lost is the cumulative number of packets lost (RFC 3550 §6.4.1); it
	// can be negative when duplicates arrive.
	Lost int64
	// FractionLost is the fraction lost, 0-1: for Sent, in the peer's
	// last report interval; for Received, over the whole call.
	FractionLost float64
	// Jitter is the interarrival jitter (RFC 3550 §6.4.1).
	Jitter time.Duration
}
