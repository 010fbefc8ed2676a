package ringo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
	"github.com/ringo-sip/ringo/transport"
)

// stopWait is how long Stop waits for open transactions to end.
const stopWait = 2 * time.Second

// sendTimeout bounds one write to a socket from the loop.
const sendTimeout = 5 * time.Second

// UA is a SIP user agent. Create it with NewUA, run it with Start, end it
// with Stop. All methods are safe for concurrent use.
type UA struct {
	s        *settings
	log      *slog.Logger
	clk      clock.Clock
	handlers handlers
	disp     *dispatcher
	tp       *transport.Transport
	layer    *transaction.Layer

	cmds     chan func()
	quit     chan struct{}
	loopDone chan struct{}

	startOnce, stopOnce sync.Once
	started             atomic.Bool
	connected           atomic.Bool
	registered          atomic.Bool
	// firstConnect is closed by the loop when the UA first connects.
	firstConnect chan struct{}
	firstOnce    sync.Once
	lastErr      atomic.Pointer[error]

	// Loop state: touched only on the loop goroutine.
	sock       transport.Socket
	reg        *registrator
	www, proxy *digest.Client
	recent     map[mergeKey]*transaction.Server
	subs       subTable
	inflight   int // out-of-dialog and in-dialog requests without a final result
	sessions   map[dialog.ID]*Session
	invites    map[*transaction.Server]*Session
}

// NewUA validates cfg and returns a UA that is not started.
func NewUA(cfg Config) (*UA, error) {
	return newUA(cfg, clock.Real())
}

func newUA(cfg Config, clk clock.Clock) (*UA, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	ua := &UA{
		s:            s,
		log:          s.Logger.With("ua", s.uri.AOR()),
		clk:          clk,
		cmds:         make(chan func(), 32),
		quit:         make(chan struct{}),
		loopDone:     make(chan struct{}),
		firstConnect: make(chan struct{}),
	}
	ua.www = ua.newDigestClient()
	ua.proxy = ua.newDigestClient()
	ua.tp, err = transport.New(transport.Config{
		Sockets:           s.Sockets,
		ConnectTimeout:    s.ConnectTimeout,
		ReconnectMin:      s.ConnectionRecoveryMin,
		ReconnectMax:      s.ConnectionRecoveryMax,
		KeepAliveInterval: s.KeepAliveInterval,
		Logger:            s.Logger,
		Clock:             clk,
	})
	if err != nil {
		return nil, &ConfigError{Field: "Sockets", Err: err}
	}
	ua.layer, err = transaction.NewLayer(transaction.Config{
		Sender:  transaction.SenderFunc(ua.sendMessage),
		Handler: uasHandler{ua},
		Clock:   clk,
		Post:    func(f func()) { ua.post(f) },
		T1:      s.T1,
		T2:      s.T2,
		T4:      s.T4,
		Logger:  s.Logger,
	})
	if err != nil {
		return nil, &ConfigError{Field: "T1", Err: err}
	}
	ua.reg = newRegistrator(ua)
	return ua, nil
}

func (ua *UA) newDigestClient() *digest.Client {
	return &digest.Client{
		Username: ua.s.authUser,
		Password: ua.s.Password,
		HA1:      ua.s.HA1,
		HA1Realm: ua.s.Realm,
	}
}

// Start connects the UA and starts its loop. It returns when the UA is
// connected, or with an error when ctx ends first (the UA is then stopped).
// Unless Config.ManualRegister is set, the UA registers once connected and
// again after each reconnection; Start does not wait for that.
func (ua *UA) Start(ctx context.Context) error {
	first := false
	ua.startOnce.Do(func() { first = true })
	if !first {
		return errors.New("ringo: UA already started")
	}
	ua.started.Store(true)
	if !ua.s.ManualRegister {
		ua.reg.wanted = true
	}
	ua.disp = newDispatcher()
	go ua.loop()
	ua.tp.Start()
	select {
	case <-ua.firstConnect:
		return nil
	case <-ctx.Done():
		err := ctx.Err()
		if last := ua.lastErr.Load(); last != nil {
			err = fmt.Errorf("%w (last connection error: %w)", err, *last)
		}
		ua.Stop(context.Background())
		return fmt.Errorf("ringo: start: %w", err)
	}
}

// Stop ends every call (CANCEL, a 480, or BYE, as Terminate does) and
// every subscription, unregisters (when registered), waits up to 2 s (or
// until ctx ends) for requests in flight, disconnects and stops the loop.
// Events queued before Stop are still delivered. Stop on a UA not started
// does nothing.
func (ua *UA) Stop(ctx context.Context) error {
	if !ua.started.Load() {
		return nil
	}
	var err error
	ua.stopOnce.Do(func() {
		ua.post(ua.endSessions)
		ua.post(ua.subsShutdown)
		if ua.registered.Load() {
			uctx, cancel := context.WithTimeout(ctx, stopWait)
			if uerr := ua.Unregister(uctx, false); uerr != nil {
				err = uerr
			}
			cancel()
		}
		// Wait for requests still waiting for their final response; a
		// transaction that only lingers to absorb retransmissions does not
		// count.
		deadline := time.Now().Add(stopWait)
		for time.Now().Before(deadline) && ctx.Err() == nil {
			n := make(chan int, 1)
			if !ua.post(func() { n <- ua.inflight }) || <-n == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		ua.post(func() {
			ua.reg.stop()
			ua.subsStopped()
			ua.layer.Close()
		})
		close(ua.quit)
		<-ua.loopDone
		ua.tp.Close()
		ua.connected.Store(false)
		ua.registered.Store(false)
		ua.disp.close()
		<-ua.disp.done
	})
	return err
}

// IsConnected reports whether the UA has a connection to the server.
func (ua *UA) IsConnected() bool { return ua.connected.Load() }

// IsRegistered reports whether the UA is registered.
func (ua *UA) IsRegistered() bool { return ua.registered.Load() }

// URI returns the user's address of record.
func (ua *UA) URI() sip.URI { return ua.s.uri.Clone() }

// InstanceID returns the RFC 5626 instance UUID.
func (ua *UA) InstanceID() string { return ua.s.instanceID }

// post runs f on the loop. It reports false when the loop has ended and f
// will not run.
func (ua *UA) post(f func()) bool {
	select {
	case ua.cmds <- f:
		return true
	case <-ua.loopDone:
		return false
	}
}

// do runs f on the loop and waits for it, or for ctx or the UA's end.
func (ua *UA) do(ctx context.Context, f func()) error {
	if !ua.started.Load() {
		return ErrNotStarted
	}
	done := make(chan struct{})
	if !ua.post(func() { f(); close(done) }) {
		return ErrStopped
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-ua.loopDone:
		return ErrStopped
	}
}

func (ua *UA) loop() {
	defer close(ua.loopDone)
	msgs, events := ua.tp.Messages(), ua.tp.Events()
	for {
		select {
		case f := <-ua.cmds:
			f()
		case in := <-msgs:
			ua.receive(in)
		case ev := <-events:
			ua.transportEvent(ev)
		case <-ua.quit:
			// Run what was posted before Stop, then leave.
			for {
				select {
				case f := <-ua.cmds:
					f()
				default:
					return
				}
			}
		}
	}
}

func (ua *UA) transportEvent(ev transport.Event) {
	switch ev.Kind {
	case transport.EventConnecting:
		emit(ua, &ua.handlers.connecting, ConnectingEvent{Socket: ev.Socket, Attempt: ev.Attempt})
	case transport.EventConnected:
		ua.sock = ev.Socket
		ua.connected.Store(true)
		ua.firstOnce.Do(func() { close(ua.firstConnect) })
		emit(ua, &ua.handlers.connected, ConnectedEvent{Socket: ev.Socket})
		ua.reg.connected()
		ua.subsConnected()
	case transport.EventDisconnected:
		if ev.Err != nil {
			err := ev.Err
			ua.lastErr.Store(&err)
		}
		current := ua.sock == ev.Socket
		if current {
			ua.sock = nil
			ua.connected.Store(false)
		}
		// disconnected before unregistered, as JsSIP emits them.
		emit(ua, &ua.handlers.disconnected, DisconnectedEvent{Socket: ev.Socket, Err: ev.Err, Code: ev.Code, Reason: ev.Reason})
		if current {
			ua.reg.disconnected()
		}
	}
}

// receive parses an inbound message and hands it to the transaction
// layer. A request that does not parse is answered (400, 505) when it
// can be; a response that does not parse or lacks what matching needs is
// dropped.
func (ua *UA) receive(in transport.Inbound) {
	src := sockAddr{in.Socket}
	msg, err := sip.Parse(in.Data)
	if err != nil {
		ua.log.Debug("bad message received", "from", src, "err", err)
		if resp := sip.ResponseFor(err); resp != nil {
			ua.sendMessage(resp, src)
		}
		return
	}
	if ua.log.Enabled(context.Background(), slog.LevelDebug) {
		ua.log.Debug("SIP received", "from", src, "message", string(in.Data))
	}
	if resp, ok := msg.(*sip.Response); ok {
		if err := sip.CheckResponse(resp); err != nil {
			ua.log.Debug("response dropped", "from", src, "err", err)
			return
		}
	}
	ua.layer.HandleMessage(msg, src, in.Socket.Reliable())
}

// sendMessage is the transaction layer's Sender: it writes msg on the
// socket named by dest, or on the current socket.
func (ua *UA) sendMessage(msg sip.Message, dest transaction.Addr) error {
	s := ua.sock
	if a, ok := dest.(sockAddr); ok && a.s != nil {
		s = a.s
	}
	if s == nil {
		return transport.ErrNotConnected
	}
	b := msg.Bytes()
	if ua.log.Enabled(context.Background(), slog.LevelDebug) {
		ua.log.Debug("SIP sent", "to", sockAddr{s}, "message", string(b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	return s.Send(ctx, b)
}

// sockAddr names a socket as a transaction address.
type sockAddr struct{ s transport.Socket }

func (a sockAddr) Network() string {
	if a.s == nil {
		return "none"
	}
	return strings.ToLower(a.s.ViaTransport())
}

func (a sockAddr) String() string {
	if a.s == nil {
		return "<no socket>"
	}
	return a.s.URI().String()
}

// endSessions terminates every call, on the loop, as JsSIP's stop() does.
func (ua *UA) endSessions() {
	seen := make(map[*Session]bool)
	for _, s := range ua.sessions {
		if !seen[s] {
			seen[s] = true
			s.terminate(&TerminateOptions{}, nil)
		}
	}
	for _, s := range ua.invites {
		if !seen[s] {
			seen[s] = true
			s.terminate(&TerminateOptions{}, nil)
		}
	}
}
