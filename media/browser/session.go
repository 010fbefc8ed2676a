//go:build js

package browser

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo/media"
)

// opTimeout bounds one step of a negotiation that the interface does not
// give a context (SetRemoteAnswer, CancelOffer, Stats).
const opTimeout = 10 * time.Second

// Session is one call's media on an RTCPeerConnection. Its methods are
// safe for concurrent use; negotiations are serialized.
type Session struct {
	opts      SessionOptions
	gathering time.Duration

	// neg serializes negotiations (offer/answer steps) and Close.
	neg sync.Mutex

	mu        sync.Mutex
	pc        js.Value
	local     js.Value // the MediaStream sent
	ownLocal  bool     // local came from getUserMedia: stop its tracks on Close
	remote    js.Value // MediaStream of the remote tracks
	direction media.Direction
	muted     map[media.Kind]bool
	onState   func(media.State)
	listeners []*listener
	closed    bool
	offered   bool   // an offer of ours waits for its answer
	lastAnswr string // the remote answer last applied
	dtmfMu    sync.Mutex
}

var _ media.Session = (*Session)(nil)

// PeerConnection returns the call's RTCPeerConnection, or undefined
// before the first offer or answer.
func (s *Session) PeerConnection() js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pc
}

// LocalStream returns the MediaStream sent, or undefined before the first
// offer or answer.
func (s *Session) LocalStream() js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local
}

// RemoteStream returns the MediaStream of the tracks received, for the
// page to attach to an <audio> or <video> element; undefined before the
// first offer or answer.
func (s *Session) RemoteStream() js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote
}

// setup makes the connection on first use. It returns it, or an error if
// the session is closed or the platform refuses the configuration.
func (s *Session) setup() (js.Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return js.Undefined(), media.ErrClosed
	}
	if !s.pc.IsUndefined() {
		return s.pc, nil
	}
	ctor := js.Global().Get("RTCPeerConnection")
	if ctor.Type() != js.TypeFunction {
		return js.Undefined(), ErrNoWebRTC
	}
	var pc js.Value
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("browser: RTCPeerConnection: %v", r)
			}
		}()
		if truthy(s.opts.PCConfig) {
			pc = ctor.New(s.opts.PCConfig)
		} else {
			pc = ctor.New()
		}
	}()
	if err != nil {
		return js.Undefined(), err
	}
	s.pc = pc
	if ms := js.Global().Get("MediaStream"); ms.Type() == js.TypeFunction {
		s.remote = ms.New()
	}
	s.listeners = append(s.listeners,
		listen(pc, "track", func(ev js.Value) {
			s.mu.Lock()
			remote := s.remote
			s.mu.Unlock()
			if !remote.IsUndefined() {
				remote.Call("addTrack", ev.Get("track"))
			}
		}),
		listen(pc, "connectionstatechange", func(js.Value) {
			st := media.State(pc.Get("connectionState").String())
			s.mu.Lock()
			f := s.onState
			s.mu.Unlock()
			if f != nil {
				// Not on the JavaScript callback: f may take locks.
				go f(st)
			}
		}),
	)
	if s.opts.OnPeerConnection != nil {
		s.opts.OnPeerConnection(pc)
	}
	return pc, nil
}

// localMedia gets the stream to send (once) and adds its tracks.
func (s *Session) localMedia(ctx context.Context, pc js.Value) error {
	s.mu.Lock()
	have := !s.local.IsUndefined()
	s.mu.Unlock()
	if have {
		return nil
	}
	stream, own := s.opts.Stream, false
	if !truthy(stream) {
		md := js.Global().Get("navigator")
		if truthy(md) {
			md = md.Get("mediaDevices")
		}
		if !truthy(md) {
			return fmt.Errorf("%w: no navigator.mediaDevices (give a mediaStream)", ErrUserMedia)
		}
		c := s.opts.Constraints
		if !truthy(c) {
			c = js.ValueOf(map[string]any{"audio": true, "video": false})
		}
		v, err := awaitCall(ctx, md, "getUserMedia", c)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUserMedia, err)
		}
		stream, own = v, true
	}
	tracks := stream.Call("getTracks")
	for i := range tracks.Length() {
		t := tracks.Index(i)
		if s.isMuted(media.Kind(t.Get("kind").String())) {
			t.Set("enabled", false)
		}
		if err := call(pc, "addTrack", t, stream); err != nil {
			return fmt.Errorf("browser: addTrack: %w", err)
		}
	}
	s.mu.Lock()
	s.local, s.ownLocal = stream, own
	s.mu.Unlock()
	return nil
}

func (s *Session) isMuted(k media.Kind) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.muted[k]
}

// applyDirection sets every transceiver's direction to the one asked for.
func (s *Session) applyDirection(pc js.Value) {
	s.mu.Lock()
	d := s.direction
	s.mu.Unlock()
	ts := pc.Call("getTransceivers")
	for i := range ts.Length() {
		t := ts.Index(i)
		if t.Get("stopped").Truthy() || t.Get("currentDirection").String() == "stopped" {
			continue
		}
		t.Set("direction", string(d))
	}
}

// complete waits for ICE gathering to end, or the gathering timeout, and
// returns the local description's SDP, as OnSDP edits it.
func (s *Session) complete(ctx context.Context, pc js.Value, typ string) (string, error) {
	done := make(chan struct{})
	var once sync.Once
	finish := func() { once.Do(func() { close(done) }) }
	l1 := listen(pc, "icegatheringstatechange", func(js.Value) {
		if pc.Get("iceGatheringState").String() == "complete" {
			finish()
		}
	})
	l2 := listen(pc, "icecandidate", func(ev js.Value) {
		if c := ev.Get("candidate"); c.IsNull() || c.IsUndefined() {
			finish()
		}
	})
	defer l1.remove()
	defer l2.remove()
	if pc.Get("iceGatheringState").String() == "complete" {
		finish()
	}
	t := time.NewTimer(s.gathering)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C: // the candidates so far will do
	case <-ctx.Done():
		return "", ctx.Err()
	}
	sdp := pc.Get("localDescription").Get("sdp").String()
	if s.opts.OnSDP != nil {
		sdp = s.opts.OnSDP("local", typ, sdp)
	}
	return sdp, nil
}

// CreateOffer makes the connection and local media if needed, and returns
// a complete offer.
func (s *Session) CreateOffer(ctx context.Context, opts media.OfferOptions) (string, error) {
	s.neg.Lock()
	defer s.neg.Unlock()
	pc, err := s.setup()
	if err != nil {
		return "", err
	}
	if err := s.localMedia(ctx, pc); err != nil {
		return "", err
	}
	s.applyDirection(pc)
	o := map[string]any{}
	if opts.ICERestart {
		o["iceRestart"] = true
	}
	offer, err := awaitCall(ctx, pc, "createOffer", js.ValueOf(o))
	if err != nil {
		return "", fmt.Errorf("browser: createOffer: %w", err)
	}
	if _, err := awaitCall(ctx, pc, "setLocalDescription", offer); err != nil {
		return "", fmt.Errorf("browser: setLocalDescription: %w", err)
	}
	s.mu.Lock()
	s.offered = true
	s.mu.Unlock()
	return s.complete(ctx, pc, "offer")
}

func description(typ, sdp string) js.Value {
	return js.ValueOf(map[string]any{"type": typ, "sdp": sdp})
}

// CreateAnswer applies the offer and returns a complete answer.
func (s *Session) CreateAnswer(ctx context.Context, remoteOffer string) (string, error) {
	s.neg.Lock()
	defer s.neg.Unlock()
	if !media.HasMedia(remoteOffer) {
		return "", fmt.Errorf("%w: the offer has no media", media.ErrIncompatibleSDP)
	}
	pc, err := s.setup()
	if err != nil {
		return "", err
	}
	if s.opts.OnSDP != nil {
		remoteOffer = s.opts.OnSDP("remote", "offer", remoteOffer)
	}
	if _, err := awaitCall(ctx, pc, "setRemoteDescription", description("offer", remoteOffer)); err != nil {
		return "", fmt.Errorf("%w: setRemoteDescription: %w", media.ErrIncompatibleSDP, err)
	}
	// After the offer, so that the tracks take its transceivers.
	if err := s.localMedia(ctx, pc); err != nil {
		return "", err
	}
	s.applyDirection(pc)
	answer, err := awaitCall(ctx, pc, "createAnswer")
	if err != nil {
		return "", fmt.Errorf("%w: createAnswer: %w", media.ErrIncompatibleSDP, err)
	}
	if _, err := awaitCall(ctx, pc, "setLocalDescription", answer); err != nil {
		return "", fmt.Errorf("browser: setLocalDescription: %w", err)
	}
	return s.complete(ctx, pc, "answer")
}

// SetRemoteAnswer applies the answer to the last offer; the same answer
// again does nothing.
func (s *Session) SetRemoteAnswer(sdp string) error {
	s.neg.Lock()
	defer s.neg.Unlock()
	s.mu.Lock()
	pc, offered, last := s.pc, s.offered, s.lastAnswr
	s.mu.Unlock()
	if !offered {
		if sdp == last && last != "" {
			return nil
		}
		return media.ErrNoOffer
	}
	if !media.HasMedia(sdp) {
		return fmt.Errorf("%w: the answer has no media", media.ErrIncompatibleSDP)
	}
	if s.opts.OnSDP != nil {
		sdp = s.opts.OnSDP("remote", "answer", sdp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := awaitCall(ctx, pc, "setRemoteDescription", description("answer", sdp)); err != nil {
		return fmt.Errorf("%w: setRemoteDescription: %w", media.ErrIncompatibleSDP, err)
	}
	s.mu.Lock()
	s.offered, s.lastAnswr = false, sdp
	s.mu.Unlock()
	return nil
}

// CancelOffer rolls the last offer back.
func (s *Session) CancelOffer() error {
	s.neg.Lock()
	defer s.neg.Unlock()
	s.mu.Lock()
	pc, offered := s.pc, s.offered
	s.offered = false
	s.mu.Unlock()
	if !offered {
		return media.ErrNoOffer
	}
	if pc.Get("signalingState").String() != "have-local-offer" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	_, err := awaitCall(ctx, pc, "setLocalDescription", js.ValueOf(map[string]any{"type": "rollback"}))
	return err
}

// SetDirection sets the direction of the next offer or answer.
func (s *Session) SetDirection(d media.Direction) {
	s.mu.Lock()
	s.direction = d
	s.mu.Unlock()
}

// SetMuted disables (or enables) the local tracks of a kind: the peer
// gets silence (or black frames) without a renegotiation.
func (s *Session) SetMuted(kind media.Kind, muted bool) {
	s.mu.Lock()
	if s.muted == nil {
		s.muted = map[media.Kind]bool{}
	}
	s.muted[kind] = muted
	local := s.local
	s.mu.Unlock()
	if local.IsUndefined() {
		return
	}
	tracks := local.Call("getTracks")
	for i := range tracks.Length() {
		if t := tracks.Index(i); t.Get("kind").String() == string(kind) {
			t.Set("enabled", !muted)
		}
	}
}

// SendDTMF plays tones through the audio sender's RTCDTMFSender and
// returns once they have been played.
func (s *Session) SendDTMF(ctx context.Context, tones string, opts media.DTMFOptions) error {
	for _, t := range tones {
		if !strings.ContainsRune("0123456789ABCDabcd*#,", t) {
			return fmt.Errorf("%w: %q", media.ErrInvalidDTMF, t)
		}
	}
	opts = opts.WithDefaults()
	s.dtmfMu.Lock()
	defer s.dtmfMu.Unlock()
	s.mu.Lock()
	pc := s.pc
	s.mu.Unlock()
	if pc.IsUndefined() {
		return media.ErrNoTelephoneEvent
	}
	var dtmf js.Value
	senders := pc.Call("getSenders")
	for i := range senders.Length() {
		sd := senders.Index(i)
		if tr := sd.Get("track"); truthy(tr) && tr.Get("kind").String() == "audio" && truthy(sd.Get("dtmf")) {
			dtmf = sd.Get("dtmf")
			break
		}
	}
	if dtmf.IsUndefined() {
		return media.ErrNoTelephoneEvent
	}
	if can := dtmf.Get("canInsertDTMF"); can.Type() == js.TypeBoolean && !can.Bool() {
		return media.ErrNoTelephoneEvent
	}
	if err := call(dtmf, "insertDTMF", strings.ToUpper(tones), opts.Duration.Milliseconds(), opts.Gap.Milliseconds()); err != nil {
		return fmt.Errorf("browser: insertDTMF: %w", err)
	}
	// RTCDTMFSender empties its toneBuffer as it plays.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for dtmf.Get("toneBuffer").String() != "" {
		select {
		case <-tick.C:
		case <-ctx.Done():
			call(dtmf, "insertDTMF", "")
			return ctx.Err()
		}
	}
	// The last tone is still playing when the buffer empties.
	select {
	case <-time.After(opts.Duration):
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// OnDTMF is never called: browsers do not report the telephone-events
// they receive.
func (s *Session) OnDTMF(func(media.DTMFEvent)) {}

// OnStateChange sets the function called with the connection's states.
func (s *Session) OnStateChange(f func(media.State)) {
	s.mu.Lock()
	s.onState = f
	s.mu.Unlock()
}

// Stats reads getStats: RTP counters per kind and direction, the remote
// side's view from remote-inbound-rtp, and the codec.
func (s *Session) Stats() media.Stats {
	var st media.Stats
	s.mu.Lock()
	pc, closed := s.pc, s.closed
	s.mu.Unlock()
	if pc.IsUndefined() || closed {
		return st
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	report, err := awaitCall(ctx, pc, "getStats")
	if err != nil {
		return st
	}
	codecs := map[string]string{}
	var rows []js.Value
	cb := js.FuncOf(func(_ js.Value, args []js.Value) any {
		r := args[0]
		if r.Get("type").String() == "codec" {
			mime := r.Get("mimeType").String()
			if _, name, ok := strings.Cut(mime, "/"); ok {
				mime = name
			}
			codecs[r.Get("id").String()] = mime
		}
		rows = append(rows, r)
		return nil
	})
	report.Call("forEach", cb)
	cb.Release()
	num := func(r js.Value, k string) float64 {
		if v := r.Get(k); v.Type() == js.TypeNumber {
			return v.Float()
		}
		return 0
	}
	for _, r := range rows {
		var ss *media.StreamStats
		switch r.Get("kind").String() {
		case "audio":
			ss = &st.Audio
		case "video":
			ss = &st.Video
		default:
			continue
		}
		switch r.Get("type").String() {
		case "inbound-rtp":
			ss.Received.Packets += uint64(num(r, "packetsReceived"))
			ss.Received.Bytes += uint64(num(r, "bytesReceived"))
			ss.Received.Lost += int64(num(r, "packetsLost"))
			ss.Received.Jitter = time.Duration(num(r, "jitter") * float64(time.Second))
		case "outbound-rtp":
			ss.Sent.Packets += uint64(num(r, "packetsSent"))
			ss.Sent.Bytes += uint64(num(r, "bytesSent"))
			if c := codecs[r.Get("codecId").String()]; c != "" {
				ss.Codec = c
			}
		case "remote-inbound-rtp":
			ss.Sent.Lost = int64(num(r, "packetsLost"))
			ss.Sent.FractionLost = num(r, "fractionLost")
			ss.Sent.Jitter = time.Duration(num(r, "jitter") * float64(time.Second))
			ss.RoundTrip = time.Duration(num(r, "roundTripTime") * float64(time.Second))
		}
	}
	return st
}

// Close closes the connection and stops the tracks it asked
// getUserMedia for.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	pc, local, own, ls := s.pc, s.local, s.ownLocal, s.listeners
	s.listeners = nil
	s.mu.Unlock()
	if !pc.IsUndefined() {
		call(pc, "close")
	}
	for _, l := range ls {
		l.remove()
	}
	if own && !local.IsUndefined() {
		tracks := local.Call("getTracks")
		for i := range tracks.Length() {
			call(tracks.Index(i), "stop")
		}
	}
	return nil
}
