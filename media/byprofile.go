package media

import (
	"context"
	"fmt"
	"sync"
)

// ByProfile is an Engine for user agents that talk both to WebRTC peers
// and to plain RTP ones (desk phones, softphones, Asterisk's SIP
// endpoints): each call's media comes from one of two engines, chosen when
// its first offer or answer is made. An answer is made by the engine the
// offer's m= line asks for (see [IsPlainRTP]): Plain for RTP/AVP, WebRTC
// for the others. An offer is made by Plain if OfferPlain is set, else by
// WebRTC.
//
// Until the choice, the session keeps what is set on it (direction,
// mutes, callbacks) and hands it to the chosen engine's session.
type ByProfile struct {
	// Plain makes the media of plain RTP calls, such as media/rtp's
	// engine. Nil refuses them (ErrIncompatibleSDP).
	Plain Engine
	// WebRTC makes the media of WebRTC calls, such as media/webrtc's
	// engine. Nil refuses them.
	WebRTC Engine
	// OfferPlain makes this side's offers plain RTP.
	OfferPlain bool
}

// NewSession returns a session whose engine is chosen by its first offer
// or answer. It implements Engine.
func (b ByProfile) NewSession(context.Context) (Session, error) {
	return &profileSession{b: b, muted: map[Kind]bool{}}, nil
}

// profileSession is the Session of ByProfile.
type profileSession struct {
	b ByProfile

	mu      sync.Mutex
	inner   Session
	closed  bool
	dir     Direction
	muted   map[Kind]bool
	onDTMF  func(DTMFEvent)
	onState func(State)
}

// choose returns the session's inner session, making it with the plain or
// WebRTC engine if there is none yet.
func (s *profileSession) choose(ctx context.Context, plain bool) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.inner != nil {
		return s.inner, nil
	}
	e, name := s.b.WebRTC, "WebRTC"
	if plain {
		e, name = s.b.Plain, "plain RTP"
	}
	if e == nil {
		return nil, fmt.Errorf("%w: ByProfile has no %s engine", ErrIncompatibleSDP, name)
	}
	in, err := e.NewSession(ctx)
	if err != nil {
		return nil, fmt.Errorf("media: making the %s session: %w", name, err)
	}
	if s.dir != "" {
		in.SetDirection(s.dir)
	}
	for k, m := range s.muted {
		in.SetMuted(k, m)
	}
	if s.onDTMF != nil {
		in.OnDTMF(s.onDTMF)
	}
	if s.onState != nil {
		in.OnStateChange(s.onState)
	}
	s.inner = in
	return in, nil
}

// current returns the inner session, or nil before the choice.
func (s *profileSession) current() Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inner
}

// CreateOffer implements Session.
func (s *profileSession) CreateOffer(ctx context.Context, opts OfferOptions) (string, error) {
	in, err := s.choose(ctx, s.b.OfferPlain)
	if err != nil {
		return "", err
	}
	return in.CreateOffer(ctx, opts)
}

// CreateAnswer implements Session.
func (s *profileSession) CreateAnswer(ctx context.Context, remoteOffer string) (string, error) {
	in, err := s.choose(ctx, IsPlainRTP(remoteOffer))
	if err != nil {
		return "", err
	}
	return in.CreateAnswer(ctx, remoteOffer)
}

// SetRemoteAnswer implements Session.
func (s *profileSession) SetRemoteAnswer(sdp string) error {
	if in := s.current(); in != nil {
		return in.SetRemoteAnswer(sdp)
	}
	return ErrNoOffer
}

// CancelOffer implements Session.
func (s *profileSession) CancelOffer() error {
	if in := s.current(); in != nil {
		return in.CancelOffer()
	}
	return ErrNoOffer
}

// SetDirection implements Session.
func (s *profileSession) SetDirection(d Direction) {
	s.mu.Lock()
	s.dir = d
	in := s.inner
	s.mu.Unlock()
	if in != nil {
		in.SetDirection(d)
	}
}

// SetMuted implements Session.
func (s *profileSession) SetMuted(kind Kind, muted bool) {
	s.mu.Lock()
	s.muted[kind] = muted
	in := s.inner
	s.mu.Unlock()
	if in != nil {
		in.SetMuted(kind, muted)
	}
}

// SendDTMF implements Session.
func (s *profileSession) SendDTMF(ctx context.Context, tones string, opts DTMFOptions) error {
	if in := s.current(); in != nil {
		return in.SendDTMF(ctx, tones, opts)
	}
	if _, err := ValidateDTMF(tones); err != nil {
		return err
	}
	return ErrNoTelephoneEvent
}

// OnDTMF implements Session.
func (s *profileSession) OnDTMF(f func(DTMFEvent)) {
	s.mu.Lock()
	s.onDTMF = f
	in := s.inner
	s.mu.Unlock()
	if in != nil {
		in.OnDTMF(f)
	}
}

// OnStateChange implements Session.
func (s *profileSession) OnStateChange(f func(State)) {
	s.mu.Lock()
	s.onState = f
	in := s.inner
	s.mu.Unlock()
	if in != nil {
		in.OnStateChange(f)
	}
}

// Stats implements Session.
func (s *profileSession) Stats() Stats {
	if in := s.current(); in != nil {
		return in.Stats()
	}
	return Stats{}
}

// Close implements Session.
func (s *profileSession) Close() error {
	s.mu.Lock()
	s.closed = true
	in := s.inner
	s.mu.Unlock()
	if in != nil {
		return in.Close()
	}
	return nil
}
