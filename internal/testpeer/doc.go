// Package testpeer starts the real SIP peers that Ringo's integration tests
// talk to: Kamailio (Debian's kamailio, kamailio-websocket-modules and
// kamailio-tls-modules packages) with a kamailio.cfg of the project's own,
// JsSIP in Node.js (the scripts in the repository's interop directory), and
// sipp (Debian's sip-tester).
//
// It is for tests only: every constructor takes a testing.TB, registers its
// clean-up with t.Cleanup, fails the test with an install hint when a tool is
// missing (it never skips), and logs the peer's output when the test failed.
//
//	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{
//		Users: map[string]string{"alice": "secret-a"},
//	})
//	ctx := t.Context()
//	alice := testpeer.StartJsSIP(t, ctx, testpeer.JsSIPOptions{
//		WSURL: k.WSURL(), URI: k.URI("alice"), Password: "secret-a",
//	}) // returns once registered
//	carol := testpeer.StartSIPpReceiver(t, k, "carol") // UDP, no auth
//	k.WaitRegistered(ctx, "carol")
//	alice.Send(map[string]any{"cmd": "message", "target": k.URI("carol"), "body": "hi"})
//	alice.Expect(ctx, "message_sent")
//	carol.Check(ctx) // sipp exited 0; carol.Messages() has what it got
//
// Peers listen on 127.0.0.1 only, on ports picked at random, so tests in
// different packages may run their own peers at the same time.
//
// The package uses net directly (free ports, readiness probes, JSON-RPC) and
// imports nothing from Ringo, so any package's tests, internal or external,
// may import it without a cycle.
package testpeer
