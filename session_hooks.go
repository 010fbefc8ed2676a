package ringo

import (
	"context"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
)

// SDPEvent is a session description on its way in or out, handed to the
// SDP hook: Originator Local for ours, Remote for the peer's; Type "offer"
// or "answer".
type SDPEvent struct {
	Originator Originator
	Type       string
	SDP        string
}

// SessionHooks run synchronously while the call is being negotiated, as
// JsSIP's "sdp" and "reinvite" events do. They must not block or call back
// into the UA.
type SessionHooks struct {
	// SDP may rewrite a description before it is sent or applied; it
	// returns the description to use.
	SDP func(SDPEvent) string
	// Reinvite is asked about each incoming re-INVITE or UPDATE; a
	// non-zero status code (400–699) rejects it with that code.
	Reinvite func(req *sip.Request) (code int)
	// Sending may edit the INVITE of an outgoing call (headers, body)
	// just before it is sent, as JsSIP's "sending" event.
	Sending func(req *sip.Request)
}

// hookedMedia applies an SDP hook around a media session.
type hookedMedia struct {
	media.Session
	hook func(SDPEvent) string
}

// withSDPHook wraps m when a hook is set.
func withSDPHook(m media.Session, hook func(SDPEvent) string) media.Session {
	if hook == nil || m == nil {
		return m
	}
	return &hookedMedia{Session: m, hook: hook}
}

func (h *hookedMedia) CreateOffer(ctx context.Context, opts media.OfferOptions) (string, error) {
	sdp, err := h.Session.CreateOffer(ctx, opts)
	if err != nil {
		return sdp, err
	}
	return h.hook(SDPEvent{Originator: Local, Type: "offer", SDP: sdp}), nil
}

func (h *hookedMedia) CreateAnswer(ctx context.Context, offer string) (string, error) {
	offer = h.hook(SDPEvent{Originator: Remote, Type: "offer", SDP: offer})
	sdp, err := h.Session.CreateAnswer(ctx, offer)
	if err != nil {
		return sdp, err
	}
	return h.hook(SDPEvent{Originator: Local, Type: "answer", SDP: sdp}), nil
}

func (h *hookedMedia) SetRemoteAnswer(sdp string) error {
	return h.Session.SetRemoteAnswer(h.hook(SDPEvent{Originator: Remote, Type: "answer", SDP: sdp}))
}
