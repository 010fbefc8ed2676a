//go:build !js

package ringo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
)

// TestCallMediaKamailio: the core of a call through Kamailio over
// WebSocket with digest authentication: alice's INVITE is challenged (407)
// and authenticated, bob answers, each hears the other's tone (frequency
// and duration), DTMF by RFC 4733 and by INFO crosses both ways in order
// (the INFOs and the BYE routed by Kamailio's Record-Route), and the hang-up
// from each side ends the call on both and closes the media.
func TestCallMediaKamailio(t *testing.T) {
	t.Parallel()
	users := map[string]string{"alice": "alice-pw", "bob": "bob-pw"}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})
	alice := newPhone(t, k.WSURL(), k.URI("alice"), users["alice"])
	bob := newPhone(t, k.WSURL(), k.URI("bob"), users["bob"])

	t.Run("core", func(t *testing.T) {
		a, b := dial(t, alice, bob, k.URI("bob"), limitedTone(aliceHz))
		b.answer(t, bob.engine, limitedTone(bobHz))
		established(t, a, b)
		checkBothTones(t, a, b)
		checkDTMF(t, a, b)
		hangUp(t, b, a)
		a.log.none(t, a.who)
		b.log.none(t, b.who)
	})
	t.Run("caller hangs up", func(t *testing.T) {
		a, b := dial(t, alice, bob, k.URI("bob"), limitedTone(aliceHz))
		b.answer(t, bob.engine, limitedTone(bobHz))
		established(t, a, b)
		for _, l := range []*leg{a, b} {
			select {
			case <-l.rec.got:
			case <-time.After(waitTime):
				t.Fatalf("%s: no audio within %v", l.who, waitTime)
			}
		}
		hangUp(t, a, b)
	})
	for _, want := range []string{"AUTH ok REGISTER alice", "AUTH ok REGISTER bob", "AUTH ok INVITE alice"} {
		if !strings.Contains(k.Log(), want) {
			t.Errorf("Kamailio's log lacks %q: the digest exchange did not happen", want)
		}
	}
}
