package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// stopTimeout bounds the unregistration and shutdown after a command is
// done or interrupted.
const stopTimeout = 5 * time.Second

// stopGrace is how long a stopping UA waits for its transactions to end,
// once it is unregistered.
const stopGrace = 200 * time.Millisecond

// uaSession is a user agent run by a command, with its events reported.
type uaSession struct {
	ua  *ringo.UA
	rep *reporter
	aor string
	// names maps each socket to the --server string that made it.
	names map[transport.Socket]string
	// reject, when not zero, is the status incoming MESSAGEs get.
	reject int
	// registered is set once Register succeeded, until unregister. The
	// command tracks it itself: UA.IsRegistered turns true only after
	// Register has returned.
	registered bool
}

// sessionOptions are what differs between the commands that run a UA.
type sessionOptions struct {
	// retry keeps registering after a failure (the agent); one-shot
	// commands report the failure and end.
	retry bool
	// reject answers incoming MESSAGEs with this status instead of 200.
	reject int
}

// newSession builds the UA the shared flags describe and hooks its events
// to rep. A bad flag value is a usage error: it returns ok == false and
// the exit status.
func newSession(e *env, cmd *command, f *uaFlags, rep *reporter, opts sessionOptions) (s *uaSession, status int, ok bool) {
	log := newLogger(e.stderr, f.verbose)
	s = &uaSession{rep: rep, names: make(map[transport.Socket]string), reject: opts.reject}
	var sockets []transport.WeightedSocket
	for i, server := range f.servers {
		sock, err := transport.NewSocket(server, log)
		if err != nil {
			return nil, usageError(e, cmd, "--server %s: %v", server, err), false
		}
		s.names[sock] = server
		// The first server given has the highest weight.
		sockets = append(sockets, transport.WeightedSocket{Socket: sock, Weight: len(f.servers) - i})
	}
	retryMax := time.Duration(-1)
	if opts.retry {
		retryMax = 0
	}
	ua, err := ringo.NewUA(ringo.Config{
		Sockets:           sockets,
		URI:               f.uri,
		AuthorizationUser: f.user,
		Password:          f.password,
		DisplayName:       f.displayName,
		ManualRegister:    true,
		RegisterExpires:   time.Duration(f.expires),
		RegisterRetryMax:  retryMax,
		Logger:            log,
	})
	if err != nil {
		var ce *ringo.ConfigError
		if errors.As(err, &ce) {
			return nil, usageError(e, cmd, "%s", flagError(ce)), false
		}
		return nil, usageError(e, cmd, "%v", err), false
	}
	s.ua = ua
	aor := ua.URI()
	s.aor = aor.String()
	s.hook()
	return s, exitOK, true
}

// flagError names the flag behind a bad Config field.
func flagError(ce *ringo.ConfigError) string {
	flag := map[string]string{
		"URI":             "--uri",
		"RegisterExpires": "--expires",
		"Sockets":         "--server",
	}[ce.Field]
	if flag == "" {
		return ce.Error()
	}
	return fmt.Sprintf("%s: %v", flag, ce.Err)
}

// server names a socket as the user gave it.
func (s *uaSession) server(sock transport.Socket) string {
	if name, ok := s.names[sock]; ok {
		return name
	}
	if sock == nil {
		return ""
	}
	u := sock.URI()
	return u.String()
}

// hook reports every UA event.
func (s *uaSession) hook() {
	ua, rep := s.ua, s.rep
	ua.OnConnecting(func(ev ringo.ConnectingEvent) {
		server := s.server(ev.Socket)
		rep.event(fmt.Sprintf("connecting to %s (attempt %d)", server, ev.Attempt),
			"connecting", "server", server, "attempt", ev.Attempt)
	})
	ua.OnConnected(func(ev ringo.ConnectedEvent) {
		server := s.server(ev.Socket)
		rep.event("connected to "+server, "connected", "server", server)
	})
	ua.OnDisconnected(func(ev ringo.DisconnectedEvent) {
		server := s.server(ev.Socket)
		human := "disconnected from " + server
		var errText string
		if ev.Err != nil {
			errText = ev.Err.Error()
			human += ": " + errText
		}
		rep.event(human, "disconnected", "server", server, "error", opt(errText),
			"code", opt(ev.Code), "reason", opt(ev.Reason))
	})
	ua.OnRegistered(func(ev ringo.RegisteredEvent) {
		rep.event(fmt.Sprintf("registered %s for %d s", s.aor, ev.Expires),
			"registered", "aor", s.aor, "expires", ev.Expires)
	})
	ua.OnUnregistered(func(ev ringo.UnregisteredEvent) {
		human := "unregistered " + s.aor
		if ev.Cause != "" {
			human += " (" + string(ev.Cause) + ")"
		}
		rep.event(human, "unregistered", "aor", s.aor, "cause", opt(string(ev.Cause)))
	})
	ua.OnRegistrationFailed(func(ev ringo.RegistrationFailedEvent) {
		human := "registration of " + s.aor + " failed: " + string(ev.Err.Cause)
		if ev.Err.StatusCode != 0 {
			human += fmt.Sprintf(" (%d %s)", ev.Err.StatusCode, ev.Err.Reason)
		}
		rep.event(human, "registration_failed", "aor", s.aor, "cause", string(ev.Err.Cause),
			"status", opt(ev.Err.StatusCode), "reason", opt(ev.Err.Reason))
	})
	ua.OnNewMessage(func(r *ringo.IncomingRequest) {
		from := r.From()
		to, _ := r.Request.Header().To()
		body := string(r.Body())
		ct := r.ContentType()
		rep.event(fmt.Sprintf("message from %s (%s): %s", from.URI.String(), ct, body),
			"message", "from", from.URI.String(), "display_name", opt(from.DisplayName),
			"to", to.URI.String(), "content_type", ct, "body", body)
		if s.reject != 0 {
			if err := r.Reject(s.reject, ""); err != nil {
				rep.errorf("rejecting the message: %v", err)
			}
		}
	})
	ua.OnNewOptions(func(r *ringo.IncomingRequest) {
		from := r.From()
		rep.event("OPTIONS from "+from.URI.String()+" answered", "options", "from", from.URI.String())
	})
}

// start connects the UA within ctx. On failure it reports why.
func (s *uaSession) start(ctx context.Context) bool {
	if err := s.ua.Start(ctx); err != nil {
		s.rep.errorf("cannot connect: %v", err)
		return false
	}
	return true
}

// register registers the UA within ctx. A failure is reported by the
// registration_failed event and on standard error.
func (s *uaSession) register(ctx context.Context) bool {
	s.rep.progress("registering %s", s.aor)
	err := s.ua.Register(ctx)
	if err == nil {
		s.registered = true
		return true
	}
	s.rep.errorf("registration failed: %v", err)
	return false
}

// unregister removes the registration, within stopTimeout even when ctx
// has ended (an interrupted command still unregisters).
func (s *uaSession) unregister(ctx context.Context) bool {
	if !s.registered {
		return true
	}
	s.registered = false
	s.rep.progress("unregistering %s", s.aor)
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
	defer cancel()
	if err := s.ua.Unregister(uctx, false); err != nil {
		s.rep.errorf("unregistration failed: %v", err)
		return false
	}
	return true
}

// stop unregisters the UA if it still is, stops it and waits until its
// last event has been reported.
//
// Stop waits for open transactions, but counts among them those that
// already have their final response and only linger to absorb
// retransmissions (Timer K, J on UDP), so it would always wait its whole
// 2 s on UDP. A command stops when all its requests are answered, so it
// gives Stop only stopGrace.
func (s *uaSession) stop(ctx context.Context) {
	s.unregister(ctx)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
	defer cancel()
	if err := s.ua.Stop(sctx); err != nil {
		s.rep.errorf("stopping: %v", err)
	}
}

// reportResult reports the result of an outgoing request and whether it
// succeeded: a "response" event for any final response, and a
// "request_failed" event when there was none (timeout, transport error).
func (s *uaSession) reportResult(method, target string, resp *sip.Response, err error) bool {
	rep := s.rep
	if resp != nil {
		kv := []any{"method", method, "target", target, "status", resp.StatusCode, "reason", resp.Reason}
		human := fmt.Sprintf("%s %s: %d %s", method, target, resp.StatusCode, resp.Reason)
		if method == "OPTIONS" && resp.StatusCode < 300 {
			h := resp.Header()
			allow, _ := h.Allow()
			supported, _ := h.Supported()
			accept := h.Values("Accept")
			kv = append(kv, "allow", nonNil(allow), "supported", nonNil(supported), "accept", opt(strings.Join(accept, ", ")))
			human += fmt.Sprintf("\n  Allow: %s\n  Supported: %s", strings.Join(allow, ", "), strings.Join(supported, ", "))
			if len(accept) > 0 {
				human += "\n  Accept: " + strings.Join(accept, ", ")
			}
		}
		if err != nil {
			var re *ringo.Error
			if errors.As(err, &re) {
				kv = append(kv, "cause", string(re.Cause))
				if !strings.EqualFold(string(re.Cause), resp.Reason) {
					human += " (" + string(re.Cause) + ")"
				}
			}
		}
		rep.event(human, "response", kv...)
		if err != nil || resp.StatusCode >= 300 {
			rep.errorf("%s failed: %d %s", method, resp.StatusCode, resp.Reason)
			return false
		}
		return true
	}
	if err == nil {
		err = errors.New("no response")
	}
	cause := ""
	var re *ringo.Error
	if errors.As(err, &re) {
		cause = string(re.Cause)
	}
	rep.event(fmt.Sprintf("%s %s failed: %v", method, target, err),
		"request_failed", "method", method, "target", target, "cause", opt(cause), "error", err.Error())
	rep.errorf("%s failed: %v", method, err)
	return false
}

// nonNil turns a nil slice into an empty one, so that JSON shows [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// withTimeout returns ctx bounded by d, or ctx itself when d is zero.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
