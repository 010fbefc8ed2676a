package ringo

import (
	"sync"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// Originator says which side a message or event came from.
type Originator string

// Originators, as JsSIP's.
const (
	Local  Originator = "local"
	Remote Originator = "remote"
	System Originator = "system"
)

// ConnectingEvent: a socket is being dialled.
type ConnectingEvent struct {
	Socket  transport.Socket
	Attempt int
}

// ConnectedEvent: the UA is connected through Socket.
type ConnectedEvent struct {
	Socket transport.Socket
}

// DisconnectedEvent: a connection attempt failed or the connection ended.
// Err is nil when Stop ended it; Code and Reason are the WebSocket close
// code and reason, if the server gave them.
type DisconnectedEvent struct {
	Socket transport.Socket
	Err    error
	Code   int
	Reason string
}

// RegisteredEvent: a REGISTER succeeded; Response is its 200.
type RegisteredEvent struct {
	Response *sip.Response
	// Expires is the registration interval the registrar granted.
	Expires int
}

// UnregisteredEvent: the UA is no longer registered: it unregistered
// (Response is the 200), or the connection went away (Cause is
// CauseConnectionError).
type UnregisteredEvent struct {
	Response *sip.Response
	Cause    Cause
}

// RegistrationFailedEvent: a REGISTER failed. Err is an *Error with the
// cause and, if there was one, the failure response.
type RegistrationFailedEvent struct {
	Err *Error
}

// RegistrationExpiringEvent: the registration is about to expire. When a
// handler is set for it, the UA does not refresh by itself: the handler
// calls Register (JsSIP's "registrationExpiring").
type RegistrationExpiringEvent struct{}

// handlers holds the application's event handlers.
type handlers struct {
	mu                   sync.Mutex
	connecting           func(ConnectingEvent)
	connected            func(ConnectedEvent)
	disconnected         func(DisconnectedEvent)
	registered           func(RegisteredEvent)
	unregistered         func(UnregisteredEvent)
	registrationFailed   func(RegistrationFailedEvent)
	registrationExpiring func(RegistrationExpiringEvent)
	newMessage           func(*IncomingRequest)
	newOptions           func(*IncomingRequest)
	newSubscribe         func(*IncomingSubscribe)
	sipEvent             func(*SIPEvent)
	newSession           func(NewSessionEvent)
}

// set stores a handler under the lock.
func set[T any](ua *UA, dst *T, f T) {
	ua.handlers.mu.Lock()
	*dst = f
	ua.handlers.mu.Unlock()
}

// get reads a handler under the lock.
func get[T any](ua *UA, src *T) T {
	ua.handlers.mu.Lock()
	defer ua.handlers.mu.Unlock()
	return *src
}

// OnConnecting sets the handler for connection attempts.
func (ua *UA) OnConnecting(f func(ConnectingEvent)) { set(ua, &ua.handlers.connecting, f) }

// OnConnected sets the handler for a connection established.
func (ua *UA) OnConnected(f func(ConnectedEvent)) { set(ua, &ua.handlers.connected, f) }

// OnDisconnected sets the handler for a failed attempt or a lost
// connection.
func (ua *UA) OnDisconnected(f func(DisconnectedEvent)) { set(ua, &ua.handlers.disconnected, f) }

// OnRegistered sets the handler for a successful registration.
func (ua *UA) OnRegistered(f func(RegisteredEvent)) { set(ua, &ua.handlers.registered, f) }

// OnUnregistered sets the handler for the end of a registration.
func (ua *UA) OnUnregistered(f func(UnregisteredEvent)) { set(ua, &ua.handlers.unregistered, f) }

// OnRegistrationFailed sets the handler for a failed registration.
func (ua *UA) OnRegistrationFailed(f func(RegistrationFailedEvent)) {
	set(ua, &ua.handlers.registrationFailed, f)
}

// OnRegistrationExpiring sets the handler called shortly before the
// registration expires. While it is set, the UA does not refresh the
// registration itself: the handler must call Register.
func (ua *UA) OnRegistrationExpiring(f func(RegistrationExpiringEvent)) {
	set(ua, &ua.handlers.registrationExpiring, f)
}

// OnNewMessage sets the handler for incoming MESSAGE requests. The handler
// may Accept or Reject the request; if it does neither before it returns,
// the UA answers 200. Without a handler every MESSAGE gets 200.
func (ua *UA) OnNewMessage(f func(*IncomingRequest)) { set(ua, &ua.handlers.newMessage, f) }

// OnNewOptions sets the handler for incoming OPTIONS requests. Unanswered
// OPTIONS get 200 with Allow, Accept and Supported.
func (ua *UA) OnNewOptions(f func(*IncomingRequest)) { set(ua, &ua.handlers.newOptions, f) }

// dispatcher runs application handlers in order on its own goroutine, so
// that the loop never waits for the application. Its queue is unbounded.
type dispatcher struct {
	mu     sync.Mutex
	queue  []func()
	wake   chan struct{}
	closed bool
	done   chan struct{}
}

func newDispatcher() *dispatcher {
	d := &dispatcher{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go d.run()
	return d
}

// post queues f. After close, f is dropped.
func (d *dispatcher) post(f func()) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, f)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// close runs what is queued, then stops the goroutine.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run() {
	defer close(d.done)
	for {
		<-d.wake
		for {
			d.mu.Lock()
			if len(d.queue) == 0 {
				closed := d.closed
				d.mu.Unlock()
				if closed {
					return
				}
				break
			}
			f := d.queue[0]
			d.queue[0] = nil
			d.queue = d.queue[1:]
			d.mu.Unlock()
			f()
		}
	}
}

// emit queues a call of the handler read now from src, with ev, if a
// handler is set.
func emit[T any](ua *UA, src *func(T), ev T) {
	ua.handlers.mu.Lock()
	f := *src
	ua.handlers.mu.Unlock()
	if f != nil {
		ua.disp.post(func() { f(ev) })
	}
}
