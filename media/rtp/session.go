//go:build !js

package rtp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/internal/rfc4733"
)

// Session is the media of one call: one RTP audio stream over UDP. It
// implements media.Session; its methods are safe for concurrent use.
type Session struct {
	e   *Engine
	log *slog.Logger

	mu        sync.Mutex
	conn      *net.UDPConn // RTP; nil until the first offer or answer
	rtcp      *net.UDPConn // RTP port + 1, drained
	id        uint64       // o= session id
	version   uint64       // o= version of lastLocal
	lastLocal string       // last description given, without its o= line
	want      media.Direction
	pending   *pendingOffer
	lastAns   string // the last answer applied, to ignore it if repeated
	neg       *negotiation
	recvMap   map[uint8]string // payload types decoded now
	latched   *net.UDPAddr     // where the peer's packets come from
	connected bool             // StateConnected was reported
	up        chan struct{}    // closed when connected is set
	src       audio.Source
	sink      audio.Sink
	onDTMF    func(media.DTMFEvent)
	onState   func(media.State)
	events    chan func() // callbacks, run in order by eventLoop
	stats     sessionStats

	muted     atomic.Bool
	dtmfMu    sync.Mutex // serializes SendDTMF
	dtmfCh    chan *rfc4733.Job
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup // sendLoop and recvLoops
	sending   bool           // sendLoop started
}

// pendingOffer is an offer made by CreateOffer and not yet answered.
type pendingOffer struct {
	dir media.Direction
}

var _ media.Session = (*Session)(nil)

// NewSessionWith makes a session that sends o.AudioSource and hands what it
// receives to o.AudioSink. It binds no socket until the first CreateOffer
// or CreateAnswer.
func (e *Engine) NewSessionWith(_ context.Context, o SessionOptions) (*Session, error) {
	s := &Session{
		e:      e,
		log:    e.cfg.Logger.With("media", "rtp"),
		id:     rand.Uint64() >> 2,
		want:   media.DirectionSendRecv,
		src:    o.AudioSource,
		sink:   o.AudioSink,
		events: make(chan func(), 64),
		dtmfCh: make(chan *rfc4733.Job),
		done:   make(chan struct{}),
		up:     make(chan struct{}),
	}
	go s.eventLoop()
	return s, nil
}

// eventLoop runs the application's callbacks, in order, until the session
// is closed.
func (s *Session) eventLoop() {
	for f := range s.events {
		f()
	}
}

// post queues a callback; s.mu is held. A callback that does not fit (the
// application blocks its callbacks) is dropped with a warning.
func (s *Session) post(f func()) {
	if s.isClosed() {
		return
	}
	select {
	case s.events <- f:
	default:
		s.log.Warn("callback queue full; event dropped")
	}
}

// setState reports a state change; s.mu is held.
func (s *Session) setState(st media.State) {
	if f := s.onState; f != nil {
		s.post(func() { f(st) })
	}
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

// Connected returns a channel closed when the first offer/answer exchange
// completes: from then on the session sends and receives (plain RTP has no
// handshake).
func (s *Session) Connected() <-chan struct{} { return s.up }

// LocalAddr returns the address of the session's RTP socket, or nil before
// the first offer or answer.
func (s *Session) LocalAddr() *net.UDPAddr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	return s.conn.LocalAddr().(*net.UDPAddr)
}

// bind opens the session's sockets if they are not open; s.mu is held.
func (s *Session) bind() error {
	if s.isClosed() {
		return media.ErrClosed
	}
	if s.conn != nil {
		return nil
	}
	conn, rtcp, err := s.e.listen()
	if err != nil {
		return err
	}
	s.conn, s.rtcp = conn, rtcp
	s.log = s.log.With("local", conn.LocalAddr().String())
	s.wg.Add(2)
	go s.recvLoop(conn)
	go s.drain(rtcp)
	s.setState(media.StateConnecting)
	return nil
}

// listen binds an even UDP port for RTP and the next one for RTCP on the
// engine's address.
func (e *Engine) listen() (rtp, rtcp *net.UDPConn, err error) {
	ip := e.cfg.LocalIP
	for range 100 {
		port := 0
		if e.cfg.PortMin != 0 || e.cfg.PortMax != 0 {
			lo, hi := int(e.cfg.PortMin), int(e.cfg.PortMax)
			if hi == 0 {
				hi = 65535
			}
			lo += lo % 2
			if hi-1 < lo {
				return nil, nil, fmt.Errorf("rtp: no even port from %d to %d", e.cfg.PortMin, e.cfg.PortMax)
			}
			port = lo + 2*rand.IntN((hi-1-lo)/2+1)
		}
		c, lerr := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
		if lerr != nil {
			err = lerr
			continue
		}
		p := c.LocalAddr().(*net.UDPAddr).Port
		if p%2 != 0 || p == 65535 {
			c.Close()
			continue
		}
		r, lerr := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: p + 1})
		if lerr != nil {
			c.Close()
			err = lerr
			continue
		}
		return c, r, nil
	}
	if err == nil {
		err = errors.New("no even port with a free port after it")
	}
	return nil, nil, fmt.Errorf("rtp: binding RTP and RTCP ports on %v: %w", ip, err)
}

// describe returns the description l with its o= version advanced if it
// differs from the last one given (RFC 3264 §8); s.mu is held.
func (s *Session) describe(l localDesc) string {
	l.id = s.id
	l.ip = s.e.cfg.LocalIP
	l.port = s.conn.LocalAddr().(*net.UDPAddr).Port
	l.version = s.version
	body := l.String()
	_, rest, _ := strings.Cut(body, "\r\ns=")
	if rest != s.lastLocal {
		if s.lastLocal != "" {
			s.version++
			l.version = s.version
			body = l.String()
		}
		s.lastLocal = rest
	}
	return body
}

// CreateOffer implements media.Session: it offers PCMU and PCMA (as
// configured) and telephone-event, with the direction last set.
func (s *Session) CreateOffer(ctx context.Context, _ media.OfferOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.bind(); err != nil {
		return "", err
	}
	l := localDesc{codecs: s.e.cfg.Codecs, tePT: ptTE, hasTE: true, dir: s.want}
	for _, c := range l.codecs {
		l.pts = append(l.pts, payloadType(c))
	}
	s.pending = &pendingOffer{dir: s.want}
	if s.neg == nil {
		// Media may arrive before the answer (RFC 3264 §5.1).
		s.recvMap = offeredMap(l)
	}
	return s.describe(l), nil
}

// offeredMap returns the payload types an offer l lets the peer send.
func offeredMap(l localDesc) map[uint8]string {
	m := map[uint8]string{}
	for i, pt := range l.pts {
		m[pt] = l.codecs[i]
	}
	if l.hasTE {
		m[l.tePT] = telephoneEvent
	}
	return m
}

// CreateAnswer implements media.Session. It answers the first RTP/AVP
// audio stream of the offer with the first of its codecs this engine
// knows, rejects the other streams (port 0), and fails with an error
// wrapping media.ErrIncompatibleSDP when there is nothing to answer.
func (s *Session) CreateAnswer(ctx context.Context, remoteOffer string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	d, err := parseSDP(remoteOffer)
	if err != nil {
		return "", fmt.Errorf("%w: %w", media.ErrIncompatibleSDP, err)
	}
	idx := d.audioSection()
	if idx < 0 {
		return "", fmt.Errorf("%w: no RTP/AVP audio stream in the offer", media.ErrIncompatibleSDP)
	}
	m := &d.sections[idx]
	n, ok := choose(m, s.e.cfg.Codecs)
	if !ok {
		return "", fmt.Errorf("%w: no codec in common: offer has %q, engine has %v",
			media.ErrIncompatibleSDP, m.fmts, s.e.cfg.Codecs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.bind(); err != nil {
		return "", err
	}
	n.remote = d.address(m)
	n.dir = s.want.Answer(d.direction(m))
	n.recv = payloadMap(m)
	l := localDesc{codecs: []string{n.codec}, pts: []uint8{n.pt}, tePT: n.tePT, hasTE: n.hasTE,
		dir: n.dir, audioIndex: idx}
	for i, sec := range d.sections {
		if i != idx {
			l.rejected = append(l.rejected, sec.line)
		}
	}
	s.pending = nil
	body := s.describe(l)
	s.apply(&n)
	return body, nil
}

// SetRemoteAnswer implements media.Session.
func (s *Session) SetRemoteAnswer(sdp string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isClosed() {
		return media.ErrClosed
	}
	if s.pending == nil {
		if sdp == s.lastAns && sdp != "" {
			return nil
		}
		return media.ErrNoOffer
	}
	d, err := parseSDP(sdp)
	if err != nil {
		return fmt.Errorf("%w: %w", media.ErrIncompatibleSDP, err)
	}
	idx := d.audioSection()
	if idx < 0 {
		return fmt.Errorf("%w: the answer has no RTP/AVP audio stream", media.ErrIncompatibleSDP)
	}
	m := &d.sections[idx]
	n, ok := choose(m, s.e.cfg.Codecs)
	if !ok {
		return fmt.Errorf("%w: the answer's codecs %q are not among the offer's", media.ErrIncompatibleSDP, m.fmts)
	}
	n.remote = d.address(m)
	n.dir = s.pending.dir.Intersect(d.direction(m).Reverse())
	n.recv = map[uint8]string{}
	for _, c := range s.e.cfg.Codecs {
		n.recv[payloadType(c)] = c
	}
	n.recv[ptTE] = telephoneEvent
	for pt, name := range payloadMap(m) {
		n.recv[pt] = name
	}
	s.pending = nil
	s.lastAns = sdp
	s.apply(&n)
	return nil
}

// apply makes n the session's negotiation; s.mu is held.
func (s *Session) apply(n *negotiation) {
	old := s.neg
	if old == nil || !sameAddr(old.remote, n.remote) {
		s.latched = nil // a new address: learn where the peer sends from again
	}
	s.neg = n
	s.recvMap = n.recv
	s.log.Debug("negotiated", "codec", n.codec, "pt", n.pt, "telephone-event", n.hasTE,
		"remote", n.remote, "direction", n.dir)
	if !s.sending {
		s.sending = true
		s.wg.Add(1)
		go s.sendLoop()
	}
	if !s.connected {
		s.connected = true
		close(s.up)
		s.setState(media.StateConnected)
	}
}

// sameAddr reports whether a and b are the same address (both nil too).
func sameAddr(a, b *net.UDPAddr) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.IP.Equal(b.IP) && a.Port == b.Port
}

// CancelOffer implements media.Session: the session keeps the media it had.
func (s *Session) CancelOffer() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		return media.ErrNoOffer
	}
	s.pending = nil
	if s.neg != nil {
		s.recvMap = s.neg.recv
	}
	return nil
}

// SetDirection implements media.Session.
func (s *Session) SetDirection(d media.Direction) {
	if !d.Valid() {
		return
	}
	s.mu.Lock()
	s.want = d
	s.mu.Unlock()
}

// SetMuted implements media.Session: muted audio is sent as silence.
// Video is not supported and is ignored.
func (s *Session) SetMuted(kind media.Kind, muted bool) {
	if kind == media.Audio {
		s.muted.Store(muted)
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
// closes the previous source if it is an io.Closer.
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

// Close implements media.Session: it closes the sockets, waits for the
// session's goroutines and closes its source and sink.
func (s *Session) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.setState(media.StateClosed)
		close(s.done)
		close(s.events)
		conn, rtcp := s.conn, s.rtcp
		s.mu.Unlock()
		if conn != nil {
			err = errors.Join(conn.Close(), rtcp.Close())
		}
		s.wg.Wait()
		s.mu.Lock()
		src, sink := s.src, s.sink
		s.src, s.sink = nil, nil
		s.mu.Unlock()
		err = errors.Join(err, closeIf(src), closeIf(sink))
	})
	return err
}
