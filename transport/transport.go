package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
)

// Defaults of a Transport's Config.
const (
	DefaultConnectTimeout    = 10 * time.Second
	DefaultReconnectMin      = 2 * time.Second // JsSIP's min_interval
	DefaultReconnectMax      = 30 * time.Second
	DefaultKeepAliveInterval = 30 * time.Second
	// DefaultKeepAliveTimeout is how long a ping waits for its pong: RFC
	// 5626 §4.4.1 gives up on a flow after 10 seconds.
	DefaultKeepAliveTimeout = 10 * time.Second
	// eventBuffer is the capacity of the Events channel.
	eventBuffer = 32
	// messageBuffer is the capacity of the Messages channel.
	messageBuffer = 64
)

// WeightedSocket is a socket of a Transport with its weight: sockets of
// higher weight are tried first.
type WeightedSocket struct {
	// Socket is the socket; it must not be nil.
	Socket Socket
	// Weight orders the sockets, highest first; any integer, 0 by
	// default as in JsSIP.
	Weight int
}

// Config configures a Transport. Sockets is required; every other zero
// field means its default.
type Config struct {
	// Sockets are the sockets to connect through, as JsSIP's "sockets"
	// setting: the highest weight first, a random one among equal weights.
	Sockets []WeightedSocket

	// ConnectTimeout bounds each Dial. Zero means 10 s; negative means
	// no limit but the socket's own.
	ConnectTimeout time.Duration

	// ReconnectMin and ReconnectMax bound the randomized exponential
	// backoff between rounds of connection attempts: after the n-th round
	// in a row in which every socket failed, the transport waits a random
	// time between ReconnectMin and ReconnectMin·2^(n-1), capped at
	// ReconnectMax. Zero means 2 s and 30 s, as JsSIP.
	ReconnectMin, ReconnectMax time.Duration

	// KeepAliveInterval is the time between keep-alive pings on a
	// connected socket that is reliable and implements Pinger (WebSocket
	// pings, RFC 5626 CRLF pings on TCP and TLS). Zero means 30 s;
	// negative turns keep-alives off.
	KeepAliveInterval time.Duration

	// KeepAliveTimeout is how long a ping waits for its pong before the
	// connection is declared dead, closed, and replaced. Zero means 10 s.
	// It must be shorter than KeepAliveInterval.
	KeepAliveTimeout time.Duration

	// Logger receives connection events. Nil means slog.Default().
	Logger *slog.Logger

	// Clock runs every timer of the transport. Nil means the real clock;
	// tests pass a clock.Fake.
	Clock clock.Clock
}

// EventKind says what happened to a Transport's connection.
type EventKind int

// Event kinds, as JsSIP's transport events.
const (
	// EventConnecting: a socket is being dialled.
	EventConnecting EventKind = iota + 1
	// EventConnected: the socket is connected and is now the
	// transport's current socket.
	EventConnected
	// EventDisconnected: a dial failed or a connection ended.
	EventDisconnected
)

// String returns "connecting", "connected" or "disconnected".
func (k EventKind) String() string {
	switch k {
	case EventConnecting:
		return "connecting"
	case EventConnected:
		return "connected"
	case EventDisconnected:
		return "disconnected"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is a change of a Transport's connection. Each EventConnecting is
// followed by EventConnected or EventDisconnected, and each EventConnected
// by EventDisconnected.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Socket is the socket the event is about.
	Socket Socket
	// Attempt counts dial attempts since the transport was last
	// connected, from 1.
	Attempt int
	// Err is why the socket disconnected; nil when Close ended the
	// connection. It wraps ErrConnectTimeout or ErrNoPong when those
	// caused it, and is a *CloseError when a WebSocket peer closed.
	Err error
	// Code is the WebSocket close code the peer gave, or 0.
	Code int
	// Reason is the WebSocket close reason the peer gave, or "".
	Reason string
}

// Inbound is a message received on a Transport's socket.
type Inbound struct {
	// Data is one whole message; the receiver owns it.
	Data []byte
	// Socket is the socket it came on: the one to answer on, and the
	// source for Via received/rport.
	Socket Socket
}

// Transport keeps a user agent connected through one of several sockets:
// it dials the highest weight first, fails over to the next socket when a
// dial fails or a connection ends, and when every socket has failed starts
// again after a randomized exponential backoff. It pings the connected
// socket and replaces it when the pong does not come.
//
// Messages received on the current socket arrive on Messages, connection
// changes on Events; both must be drained. All methods are safe for
// concurrent use.
type Transport struct {
	cfg    Config
	clk    clock.Clock
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	msgs   chan Inbound
	events chan Event
	// randN returns a random number in [0, n); tests replace it.
	randN func(n int64) int64
	// wg counts the goroutines that send on msgs and events.
	wg sync.WaitGroup

	mu       sync.Mutex
	state    state
	entries  []*entry
	conn     *connection // the connected socket's connection, or nil
	attempts int         // dial attempts since the last connection
	rounds   int         // rounds in a row in which every socket failed
	retry    clock.Timer
}

type state int

const (
	stateIdle state = iota
	stateConnecting
	stateConnected
	stateWaiting // for the backoff timer
	stateClosed
)

// entry is a socket of the transport and its place in the current round.
type entry struct {
	sock   Socket
	weight int
	failed bool // in this round
}

// connection is one connected period of a socket.
type connection struct {
	sock   Socket
	ctx    context.Context // ends with the connection
	cancel context.CancelFunc
	// The fields below are guarded by Transport.mu.
	ping clock.Timer // the keep-alive ticker, or nil
	// dead is set when a keep-alive found the peer gone.
	dead  error
	ended bool
}

// New checks cfg and returns a Transport that is not yet connecting; call
// Start.
func New(cfg Config) (*Transport, error) {
	if len(cfg.Sockets) == 0 {
		return nil, errors.New("transport: Config.Sockets is empty")
	}
	entries := make([]*entry, len(cfg.Sockets))
	for i, ws := range cfg.Sockets {
		if ws.Socket == nil {
			return nil, fmt.Errorf("transport: Config.Sockets[%d].Socket is nil", i)
		}
		entries[i] = &entry{sock: ws.Socket, weight: ws.Weight}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ReconnectMin == 0 {
		cfg.ReconnectMin = DefaultReconnectMin
	}
	if cfg.ReconnectMax == 0 {
		cfg.ReconnectMax = max(DefaultReconnectMax, cfg.ReconnectMin)
	}
	switch {
	case cfg.ReconnectMin < 0:
		return nil, fmt.Errorf("transport: Config.ReconnectMin is negative (%v)", cfg.ReconnectMin)
	case cfg.ReconnectMax < cfg.ReconnectMin:
		return nil, fmt.Errorf("transport: Config.ReconnectMax (%v) is below ReconnectMin (%v)", cfg.ReconnectMax, cfg.ReconnectMin)
	case cfg.KeepAliveTimeout < 0:
		return nil, fmt.Errorf("transport: Config.KeepAliveTimeout is negative (%v)", cfg.KeepAliveTimeout)
	}
	if cfg.KeepAliveInterval == 0 {
		cfg.KeepAliveInterval = DefaultKeepAliveInterval
	}
	if cfg.KeepAliveTimeout == 0 {
		cfg.KeepAliveTimeout = DefaultKeepAliveTimeout
	}
	if cfg.KeepAliveInterval > 0 && cfg.KeepAliveTimeout >= cfg.KeepAliveInterval {
		return nil, fmt.Errorf("transport: Config.KeepAliveTimeout (%v) must be shorter than KeepAliveInterval (%v)", cfg.KeepAliveTimeout, cfg.KeepAliveInterval)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Transport{
		cfg:     cfg,
		clk:     cfg.Clock,
		log:     loggerOr(cfg.Logger),
		ctx:     ctx,
		cancel:  cancel,
		msgs:    make(chan Inbound, messageBuffer),
		events:  make(chan Event, eventBuffer),
		randN:   rand.Int64N,
		entries: entries,
	}, nil
}

// Messages returns the channel of inbound messages. It is closed when
// Close returns.
func (t *Transport) Messages() <-chan Inbound { return t.msgs }

// Events returns the channel of connection events. It is closed when
// Close returns.
func (t *Transport) Events() <-chan Event { return t.events }

// Start begins connecting, in the background; it returns at once. Calling
// it again, or after Close, does nothing.
func (t *Transport) Start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != stateIdle {
		return
	}
	t.startLocked(t.pickLocked())
}

// Socket returns the connected socket, or nil when the transport is not
// connected. A user agent builds Via and Contact from it.
func (t *Transport) Socket() Socket {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn == nil {
		return nil
	}
	return t.conn.sock
}

// Connected reports whether the transport has a connected socket.
func (t *Transport) Connected() bool { return t.Socket() != nil }

// Send sends msg on the connected socket. Without one it returns an error
// wrapping ErrNotConnected: the transport does not queue.
func (t *Transport) Send(ctx context.Context, msg []byte) error {
	s := t.Socket()
	if s == nil {
		return fmt.Errorf("transport: send: %w", ErrNotConnected)
	}
	return s.Send(ctx, msg)
}

// Close stops reconnecting, closes the connected socket, waits for the
// transport's goroutines and closes the Messages and Events channels. The
// last event is EventDisconnected with a nil Err, if a socket was
// connected or connecting.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.state == stateClosed {
		t.mu.Unlock()
		return nil
	}
	t.state = stateClosed
	if t.retry != nil {
		t.retry.Stop()
	}
	var s Socket
	if t.conn != nil {
		s = t.conn.sock
	}
	t.mu.Unlock()

	var err error
	if s != nil {
		err = s.Close() // a clean close first: WebSocket close handshake
	}
	t.cancel()
	t.wg.Wait()
	close(t.msgs)
	close(t.events)
	return err
}

// pickLocked returns a socket of the highest weight among those that have
// not failed in this round, choosing at random among equal weights. When
// every socket has failed it starts a new round.
func (t *Transport) pickLocked() *entry {
	var best []*entry
	for _, e := range t.entries {
		switch {
		case e.failed:
		case len(best) == 0 || e.weight > best[0].weight:
			best = append(best[:0], e)
		case e.weight == best[0].weight:
			best = append(best, e)
		}
	}
	if len(best) == 0 {
		return nil
	}
	return best[t.randN(int64(len(best)))]
}

// startLocked dials e in a new goroutine.
func (t *Transport) startLocked(e *entry) {
	t.attempts++
	t.state = stateConnecting
	t.wg.Add(1)
	go t.run(e, t.attempts)
}

// run is one attempt: dial, and if that works, read until the connection
// ends. It reports every step as an event and then starts the next attempt.
func (t *Transport) run(e *entry, attempt int) {
	defer t.wg.Done()
	s := e.sock
	t.log.Debug("transport: connecting", "uri", s.URI().String(), "attempt", attempt)

	err := t.dial(s, attempt)
	if err != nil {
		t.mu.Lock()
		closing := t.state == stateClosed
		t.mu.Unlock()
		if closing {
			err = nil
		} else {
			t.log.Warn("transport: connect failed", "uri", s.URI().String(), "attempt", attempt, "err", err)
		}
		launch := t.next(e)
		t.emit(Event{Kind: EventDisconnected, Socket: s, Attempt: attempt, Err: err})
		launch()
		return
	}

	ctx, cancel := context.WithCancel(t.ctx)
	c := &connection{sock: s, ctx: ctx, cancel: cancel}
	t.mu.Lock()
	if t.state == stateClosed {
		t.mu.Unlock()
		cancel()
		s.Close()
		t.emit(Event{Kind: EventDisconnected, Socket: s, Attempt: attempt})
		return
	}
	t.state = stateConnected
	t.conn = c
	t.attempts, t.rounds = 0, 0
	for _, e := range t.entries {
		e.failed = false
	}
	t.mu.Unlock()
	t.log.Info("transport: connected", "uri", s.URI().String(), "via", s.ViaTransport())
	t.startKeepAlive(c)
	t.emit(Event{Kind: EventConnected, Socket: s, Attempt: attempt})

	err = t.readLoop(c)

	t.mu.Lock()
	c.ended = true
	if c.ping != nil {
		c.ping.Stop()
	}
	if c.dead != nil {
		err = c.dead
	}
	closing := t.state == stateClosed
	t.conn = nil
	t.mu.Unlock()
	cancel()
	s.Close()
	ev := Event{Kind: EventDisconnected, Socket: s, Attempt: attempt, Err: err}
	if closing {
		ev.Err = nil
	} else {
		var ce *CloseError
		if errors.As(err, &ce) {
			ev.Code, ev.Reason = ce.Code, ce.Reason
		}
		t.log.Warn("transport: disconnected", "uri", s.URI().String(), "err", err)
	}
	launch := t.next(e)
	t.emit(ev)
	launch()
}

// dial reports EventConnecting and dials s within the connect timeout,
// which runs on the clock and is set before the event.
func (t *Transport) dial(s Socket, attempt int) error {
	ctx, cancel := context.WithCancelCause(t.ctx)
	defer cancel(nil)
	if d := t.cfg.ConnectTimeout; d > 0 {
		timer := t.clk.AfterFunc(d, func() { cancel(ErrConnectTimeout) })
		defer timer.Stop()
	}
	t.emit(Event{Kind: EventConnecting, Socket: s, Attempt: attempt})
	err := s.Dial(ctx)
	if err != nil && errors.Is(context.Cause(ctx), ErrConnectTimeout) {
		return fmt.Errorf("%w (%v): %w", ErrConnectTimeout, t.cfg.ConnectTimeout, err)
	}
	return err
}

// readLoop hands every message of c to Messages until the socket fails.
func (t *Transport) readLoop(c *connection) error {
	for {
		b, err := c.sock.Read(c.ctx)
		if err != nil {
			return err
		}
		select {
		case t.msgs <- Inbound{Data: b, Socket: c.sock}:
		case <-c.ctx.Done():
			return c.ctx.Err()
		}
	}
}

// next moves on after e failed or disconnected: at once to the next socket
// of the round, or after the backoff to a new round. The caller reports
// the disconnection and then calls launch, which starts an immediate
// attempt: so its events come after, while a backoff timer is already
// pending when the disconnection is reported.
func (t *Transport) next(e *entry) (launch func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == stateClosed {
		return func() {}
	}
	e.failed = true
	if n := t.pickLocked(); n != nil {
		t.attempts++
		t.state = stateConnecting
		t.wg.Add(1)
		attempt := t.attempts
		return func() { go t.run(n, attempt) }
	}
	t.rounds++
	for _, e := range t.entries {
		e.failed = false
	}
	d := backoff(t.rounds, t.cfg.ReconnectMin, t.cfg.ReconnectMax, t.randN)
	t.log.Info("transport: every socket failed; reconnecting later", "round", t.rounds, "delay", d)
	t.state = stateWaiting
	t.retry = t.clk.AfterFunc(d, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.state == stateWaiting {
			t.startLocked(t.pickLocked())
		}
	})
	return func() {}
}

// startKeepAlive starts pinging c every KeepAliveInterval, if its socket
// is reliable and a Pinger.
func (t *Transport) startKeepAlive(c *connection) {
	p, ok := c.sock.(Pinger)
	if !ok || !c.sock.Reliable() || t.cfg.KeepAliveInterval < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c.ended || t.state == stateClosed {
		return
	}
	c.ping = t.clk.AfterFunc(t.cfg.KeepAliveInterval, func() { t.keepAlive(c, p) })
}

// keepAlive is the keep-alive ticker of c: it schedules the next tick and
// sends a ping whose deadline runs on the clock.
func (t *Transport) keepAlive(c *connection, p Pinger) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c.ended || t.state == stateClosed {
		return
	}
	// The previous ping is over by now, on the clock: KeepAliveTimeout is
	// shorter than KeepAliveInterval.
	c.ping.Reset(t.cfg.KeepAliveInterval)
	ctx, cancel := context.WithCancelCause(c.ctx)
	answered := false
	timeout := t.cfg.KeepAliveTimeout
	deadline := t.clk.AfterFunc(timeout, func() {
		t.mu.Lock()
		if !answered && c.dead == nil {
			// Set before the ping is cancelled, so that the read loop,
			// which ends when Ping closes the socket, reports it.
			c.dead = fmt.Errorf("%w: none within %v", ErrNoPong, timeout)
		}
		t.mu.Unlock()
		cancel(ErrNoPong)
	})
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		err := p.Ping(ctx)
		t.mu.Lock()
		answered = err == nil
		switch {
		case err == nil && errors.Is(c.dead, ErrNoPong):
			// The pong won the race with the deadline.
			c.dead = nil
		case err != nil && c.dead == nil && c.ctx.Err() == nil:
			c.dead = fmt.Errorf("transport: keep-alive: %w", err)
		}
		dead := err != nil
		t.mu.Unlock()
		deadline.Stop()
		cancel(nil)
		if dead && c.ctx.Err() == nil {
			t.log.Warn("transport: keep-alive failed; closing", "uri", c.sock.URI().String(), "err", err)
			c.sock.Close()
		}
	}()
}

// emit delivers ev, waiting while the channel is full unless the
// transport is closing.
func (t *Transport) emit(ev Event) {
	select {
	case t.events <- ev:
		return
	default:
	}
	select {
	case t.events <- ev:
	case <-t.ctx.Done():
		t.log.Warn("transport: event dropped at close", "event", ev.Kind.String())
	}
}
