package ringo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

// callTrio starts the embedded server and three registered UAs on it:
// alice, bob and carol.
func callTrio(t *testing.T) (alice, bob, carol *UA) {
	uas := callUsers(t, "alice", "bob", "carol")
	return uas[0], uas[1], uas[2]
}

// referLog records the NOTIFYs a referrer gets.
func (l *callLog) referHandlers() ReferHandlers {
	add := func(kind string) func(ReferNotifyEvent) {
		return func(e ReferNotifyEvent) { l.ch <- fmt.Sprintf("%s %d", kind, e.StatusCode) }
	}
	return ReferHandlers{Trying: add("trying"), Progress: add("progress"), Accepted: add("accepted"), Failed: add("failed")}
}

func answer(t *testing.T) func(*Session) {
	return func(s *Session) {
		if err := s.Answer(context.Background(), nil); err != nil {
			t.Errorf("answer: %v", err)
		}
	}
}

// establish has caller call callee's user and waits until both sides are
// confirmed.
func establish(t *testing.T, caller *UA, target string, cLog *callLog, incoming chan *Session, calleeLog *callLog) (out, in *Session) {
	t.Helper()
	out, err := caller.Call(context.Background(), target, &CallOptions{Handlers: cLog.handlers()})
	if err != nil {
		t.Fatal(err)
	}
	cLog.expect(t, "progress remote 180", "accepted remote", "confirmed local")
	calleeLog.expect(t, "progress local 180", "accepted local", "confirmed remote")
	return out, <-incoming
}

// acceptRefers makes s accept each REFER, placing the new call with the
// handlers of newLog; the new calls arrive on the channel.
func acceptRefers(t *testing.T, s *Session, log, newLog *callLog) (chan *Session, chan *ReferRequest) {
	calls := make(chan *Session, 2)
	refers := make(chan *ReferRequest, 2)
	h := log.handlers()
	h.NewRefer = func(r *ReferRequest) {
		refers <- r
		go func() {
			n, err := r.Accept(context.Background(), &CallOptions{Handlers: newLog.handlers()})
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			calls <- n
		}()
	}
	s.SetHandlers(h)
	return calls, refers
}

func waitDone(t *testing.T, s *Session) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("call not ended, state %v", s.State())
	}
}

// TestReferBlind: bob transfers alice to carol; alice calls carol, bob
// hears of it by NOTIFY and hangs up.
func TestReferBlind(t *testing.T) {
	alice, bob, carol := callTrio(t)
	aLog, bLog, cLog, a2Log, rLog := newCallLog(), newCallLog(), newCallLog(), newCallLog(), newCallLog()
	bIn := answerWith(t, bob, bLog, answer(t))
	cIn := answerWith(t, carol, cLog, answer(t))
	a, b := establish(t, alice, "bob", aLog, bIn, bLog)
	calls, refers := acceptRefers(t, a, aLog, a2Log)

	if err := b.Refer(context.Background(), "carol", &ReferOptions{Handlers: rLog.referHandlers()}); err != nil {
		t.Fatalf("refer: %v", err)
	}
	r := <-refers
	if r.ReferTo.URI.User != "carol" {
		t.Errorf("Refer-To %v", r.ReferTo)
	}
	if rb := r.Request.Header().Get("Referred-By"); !strings.Contains(rb, "bob@") {
		t.Errorf("Referred-By %q", rb)
	}
	a2Log.expect(t, "progress remote 180", "accepted remote", "confirmed local")
	cLog.expect(t, "progress local 180", "accepted local", "confirmed remote")
	rLog.expect(t, "trying 100", "accepted 200")
	a2 := <-calls
	c := <-cIn
	if c.Remote().URI.User != "alice" || !a2.IsEstablished() {
		t.Fatalf("carol's caller %v, alice's new call %v", c.Remote(), a2.State())
	}

	if err := b.Terminate(nil); err != nil {
		t.Fatal(err)
	}
	bLog.expect(t, "ended local Terminated")
	aLog.expect(t, "ended remote Terminated")
	if !a2.IsEstablished() {
		t.Fatal("the transferred call ended with the original")
	}
	a2.Terminate(nil)
	a2Log.expect(t, "ended local Terminated")
	cLog.expect(t, "ended remote Terminated")
}

// TestReferFailed: carol is busy; bob learns it as a failed transfer and
// keeps his call with alice. A REFER without a NewRefer handler gets 603.
func TestReferFailed(t *testing.T) {
	alice, bob, carol := callTrio(t)
	aLog, bLog, cLog, a2Log, rLog := newCallLog(), newCallLog(), newCallLog(), newCallLog(), newCallLog()
	bIn := answerWith(t, bob, bLog, answer(t))
	answerWith(t, carol, cLog, func(s *Session) { s.Terminate(&TerminateOptions{StatusCode: 486}) })
	a, b := establish(t, alice, "bob", aLog, bIn, bLog)

	// No handler yet: refused.
	err := b.Refer(context.Background(), "carol", nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 603 {
		t.Fatalf("REFER without a handler: %v, want 603", err)
	}

	acceptRefers(t, a, aLog, a2Log)
	if err := b.Refer(context.Background(), "sip:carol@ringo.test", &ReferOptions{Handlers: rLog.referHandlers()}); err != nil {
		t.Fatalf("refer: %v", err)
	}
	a2Log.expect(t, "progress remote 180", "failed remote Busy")
	rLog.expect(t, "trying 100", "failed 486")
	if !a.IsEstablished() || !b.IsEstablished() {
		t.Fatalf("the original call: %v / %v", a.State(), b.State())
	}
	b.Terminate(nil)
	bLog.expect(t, "ended local Terminated")
	aLog.expect(t, "ended remote Terminated")
}

// TestReferAttended: bob talks to alice and to carol, then transfers alice
// to carol with Replaces; carol's new call from alice replaces her call
// with bob, which ends when the new call is confirmed.
func TestReferAttended(t *testing.T) {
	alice, bob, carol := callTrio(t)
	aLog, bLog, b2Log, cLog, a2Log, rLog := newCallLog(), newCallLog(), newCallLog(), newCallLog(), newCallLog(), newCallLog()
	bIn := answerWith(t, bob, bLog, answer(t))
	cIn := make(chan *Session, 2)
	replaced := make(chan *Session, 2)
	carol.OnNewSession(func(e NewSessionEvent) {
		if e.Originator != Remote {
			return
		}
		e.Session.SetHandlers(cLog.handlers())
		cIn <- e.Session
		replaced <- e.Replaces
		go answer(t)(e.Session)
	})
	a, b := establish(t, alice, "bob", aLog, bIn, bLog)
	b2, c := establish(t, bob, "carol", b2Log, cIn, cLog)
	if <-replaced != nil {
		t.Fatal("a plain call reports Replaces")
	}
	calls, refers := acceptRefers(t, a, aLog, a2Log)

	if err := b.Refer(context.Background(), b2.Remote().URI.String(), &ReferOptions{Replaces: b2, Handlers: rLog.referHandlers()}); err != nil {
		t.Fatalf("refer: %v", err)
	}
	r := <-refers
	raw := r.Request.Header().Get("Refer-To")
	if !strings.Contains(raw, "?Replaces="+b2.dlg.ID.CallID) || !strings.Contains(raw, "%3Bto-tag%3D"+b2.dlg.ID.RemoteTag+"%3Bfrom-tag%3D"+b2.dlg.ID.LocalTag) {
		t.Errorf("Refer-To %q", raw)
	}
	a2Log.expect(t, "progress remote 180", "accepted remote", "confirmed local")
	c2 := <-cIn
	if got := <-replaced; got != c {
		t.Fatalf("carol's new call replaces %p, want her call with bob %p", got, c)
	}
	if rep := c2.invite.Header().Get("Replaces"); !strings.HasPrefix(rep, b2.dlg.ID.CallID+";") {
		t.Errorf("INVITE Replaces %q", rep)
	}
	// Carol's log: the new call's events, and the old call's end by BYE.
	want := map[string]bool{"progress local 180": true, "accepted local": true, "confirmed remote": true, "ended local Terminated": true}
	for range want {
		select {
		case ev := <-cLog.ch:
			if !want[ev] {
				t.Fatalf("carol: event %q", ev)
			}
			delete(want, ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("carol: missing %v", want)
		}
	}
	b2Log.expect(t, "ended remote Terminated")
	waitDone(t, c)
	rLog.expect(t, "trying 100", "accepted 200")
	a2 := <-calls
	if !a2.IsEstablished() || !c2.IsEstablished() {
		t.Fatalf("the new call: %v / %v", a2.State(), c2.State())
	}

	b.Terminate(nil)
	bLog.expect(t, "ended local Terminated")
	aLog.expect(t, "ended remote Terminated")
	a2.Terminate(nil)
	a2Log.expect(t, "ended local Terminated")
	waitDone(t, c2)
}

// TestReferReplacesUnknown: an INVITE replacing a dialog that does not
// exist is refused with 481.
func TestReferReplacesUnknown(t *testing.T) {
	alice, bob, _ := callTrio(t)
	bLog := newCallLog()
	answerWith(t, bob, bLog, answer(t))
	failed := make(chan EndEvent, 1)
	s, err := alice.Call(context.Background(), "bob", &CallOptions{
		Handlers:     SessionHandlers{Failed: func(e EndEvent) { failed <- e }},
		ExtraHeaders: []string{"Replaces: nosuchcall@x;to-tag=a;from-tag=b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	e := <-failed
	if resp, ok := e.Message.(*sip.Response); !ok || resp.StatusCode != 481 {
		t.Fatalf("failed by %v, want a 481", e.Message)
	}
	select {
	case ev := <-bLog.ch:
		t.Fatalf("bob was offered the call: %q", ev)
	default:
	}
}

func TestReferReplacesEscape(t *testing.T) {
	v := sip.Replaces{CallID: "12345@192.168.118.3", ToTag: "12345", FromTag: "5FFE-3994"}.String()
	got := escapeHeaderValue(v)
	if want := "12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994"; got != want {
		t.Fatalf("escaped %q, want %q (RFC 3891 §7)", got, want)
	}
	if back := unescapeHeaderValue(got); back != v {
		t.Fatalf("unescaped %q", back)
	}
	code, reason, ok := parseSipfrag([]byte("SIP/2.0 486 Busy Here\r\n"))
	if !ok || code != 486 || reason != "Busy Here" {
		t.Fatalf("sipfrag %d %q %v", code, reason, ok)
	}
}
