package main

import (
	"context"

	"github.com/ringo-sip/ringo/sip"
)

// sendOne runs a one-shot request within --timeout: it starts the UA,
// registers first when register is set, sends with send, reports the
// result and stops the UA (unregistering it). It returns the exit status:
// 0 only for a 2xx.
func sendOne(e *env, s *uaSession, f *uaFlags, register bool, method, target string, send func(context.Context) (*sip.Response, error)) int {
	ctx, cancel := withTimeout(e.ctx, f.timeout)
	defer cancel()
	if !s.start(ctx) {
		return exitFailure
	}
	defer s.stop(ctx)
	if register && !s.register(ctx) {
		return exitFailure
	}
	s.rep.progress("sending %s to %s", method, target)
	resp, err := send(ctx)
	ok := s.reportResult(method, target, resp, err)
	if register && !s.unregister(ctx) {
		ok = false
	}
	if !ok {
		return exitFailure
	}
	return exitOK
}
