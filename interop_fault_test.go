package ringo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/server"
)

// The fault tests are not parallel: they count the process's goroutines.

// Reconnection bounds of the fault tests: short, so that several attempts
// happen while the server is away.
const (
	recoveryMin = 100 * time.Millisecond
	recoveryMax = 800 * time.Millisecond
)

func fastRecovery(c *ringo.Config) {
	c.ConnectionRecoveryMin, c.ConnectionRecoveryMax = recoveryMin, recoveryMax
	c.ConnectTimeout = 2 * time.Second
}

// mark returns the number of events so far, for waitAfter.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// waitAfter waits until n events called name happened after mark, and
// returns them; it does not move the cursor.
func (r *recorder) waitAfter(t testing.TB, mark int, name string, n int) []event {
	t.Helper()
	deadline := time.After(waitTime)
	for {
		var got []event
		for _, e := range r.all()[mark:] {
			if e.name == name {
				got = append(got, e)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-r.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%d %q events after #%d within %v, want %d; events: %v", len(got), name, mark, waitTime, n, r.names())
		}
	}
}

// checkGoneAway checks what a UA reports when its server goes away: it is
// disconnected, then unregistered (cause Connection Error), sends fail with
// that cause, and it tries to reconnect at least three times, waiting at
// least the minimum backoff between attempts.
func checkGoneAway(t *testing.T, a *agent, mark int) {
	t.Helper()
	a.rec.waitAfter(t, mark, "disconnected", 1)
	if ev := a.rec.waitAfter(t, mark, "unregistered", 1)[0]; ev.detail != string(ringo.CauseConnectionError) {
		t.Errorf("%s: unregistered with cause %q, want %q", a.name, ev.detail, ringo.CauseConnectionError)
	}
	if evs := a.rec.all()[mark:]; evs[0].name != "disconnected" || evs[1].name != "unregistered" {
		t.Errorf("%s: events %v, want disconnected then unregistered first, as JsSIP emits them", a.name, a.rec.names()[mark:])
	}
	if a.ua.IsConnected() || a.ua.IsRegistered() {
		t.Errorf("%s: server away, yet IsConnected %v, IsRegistered %v", a.name, a.ua.IsConnected(), a.ua.IsRegistered())
	}
	_, err := a.ua.SendMessage(ctxT(t), "sip:someone@ringo.test", "x", nil)
	if !errors.Is(err, ringo.CauseConnectionError) {
		t.Errorf("%s: SendMessage while disconnected: %v, want %v", a.name, err, ringo.CauseConnectionError)
	}
	attempts := a.rec.waitAfter(t, mark, "connecting", 3)
	var gaps []time.Duration
	for i := 1; i < len(attempts); i++ {
		gap := attempts[i].at.Sub(attempts[i-1].at)
		gaps = append(gaps, gap.Round(time.Millisecond))
		if gap < recoveryMin*9/10 {
			t.Errorf("%s: reconnection attempt %d came %v after the previous, below the minimum backoff %v", a.name, i+1, gap, recoveryMin)
		}
	}
	t.Logf("%s: events %v; gaps between reconnection attempts %v", a.name, a.rec.names()[mark:], gaps)
}

// TestFaultKamailioGoesAway: Kamailio stops under Ringo UAs registered
// over WebSocket and TCP: they report disconnected and unregistered, retry
// with backoff, and register again when Kamailio is back on the same ports;
// a UA stopped during the outage stops at once; no goroutine is left after
// Stop.
func TestFaultKamailioGoesAway(t *testing.T) {
	ctx := kamailioCtx(t, 40*time.Second)
	users := map[string]string{"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})
	k.Contacts(ctx, "alice") // the HTTP client's first use, outside the count
	base := goroutines()

	agents := map[string]*agent{}
	for user, network := range map[string]string{"alice": "ws", "bob": "tcp", "carol": "ws"} {
		a := startAgent(t, agentConfig{server: kamailioServer(t, k, network), uri: k.URI(user), password: users[user], mutate: fastRecovery})
		a.rec.wait(t, "registered")
		k.WaitRegistered(ctx, user)
		agents[user] = a
	}
	alice, bob, carol := agents["alice"], agents["bob"], agents["carol"]
	marks := map[*agent]int{alice: alice.rec.mark(), bob: bob.rec.mark(), carol: carol.rec.mark()}

	k.Stop()
	for _, a := range []*agent{alice, bob, carol} {
		checkGoneAway(t, a, marks[a])
	}
	// Stop while reconnecting returns promptly.
	start := time.Now()
	carol.stop(t)
	t.Logf("carol: Stop during the outage took %v", time.Since(start).Round(time.Millisecond))

	k.Start()
	for _, a := range []*agent{alice, bob} {
		a.rec.waitAfter(t, marks[a], "connected", 1)
		a.rec.waitAfter(t, marks[a], "registered", 1)
		if !a.ua.IsRegistered() || !a.ua.IsConnected() {
			t.Errorf("%s: back, yet IsConnected %v, IsRegistered %v", a.name, a.ua.IsConnected(), a.ua.IsRegistered())
		}
	}
	checkContact(t, ctx, k, alice, "alice", "ws")
	checkContact(t, ctx, k, bob, "bob", "tcp")
	// The new registrations carry traffic.
	exchange(t, alice, bob, k.URI("bob"))
	exchange(t, bob, alice, k.URI("alice"))

	alice.stop(t)
	bob.stop(t)
	checkGoroutines(t, base)
}

// TestFaultEmbeddedServerGoesAway: the embedded server closes under UAs
// registered over WebSocket and TCP (it closes WebSockets with 1001): they
// report disconnected and unregistered and retry with backoff; a new server
// on the same ports gets their registrations again and carries their
// MESSAGEs; no goroutine is left after the UAs stop and the server closes.
func TestFaultEmbeddedServerGoesAway(t *testing.T) {
	base := goroutines()
	users := map[string]string{"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"}
	srv := startServerAt(t, server.Config{WS: "127.0.0.1:0", TCP: "127.0.0.1:0", UDP: server.Off, Users: users})
	addrs := srv.Addrs()

	alice := startAgent(t, agentConfig{server: serverString(t, srv, "ws"), uri: "sip:alice@ringo.test", password: users["alice"], mutate: fastRecovery})
	bob := startAgent(t, agentConfig{server: serverString(t, srv, "tcp"), uri: "sip:bob@ringo.test", password: users["bob"], mutate: fastRecovery})
	carol := startAgent(t, agentConfig{server: serverString(t, srv, "ws"), uri: "sip:carol@ringo.test", password: users["carol"], mutate: fastRecovery})
	all := []*agent{alice, bob, carol}
	marks := map[*agent]int{}
	for _, a := range all {
		a.rec.wait(t, "registered")
		marks[a] = a.rec.mark()
	}

	srv.Close()
	for _, a := range all {
		checkGoneAway(t, a, marks[a])
	}
	start := time.Now()
	carol.stop(t)
	t.Logf("carol: Stop during the outage took %v", time.Since(start).Round(time.Millisecond))

	srv2 := startServerAt(t, server.Config{WS: addrs.WS.String(), TCP: addrs.TCP.String(), UDP: server.Off, Users: users})
	for _, a := range []*agent{alice, bob} {
		a.rec.waitAfter(t, marks[a], "registered", 1)
	}
	for user, want := range map[string]string{"alice": "WS", "bob": "TCP", "carol": ""} {
		bs := srv2.Bindings(user)
		if want == "" && len(bs) != 0 || want != "" && (len(bs) != 1 || bs[0].Transport != want) {
			t.Errorf("%s: bindings on the new server %+v, want one over %q", user, bs, want)
		}
	}
	exchange(t, alice, bob, "sip:bob@ringo.test")
	exchange(t, bob, alice, "sip:alice@ringo.test")

	alice.stop(t)
	bob.stop(t)
	srv2.Close()
	checkGoroutines(t, base)
}
