package media

import "errors"

// Errors that engines return and that callers branch on with errors.Is.
var (
	// ErrIncompatibleSDP means the peer's description cannot be used: no
	// codec in common, no usable transport (for a WebRTC engine: no ICE
	// credentials or DTLS fingerprint), or a description that does not
	// parse. The signalling answers an offer with 488 Not Acceptable Here
	// and ends a call whose answer failed with cause "Incompatible SDP".
	ErrIncompatibleSDP = errors.New("media: incompatible SDP")

	// ErrNoTelephoneEvent means the peer did not negotiate RFC 4733
	// telephone-event, so DTMF must go another way (SIP INFO).
	ErrNoTelephoneEvent = errors.New("media: telephone-event not negotiated")

	// ErrInvalidDTMF means a DTMF string holds a character that is not a
	// tone (0-9, A-D, *, #) or a pause (,).
	ErrInvalidDTMF = errors.New("media: invalid DTMF tone")

	// ErrClosed means the session was closed.
	ErrClosed = errors.New("media: session closed")

	// ErrNoOffer means SetRemoteAnswer or CancelOffer was called with no
	// offer outstanding.
	ErrNoOffer = errors.New("media: no offer outstanding")
)
