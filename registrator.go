package ringo

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
)

// registrator keeps the UA registered (RFC 3261 §10, RFC 5626): one
// Call-ID for the UA's life with a rising CSeq, refreshes before expiry,
// 423 handled, retries with backoff after a failure, and registration
// again after a reconnection. It lives on the loop.
type registrator struct {
	ua     *UA
	callID string
	cseq   uint32
	// expires is the interval asked for; a 423 raises it.
	expires time.Duration

	// wanted is set while the UA should stay registered.
	wanted     bool
	registered bool
	inFlight   bool
	// waiters get the result of the REGISTER in flight.
	waiters []func(error)

	refresh, retry clock.Timer
	// gen invalidates timer callbacks already posted when a timer is
	// replaced.
	gen     uint64
	retries int

	pubGRUU, tempGRUU string
}

func newRegistrator(ua *UA) *registrator {
	return &registrator{ua: ua, callID: sip.NewCallID(), expires: ua.s.RegisterExpires}
}

// Register registers the UA with the registrar and waits for the result:
// nil once registered, or an *Error. Afterwards the UA keeps the
// registration fresh, retries after failures, and registers again after a
// reconnection, until Unregister or Stop.
func (ua *UA) Register(ctx context.Context) error {
	res := make(chan error, 1)
	err := ua.do(ctx, func() {
		ua.reg.wanted = true
		ua.reg.register(func(err error) { res <- err })
	})
	if err != nil {
		return err
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-ua.loopDone:
		return ErrStopped
	}
}

// Unregister removes the UA's binding from the registrar (or every binding
// of the AoR when all is set: Contact "*") and waits for the result. The UA
// stops refreshing and retrying.
func (ua *UA) Unregister(ctx context.Context, all bool) error {
	res := make(chan error, 1)
	err := ua.do(ctx, func() {
		ua.reg.unregister(all, func(err error) { res <- err })
	})
	if err != nil {
		return err
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-ua.loopDone:
		return ErrStopped
	}
}

// after runs f on the loop after d, unless the registrator's timers are
// reset first.
func (r *registrator) after(d time.Duration, f func()) clock.Timer {
	gen := r.gen
	return r.ua.clk.AfterFunc(d, func() {
		r.ua.post(func() {
			if r.gen == gen {
				f()
			}
		})
	})
}

func (r *registrator) stopTimers() {
	r.gen++
	for _, t := range []clock.Timer{r.refresh, r.retry} {
		if t != nil {
			t.Stop()
		}
	}
	r.refresh, r.retry = nil, nil
}

// contact returns our Contact for REGISTER, without expires.
func (r *registrator) contact() sip.Address {
	c := sip.Address{URI: r.ua.contactURI()}
	c.Params.Set("+sip.ice", "")
	c.Params.Set("reg-id", "1")
	c.Params.Set("+sip.instance", `"<urn:uuid:`+r.ua.s.instanceID+`>"`)
	for _, p := range r.ua.s.RegisterContactParams {
		c.Params.Set(p.Name, p.Value)
	}
	return c
}

func (r *registrator) newRegister(expires time.Duration, wildcard bool) *sip.Request {
	ua := r.ua
	r.cseq++
	req := ua.newRequest("REGISTER", ua.s.registrar.Clone(), r.callID, r.cseq)
	secs := strconv.Itoa(int(expires / time.Second))
	h := req.Header()
	if wildcard {
		h.Add("Contact", "*")
	} else {
		c := r.contact()
		c.Params.Set("expires", secs)
		h.Add("Contact", c.String())
	}
	h.Add("Expires", secs)
	h.Add("Supported", supportedHeader)
	addHeaders(h, ua.s.extra)
	return req
}

// register sends a REGISTER, unless one is in flight; done, if not nil,
// gets its result.
func (r *registrator) register(done func(error)) {
	if done != nil {
		r.waiters = append(r.waiters, done)
	}
	if r.inFlight {
		return
	}
	r.stopTimers()
	r.inFlight = true
	req := r.newRegister(r.expires, false)
	r.ua.send(req, nil, r.result)
}

// result handles the final result of a REGISTER.
func (r *registrator) result(req *sip.Request, resp *sip.Response, err *Error) {
	ua := r.ua
	r.inFlight = false
	if cseq, cerr := req.Header().CSeq(); cerr == nil && cseq.Seq > r.cseq {
		r.cseq = cseq.Seq
	}
	if err == nil {
		r.success(resp)
		return
	}
	if resp != nil && resp.StatusCode == 423 {
		// §10.2.8: retry with at least Min-Expires.
		if min, merr := resp.Header().MinExpires(); merr == nil && time.Duration(min)*time.Second > r.expires {
			r.expires = time.Duration(min) * time.Second
			r.register(nil)
			return
		}
	}
	ua.log.Info("registration failed", "cause", err.Cause, "status", err.StatusCode)
	// Timers are set before events are emitted, so that a handler that
	// sees an event also sees the state that goes with it.
	if r.wanted && ua.s.RegisterRetryMax > 0 && ua.sock != nil {
		r.retries++
		d := backoff(r.retries, ua.s.RegisterRetryMax)
		ua.log.Info("registration retry scheduled", "in", d)
		r.retry = r.after(d, func() { r.register(nil) })
	}
	r.finish(err)
	emit(ua, &ua.handlers.registrationFailed, RegistrationFailedEvent{Err: err})
	if r.registered {
		r.setRegistered(false)
		emit(ua, &ua.handlers.unregistered, UnregisteredEvent{Response: resp, Cause: err.Cause})
	}
}

// backoff returns a random wait in [2 s, 2 s·2^(n-1)], capped at max.
func backoff(n int, max time.Duration) time.Duration {
	const lo = 2 * time.Second
	hi := lo << min(n-1, 20)
	if hi > max || hi <= 0 {
		hi = max
	}
	if hi <= lo {
		return hi
	}
	return lo + rand.N(hi-lo)
}

func (r *registrator) success(resp *sip.Response) {
	ua := r.ua
	granted := r.expires
	contacts, _ := resp.Header().Contact()
	ours := r.findOurs(contacts)
	if ours != nil {
		granted = time.Duration(resp.Header().ContactExpires(ours, uint32(r.expires/time.Second))) * time.Second
		r.pubGRUU = sip.Unquote(ours.Params.Value("pub-gruu"))
		r.tempGRUU = sip.Unquote(ours.Params.Value("temp-gruu"))
	} else if e, err := resp.Header().Expires(); err == nil {
		granted = time.Duration(e) * time.Second
	}
	r.retries = 0
	if granted <= 0 {
		// The registrar dropped the binding at once.
		r.setRegistered(false)
		r.finish(nil)
		return
	}
	// State first, then the waiters and events, so that Register's
	// caller and the handlers see IsRegistered true.
	r.refresh = r.after(refreshDelay(granted), r.refreshDue)
	r.setRegistered(true)
	r.finish(nil)
	emit(ua, &ua.handlers.registered, RegisteredEvent{Response: resp, Expires: int(granted / time.Second)})
}

// findOurs returns our binding among the Contacts of a 200: the one with
// our instance ID, or our Contact URI's user and host.
func (r *registrator) findOurs(contacts []sip.Address) *sip.Address {
	mine := r.ua.contactURI()
	for i := range contacts {
		c := &contacts[i]
		if c.InstanceID() == "<urn:uuid:"+r.ua.s.instanceID+">" {
			return c
		}
	}
	for i := range contacts {
		c := &contacts[i]
		if c.URI.User == mine.User && c.URI.Host == mine.Host {
			return c
		}
	}
	return nil
}

// refreshDelay picks when to refresh a registration granted for d: at a
// random point between half the interval and 32 s before expiry; for
// intervals of 64 s or less, 5 s before expiry.
func refreshDelay(d time.Duration) time.Duration {
	if d <= 64*time.Second {
		return max(d-5*time.Second, d/2)
	}
	lo, hi := d/2, d-32*time.Second
	return lo + rand.N(hi-lo+1)
}

func (r *registrator) refreshDue() {
	ua := r.ua
	if f := get(ua, &ua.handlers.registrationExpiring); f != nil {
		emit(ua, &ua.handlers.registrationExpiring, RegistrationExpiringEvent{})
		return
	}
	r.register(nil)
}

func (r *registrator) finish(err error) {
	for _, w := range r.waiters {
		w(err)
	}
	r.waiters = nil
}

func (r *registrator) setRegistered(v bool) {
	r.registered = v
	r.ua.registered.Store(v)
}

// unregister sends a REGISTER with expires 0 for our binding, or with
// Contact "*" for all.
func (r *registrator) unregister(all bool, done func(error)) {
	ua := r.ua
	r.wanted = false
	r.stopTimers()
	if ua.sock == nil {
		done(&Error{Cause: CauseConnectionError, Err: errors.New("not connected")})
		return
	}
	req := r.newRegister(0, all)
	ua.send(req, nil, func(req *sip.Request, resp *sip.Response, err *Error) {
		if cseq, cerr := req.Header().CSeq(); cerr == nil && cseq.Seq > r.cseq {
			r.cseq = cseq.Seq
		}
		if err != nil {
			done(err)
			return
		}
		wasRegistered := r.registered
		r.setRegistered(false)
		if wasRegistered {
			emit(ua, &ua.handlers.unregistered, UnregisteredEvent{Response: resp})
		}
		done(nil)
	})
}

// connected registers after a (re)connection when registration is wanted.
func (r *registrator) connected() {
	if r.wanted {
		r.retries = 0
		r.register(nil)
	}
}

// disconnected ends the registration: without a connection the binding
// is useless, and a new flow will register again.
func (r *registrator) disconnected() {
	ua := r.ua
	r.stopTimers()
	if r.registered {
		r.setRegistered(false)
		emit(ua, &ua.handlers.unregistered, UnregisteredEvent{Cause: CauseConnectionError})
	}
}

// stop ends timers at UA stop.
func (r *registrator) stop() {
	r.wanted = false
	r.stopTimers()
	r.finish(ErrStopped)
}

// isGRUU reports whether u is one of our GRUUs.
func (r *registrator) isGRUU(u sip.URI) bool {
	for _, g := range []string{r.pubGRUU, r.tempGRUU} {
		if g == "" {
			continue
		}
		if gu, err := sip.ParseURI(g); err == nil && gu.User == u.User && gu.Host == u.Host {
			return true
		}
	}
	return false
}
