package media

import (
	"context"
	"sync"
)

// StaticSession is a Session whose SDP the application writes itself: it
// offers Offer and answers every offer with Answer, and carries no media.
// It lets signalling run without a media stack, for an application that
// handles RTP on its own or for a test of signalling alone (JsSIP issue
// #427 asks for this).
type StaticSession struct {
	// Offer is returned by CreateOffer; Answer by CreateAnswer.
	Offer, Answer string

	mu     sync.Mutex
	remote []string
}

var _ Session = (*StaticSession)(nil)

// CreateOffer returns s.Offer.
func (s *StaticSession) CreateOffer(context.Context, OfferOptions) (string, error) {
	if s.Offer == "" {
		return "", ErrNoOffer
	}
	return s.Offer, nil
}

// CreateAnswer records the remote offer and returns s.Answer.
func (s *StaticSession) CreateAnswer(_ context.Context, remoteOffer string) (string, error) {
	if !HasMedia(remoteOffer) || s.Answer == "" {
		return "", ErrIncompatibleSDP
	}
	s.record(remoteOffer)
	return s.Answer, nil
}

// SetRemoteAnswer records the remote answer.
func (s *StaticSession) SetRemoteAnswer(sdp string) error {
	if !HasMedia(sdp) {
		return ErrIncompatibleSDP
	}
	s.record(sdp)
	return nil
}

func (s *StaticSession) record(sdp string) {
	s.mu.Lock()
	s.remote = append(s.remote, sdp)
	s.mu.Unlock()
}

// Remote returns the remote descriptions received, in order.
func (s *StaticSession) Remote() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.remote...)
}

// CancelOffer does nothing.
func (s *StaticSession) CancelOffer() error { return nil }

// SetDirection does nothing: the SDP is the application's.
func (s *StaticSession) SetDirection(Direction) {}

// SetMuted does nothing.
func (s *StaticSession) SetMuted(Kind, bool) {}

// SendDTMF fails: there is no RTP stream to carry telephone-events.
func (s *StaticSession) SendDTMF(context.Context, string, DTMFOptions) error {
	return ErrNoTelephoneEvent
}

// OnDTMF does nothing: no tones are ever received.
func (s *StaticSession) OnDTMF(func(DTMFEvent)) {}

// OnStateChange does nothing.
func (s *StaticSession) OnStateChange(func(State)) {}

// Stats returns zero statistics.
func (s *StaticSession) Stats() Stats { return Stats{} }

// Close does nothing.
func (s *StaticSession) Close() error { return nil }
