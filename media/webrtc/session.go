//go:build !js

package webrtc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/internal/rfc4733"
)

// Session is the media of one call on pion. It implements media.Session;
// its extra methods swap the audio source and sink during the call.
type Session struct {
	e      *Engine
	log    *slog.Logger
	pc     *webrtc.PeerConnection
	codecs []string // audio codecs offered, in order

	audio *rtpTrack
	video *rtpTrack // nil without a video source

	// negMu serializes offer/answer operations.
	negMu sync.Mutex

	mu          sync.Mutex
	desired     media.Direction // what the next offer or answer asks for
	agreed      media.Direction // desired as of the last completed negotiation
	pending     string          // the offer sent and not yet answered
	lastAnswer  string          // the last remote answer applied
	lastRemote  string          // the peer's last description, as pion took it
	src         audio.Source
	opusSrc     OpusSource
	sink        audio.Sink
	opusSink    OpusSink
	videoSrc    VideoSource
	videoSink   VideoSink
	onDTMF      func(media.DTMFEvent)
	onState     func(media.State)
	videoSender *webrtc.RTPSender

	sendAudio, sendVideo atomic.Bool // negotiated directions let this side send
	mutedAudio           atomic.Bool
	mutedVideo           atomic.Bool

	stats sessionStats

	dtmfMu sync.Mutex        // serializes SendDTMF
	dtmfCh chan *rfc4733.Job // SendDTMF → audio loop
	up     chan struct{}     // closed when first connected
	upOnce sync.Once         // closes up
	done   chan struct{}     // closed by Close
	closed sync.Once         // runs Close once
	wg     sync.WaitGroup    // the session's goroutines
}

var _ media.Session = (*Session)(nil)

// NewSessionWith makes a session with the given sources and sinks.
func (e *Engine) NewSessionWith(ctx context.Context, o SessionOptions) (*Session, error) {
	if err := ctx.Err(); err != nil {
		o.closeAll()
		return nil, err
	}
	codecs := e.audioCodecs(o)
	api, err := e.newAPI(codecs)
	if err != nil {
		o.closeAll()
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: e.iceServers()})
	if err != nil {
		o.closeAll()
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	s := &Session{
		e: e, log: e.cfg.Logger, pc: pc, codecs: codecs,
		desired: media.DirectionSendRecv, agreed: media.DirectionSendRecv,
		src: o.AudioSource, opusSrc: o.OpusSource, sink: o.AudioSink, opusSink: o.OpusSink,
		videoSrc: o.VideoSource, videoSink: o.VideoSink,
		dtmfCh: make(chan *rfc4733.Job), up: make(chan struct{}), done: make(chan struct{}),
	}
	stream := "ringo-" + randomHex(8)
	s.audio = &rtpTrack{id: "audio", streamID: stream, kind: webrtc.RTPCodecTypeAudio, choose: s.chooseAudio}
	sender, err := pc.AddTrack(s.audio)
	if err != nil {
		pc.Close()
		o.closeAll()
		return nil, fmt.Errorf("webrtc: adding the audio track: %w", err)
	}
	s.readSenderRTCP(sender, media.Audio)
	if e.cfg.Video {
		if o.VideoSource != nil {
			s.video = &rtpTrack{id: "video", streamID: stream, kind: webrtc.RTPCodecTypeVideo, choose: chooseVideo}
			vs, err := pc.AddTrack(s.video)
			if err != nil {
				pc.Close()
				o.closeAll()
				return nil, fmt.Errorf("webrtc: adding the video track: %w", err)
			}
			s.videoSender = vs
			s.readSenderRTCP(vs, media.Video)
		} else if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			pc.Close()
			o.closeAll()
			return nil, fmt.Errorf("webrtc: adding the video transceiver: %w", err)
		}
	}
	pc.OnConnectionStateChange(s.connectionState)
	pc.OnTrack(s.track)
	s.goRun(s.audioLoop)
	if s.video != nil {
		s.goRun(s.videoLoop)
	}
	return s, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// chooseAudio picks the audio codec to send among those negotiated: the
// first one the source can feed, else the first one.
func (s *Session) chooseAudio(codecs []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool) {
	s.mu.Lock()
	opus := s.opusSrc != nil
	s.mu.Unlock()
	var first *webrtc.RTPCodecParameters
	for i, c := range codecs {
		if isTelephoneEvent(c.MimeType) {
			continue
		}
		if first == nil {
			first = &codecs[i]
		}
		isOpus := strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus)
		if isOpus == opus {
			return c, true
		}
	}
	if first == nil {
		return webrtc.RTPCodecParameters{}, false
	}
	return *first, true
}

// chooseVideo picks VP8.
func chooseVideo(codecs []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool) {
	for _, c := range codecs {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypeVP8) {
			return c, true
		}
	}
	return webrtc.RTPCodecParameters{}, false
}

// connectionState follows pion's connection state.
func (s *Session) connectionState(st webrtc.PeerConnectionState) {
	if st == webrtc.PeerConnectionStateConnected {
		s.upOnce.Do(func() { close(s.up) })
	}
	s.mu.Lock()
	f := s.onState
	s.mu.Unlock()
	if f != nil {
		f(media.State(st.String()))
	}
}

// Connected returns a channel closed when the session first connects
// (ICE and DTLS up).
func (s *Session) Connected() <-chan struct{} { return s.up }

// CreateOffer implements media.Session.
func (s *Session) CreateOffer(ctx context.Context, opts media.OfferOptions) (string, error) {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	if s.isClosed() {
		return "", media.ErrClosed
	}
	if s.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		if err := s.restore(); err != nil {
			return "", fmt.Errorf("webrtc: dropping the previous offer: %w", err)
		}
	}
	offer, err := s.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: opts.ICERestart})
	if err != nil {
		return "", fmt.Errorf("webrtc: creating the offer: %w", err)
	}
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("webrtc: setting the offer: %w", err)
	}
	if err := s.gather(ctx); err != nil {
		s.restore()
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sdp := media.NarrowDirection(s.pc.LocalDescription().SDP, s.desired)
	s.pending = sdp
	return sdp, nil
}

// CreateAnswer implements media.Session.
func (s *Session) CreateAnswer(ctx context.Context, remoteOffer string) (string, error) {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	if s.isClosed() {
		return "", media.ErrClosed
	}
	if err := s.checkRemote(remoteOffer); err != nil {
		return "", err
	}
	if s.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		// Glare the signalling let through: the peer's offer wins.
		if err := s.restore(); err != nil {
			return "", fmt.Errorf("webrtc: dropping our offer: %w", err)
		}
		s.mu.Lock()
		s.pending = ""
		s.mu.Unlock()
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: forPion(remoteOffer)}); err != nil {
		return "", fmt.Errorf("%w: %v", media.ErrIncompatibleSDP, err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", media.ErrIncompatibleSDP, err)
	}
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("webrtc: setting the answer: %w", err)
	}
	if err := s.gather(ctx); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sdp := narrowAnswer(s.pc.LocalDescription().SDP, remoteOffer, s.desired)
	s.agreed = s.desired
	s.lastRemote = forPion(remoteOffer)
	s.applyDirections(sdp, remoteOffer)
	return sdp, nil
}

// SetRemoteAnswer implements media.Session.
func (s *Session) SetRemoteAnswer(sdp string) error {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	if s.isClosed() {
		return media.ErrClosed
	}
	s.mu.Lock()
	pending, last := s.pending, s.lastAnswer
	s.mu.Unlock()
	if pending == "" {
		if sdp == last && last != "" {
			return nil
		}
		return media.ErrNoOffer
	}
	if err := s.checkRemote(sdp); err != nil {
		return err
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: forPion(sdp)}); err != nil {
		return fmt.Errorf("%w: %v", media.ErrIncompatibleSDP, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending, s.lastAnswer = "", sdp
	s.agreed = s.desired
	s.lastRemote = forPion(sdp)
	s.applyDirections(pending, sdp)
	return nil
}

// CancelOffer implements media.Session.
func (s *Session) CancelOffer() error {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	if s.isClosed() {
		return media.ErrClosed
	}
	s.mu.Lock()
	pending := s.pending
	s.mu.Unlock()
	if pending == "" {
		return media.ErrNoOffer
	}
	if err := s.restore(); err != nil && !errors.Is(err, errFirstOffer) {
		return fmt.Errorf("webrtc: going back from the offer: %w", err)
	}
	s.mu.Lock()
	s.pending = ""
	s.desired = s.agreed
	s.mu.Unlock()
	return nil
}

// restore returns pion from have-local-offer to the last negotiated state.
// pion cannot roll a local offer back, so the offer is answered with the
// peer's last description, which fits it: the same m-sections, ICE
// credentials and fingerprint (an ICE restart's offer excepted).
func (s *Session) restore() error {
	if s.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		return nil
	}
	s.mu.Lock()
	remote := s.lastRemote
	s.mu.Unlock()
	if remote == "" {
		return errFirstOffer
	}
	if cur := s.pc.CurrentLocalDescription(); cur != nil && strings.Contains(remote, "a=setup:actpass") {
		// The peer's last description was an offer; as an answer it must
		// take the DTLS role opposite to the one we answered with.
		role := "active"
		if strings.Contains(cur.SDP, "a=setup:active") {
			role = "passive"
		}
		remote = strings.ReplaceAll(remote, "a=setup:actpass", "a=setup:"+role)
	}
	return s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: remote})
}

// errFirstOffer is returned when a session's first offer is abandoned
// and another negotiation is tried: there is nothing to go back to.
var errFirstOffer = errors.New("webrtc: the first offer was abandoned; make a new session")

// applyDirections sets what this side may send from the negotiated
// descriptions. s.mu is held.
func (s *Session) applyDirections(local, remote string) {
	allowed := func(kind media.Kind) bool {
		l, r := media.StreamDirection(local, kind), media.StreamDirection(remote, kind)
		return l != "" && r != "" && l.Sends() && r.Receives()
	}
	s.sendAudio.Store(allowed(media.Audio))
	s.sendVideo.Store(allowed(media.Video))
	s.log.Debug("media directions", "local", media.StreamDirection(local, media.Audio),
		"remote", media.StreamDirection(remote, media.Audio), "sendAudio", s.sendAudio.Load())
}

// gather waits for ICE gathering to complete, for the gathering timeout at
// most, or until ctx is done.
func (s *Session) gather(ctx context.Context) error {
	complete := webrtc.GatheringCompletePromise(s.pc)
	timeout := make(chan struct{})
	t := s.e.cfg.clock.AfterFunc(s.e.cfg.GatheringTimeout, func() { close(timeout) })
	defer t.Stop()
	select {
	case <-complete:
	case <-timeout:
		s.log.Debug("ICE gathering timed out; using the candidates gathered so far",
			"timeout", s.e.cfg.GatheringTimeout)
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return media.ErrClosed
	}
	return nil
}

// SetDirection implements media.Session.
func (s *Session) SetDirection(d media.Direction) {
	if !d.Valid() {
		d = media.DirectionSendRecv
	}
	s.mu.Lock()
	s.desired = d
	s.mu.Unlock()
}

// SetMuted implements media.Session.
func (s *Session) SetMuted(kind media.Kind, muted bool) {
	switch kind {
	case media.Audio:
		s.mutedAudio.Store(muted)
	case media.Video:
		s.mutedVideo.Store(muted)
	}
}

// OnDTMF implements media.Session.
func (s *Session) OnDTMF(f func(media.DTMFEvent)) {
	s.mu.Lock()
	s.onDTMF = f
	s.mu.Unlock()
}

// OnStateChange implements media.Session.
func (s *Session) OnStateChange(f func(media.State)) {
	s.mu.Lock()
	s.onState = f
	s.mu.Unlock()
}

// SetAudioSource replaces the PCM the session sends (nil: silence) and
// closes the previous source if it is an io.Closer. The codec negotiated
// does not change: a session that negotiated Opus sends nothing from it.
func (s *Session) SetAudioSource(src audio.Source) {
	s.mu.Lock()
	old := s.src
	s.src = src
	s.mu.Unlock()
	closeIf(old)
}

// SetAudioSink replaces the sink of decoded audio (nil: discard) and
// closes the previous sink if it is an io.Closer.
func (s *Session) SetAudioSink(sink audio.Sink) {
	s.mu.Lock()
	old := s.sink
	s.sink = sink
	s.mu.Unlock()
	closeIf(old)
}

// closeIf closes v if it is a non-nil io.Closer.
func closeIf(v any) error {
	if c, ok := v.(io.Closer); ok && c != nil {
		return c.Close()
	}
	return nil
}

// isClosed reports whether Close was called.
func (s *Session) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Close implements media.Session: it closes the peer connection, waits for
// the session's goroutines and closes its sources and sinks.
func (s *Session) Close() error {
	var err error
	s.closed.Do(func() {
		s.mu.Lock()
		close(s.done) // under mu, so that no goroutine is added to wg after
		s.mu.Unlock()
		err = s.pc.Close()
		s.wg.Wait()
		s.mu.Lock()
		o := SessionOptions{AudioSource: s.src, OpusSource: s.opusSrc, AudioSink: s.sink,
			OpusSink: s.opusSink, VideoSource: s.videoSrc, VideoSink: s.videoSink}
		s.src, s.opusSrc, s.sink, s.opusSink, s.videoSrc, s.videoSink = nil, nil, nil, nil, nil, nil
		s.mu.Unlock()
		err = errors.Join(err, o.closeAll())
	})
	return err
}

// errNotSending is returned by SendDTMF while the audio stream does not
// send (on hold).
var errNotSending = errors.New("webrtc: the audio stream is not sending")

// goRun runs f on a goroutine of the session, unless the session is
// closed; Close waits for it.
func (s *Session) goRun(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isClosed() {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}
