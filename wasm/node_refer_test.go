//go:build !js

package wasm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
)

// referPeer runs testdata/node-refer.js: wasm UAs in one Node.js process,
// registered on srv, each with its policy (see the script). uas maps a
// name to its "ua" command.
func referPeer(t *testing.T, ctx context.Context, srvURL string, uas ...map[string]any) *testpeer.NodeProcess {
	t.Helper()
	p := runPeer(t, ctx, peerScript(t, "node-refer.js"), map[string]string{"RINGO_WS_URL": srvURL})
	p.Expect(ctx, "ready")
	for _, ua := range uas {
		ua["cmd"] = "ua"
		p.Send(ua)
	}
	for range uas {
		p.Expect(ctx, "registered")
	}
	return p
}

// next returns the next event of the call (or transfer) whose event name
// is key ("s:<id>" or "r:<rid>").
func next(t *testing.T, ctx context.Context, p *testpeer.NodeProcess, key string) map[string]any {
	t.Helper()
	ev, err := p.WaitFor(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// expectEvents takes the next events of key and checks their names, in
// order; a name "a|b" accepts two events a and b in either order (events
// that two goroutines of the call emit, such as "accepted" and the remote
// answer's "sdp"). It returns the events by name.
func expectEvents(t *testing.T, ctx context.Context, p *testpeer.NodeProcess, key string, names ...string) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	label := func(ev map[string]any) string {
		n := ev["name"].(string)
		if n == "sdp" {
			n += ":" + ev["originator"].(string) + ":" + ev["type"].(string)
		}
		return n
	}
	for _, want := range names {
		alts := strings.Split(want, "|")
		var seen []string
		for range alts {
			ev := next(t, ctx, p, key)
			l := label(ev)
			seen = append(seen, l)
			got[l] = ev
		}
		for _, a := range alts {
			found := false
			for _, s := range seen {
				found = found || s == a
			}
			if !found {
				t.Fatalf("%s: got %v, want %s", key, seen, want)
			}
		}
	}
	return got
}

func nativeAnswerer(t *testing.T, calls chan<- ringo.NewSessionEvent, port string) func(*ringo.UA) {
	return func(ua *ringo.UA) {
		ua.OnNewSession(func(ev ringo.NewSessionEvent) {
			if ev.Originator != ringo.Remote {
				return
			}
			calls <- ev
			go func() {
				if err := ev.Session.Answer(context.Background(), &ringo.AnswerOptions{Media: &media.StaticSession{Answer: testSDP(port)}}); err != nil {
					t.Error(err)
				}
			}()
		})
	}
}

func recv[T any](t *testing.T, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		var zero T
		t.Fatal("timed out waiting on the native side")
		return zero
	}
}

// An outgoing call's newRTCSession carries the INVITE as far as it is
// known (Call-ID, From tag, To, extra headers); then connecting, sdp (the
// listener edits it), sending (the whole INVITE; the listener sets a
// header), and the native callee gets exactly that INVITE. newMessage of
// an outgoing MESSAGE carries its request, completed by the response.
func TestNodeOutgoingRequestEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	calls := make(chan ringo.NewSessionEvent, 1)
	msgs := make(chan *sip.Request, 1)
	nativeUA(t, srv, "bob", "", func(ua *ringo.UA) {
		nativeAnswerer(t, calls, "5000")(ua)
		ua.OnNewMessage(func(r *ringo.IncomingRequest) { msgs <- r.Request })
	})
	p := referPeer(t, ctx, wsURL(srv), map[string]any{"ua": "alice", "user": "alice", "display_name": "Alice",
		"sdp_edit": "a=x-ringo:edited", "sending_header": "yes"})

	p.Send(map[string]any{"cmd": "call", "ua": "alice", "id": "c1", "target": "bob", "sdp": testSDP("4000"), "extra_headers": []string{"X-Test: one"}})
	ses := p.Expect(ctx, "session")
	r := ses["request"].(map[string]any)
	if ses["originator"] != "local" || ses["same_request"] != true || r["method"] != "INVITE" || r["ruri"] != "sip:bob@ringo.test" ||
		r["to"] != "sip:bob@ringo.test" || r["from"] != "sip:alice@ringo.test" || r["cseq"] != 1.0 || r["x_test"] != "one" ||
		r["call_id"] == "" || r["from_tag"] == "" || r["body"] != "" || r["via"] != false {
		t.Errorf("newRTCSession request: %v", ses)
	}
	if ses["session_id"] != r["call_id"].(string)+r["from_tag"].(string) {
		t.Errorf("session.id %v, want Call-ID + From tag", ses["session_id"])
	}
	evs := expectEvents(t, ctx, p, "s:c1", "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	c := evs["connecting"]["request"].(map[string]any)
	if c["call_id"] != r["call_id"] || c["body"] != "" {
		t.Errorf("connecting request: %v", c)
	}
	s := evs["sending"]["request"].(map[string]any)
	if s["call_id"] != r["call_id"] || s["from_tag"] != r["from_tag"] || s["contact"] != true || s["x_test"] != "one" ||
		!strings.Contains(s["body"].(string), "a=x-ringo:edited") || s["content_type"] != "application/sdp" {
		t.Errorf("sending request: %v", s)
	}
	if evs["progress"]["status"] != 180.0 || evs["accepted"]["status"] != 200.0 {
		t.Errorf("progress %v, accepted %v", evs["progress"], evs["accepted"])
	}

	in := recv(t, ctx, calls)
	h := in.Request.Header()
	from, _ := h.From()
	if h.CallID() != r["call_id"] || from.Tag() != r["from_tag"] || h.Get("X-Sending") != "yes" || h.Get("X-Test") != "one" ||
		!strings.Contains(string(in.Request.Body()), "a=x-ringo:edited\r\n") {
		t.Errorf("INVITE on the wire:\n%s", in.Request)
	}
	p.Send(map[string]any{"cmd": "terminate", "id": "c1"})
	expectEvents(t, ctx, p, "s:c1", "ended")

	p.Send(map[string]any{"cmd": "message", "ua": "alice", "target": "bob", "body": "hello", "extra_headers": []string{"X-Test: two"}})
	m := p.Expect(ctx, "message")
	mr := m["request"].(map[string]any)
	if m["name"] != "newMessage" || mr["method"] != "MESSAGE" || mr["ruri"] != "sip:bob@ringo.test" || mr["body"] != "hello" ||
		mr["content_type"] != "text/plain" || mr["x_test"] != "two" || mr["call_id"] != "" {
		t.Errorf("newMessage request: %v", m)
	}
	got := recv(t, ctx, msgs)
	m = p.Expect(ctx, "message")
	mr = m["request"].(map[string]any)
	gotFrom, _ := got.Header().From()
	if m["name"] != "succeeded" || mr["call_id"] != got.Header().CallID() || mr["from_tag"] != gotFrom.Tag() {
		t.Errorf("request after the response: %v; MESSAGE:\n%s", m, got)
	}
	p.Stop(ctx)
}

// Blind transfer both ways. Wasm alice calls native bob and refers him to
// wasm carol: the ReferSubscriber reports requestSucceeded (202), trying
// and accepted from the NOTIFYs' sipfrag. Then native bob, in his call
// with carol, refers carol to alice: carol's "refer" listener accepts, the
// new call is announced with the INVITE's Referred-By, and bob's NOTIFYs
// say 100 then 200.
func TestNodeBlindTransfer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	calls := make(chan ringo.NewSessionEvent, 2)
	refers := make(chan *ringo.ReferRequest, 1)
	referCalls := make(chan *ringo.Session, 1)
	bob := nativeUA(t, srv, "bob", "", func(ua *ringo.UA) {
		ua.OnNewSession(func(ev ringo.NewSessionEvent) {
			if ev.Originator != ringo.Remote {
				return
			}
			ev.Session.SetHandlers(ringo.SessionHandlers{NewRefer: func(r *ringo.ReferRequest) { refers <- r }})
			calls <- ev
			go ev.Session.Answer(context.Background(), &ringo.AnswerOptions{Media: &media.StaticSession{Answer: testSDP("5000")}})
		})
	})
	_ = bob
	p := referPeer(t, ctx, wsURL(srv),
		map[string]any{"ua": "alice", "user": "alice", "answer_sdp": testSDP("4100")},
		map[string]any{"ua": "carol", "user": "carol", "answer_sdp": testSDP("4200"), "refer": "accept"})

	p.Send(map[string]any{"cmd": "call", "ua": "alice", "id": "c1", "target": "bob", "sdp": testSDP("4000")})
	p.Expect(ctx, "session")
	expectEvents(t, ctx, p, "s:c1", "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	recv(t, ctx, calls)

	p.Send(map[string]any{"cmd": "refer", "id": "c1", "rid": "r1", "target": "carol", "extra_headers": []string{"X-Test: refer"}})
	if ev := p.Expect(ctx, "refer_returned"); ev["subscriber"] != true {
		t.Errorf("refer returned %v", ev)
	}
	r := recv(t, ctx, refers)
	if r.ReferTo.URI.String() != "sip:carol@ringo.test" || r.Request.Header().Get("X-Test") != "refer" ||
		!strings.Contains(r.Request.Header().Get("Referred-By"), "sip:alice@ringo.test") {
		t.Errorf("REFER on the wire:\n%s", r.Request)
	}
	go func() {
		s, err := r.Accept(ctx, &ringo.CallOptions{Media: &media.StaticSession{Offer: testSDP("5100")}})
		if err != nil {
			t.Error(err)
		}
		referCalls <- s
	}()
	// carol gets the call from bob and answers it.
	ses := p.Expect(ctx, "session")
	if ses["ua"] != "carol" || ses["originator"] != "remote" || ses["request"].(map[string]any)["from"] != "sip:bob@ringo.test" {
		t.Errorf("carol's session: %v", ses)
	}
	carolIn := ses["id"].(string)
	rs := expectEvents(t, ctx, p, "r:r1", "requestSucceeded", "trying", "accepted")
	if rs["requestSucceeded"]["status"] != 202.0 || rs["requestSucceeded"]["sub_id"] != 2.0 {
		t.Errorf("requestSucceeded: %v", rs["requestSucceeded"])
	}
	if ev := rs["trying"]; ev["status_code"] != 100.0 || ev["reason_phrase"] != "Trying" || ev["notify"] != "NOTIFY" {
		t.Errorf("trying: %v", ev)
	}
	if ev := rs["accepted"]; ev["status_code"] != 200.0 || ev["reason_phrase"] != "OK" {
		t.Errorf("accepted: %v", ev)
	}
	bc := recv(t, ctx, referCalls)
	expectEvents(t, ctx, p, "s:"+carolIn, "progress|sdp:remote:offer", "sdp:local:answer", "accepted", "confirmed")

	// Native bob refers wasm carol to alice.
	notes := make(chan string, 4)
	note := func(name string) func(ringo.ReferNotifyEvent) {
		return func(e ringo.ReferNotifyEvent) { notes <- fmt.Sprintf("%s:%d", name, e.StatusCode) }
	}
	err := bc.Refer(ctx, "alice", &ringo.ReferOptions{Handlers: ringo.ReferHandlers{
		Trying: note("trying"), Progress: note("progress"), Accepted: note("accepted"), Failed: note("failed"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	ev := next(t, ctx, p, "s:"+carolIn)
	rr := ev["request"].(map[string]any)
	if ev["name"] != "refer" || rr["method"] != "REFER" || !strings.Contains(rr["refer_to"].(string), "sip:alice@ringo.test") {
		t.Errorf("refer event: %v", ev)
	}
	if ev := p.Expect(ctx, "init_callback"); ev["session"] != true {
		t.Errorf("initCallback: %v", ev)
	}
	ses = p.Expect(ctx, "session")
	sr := ses["request"].(map[string]any)
	if ses["ua"] != "carol" || ses["originator"] != "local" || sr["ruri"] != "sip:alice@ringo.test" ||
		!strings.Contains(sr["referred_by"].(string), "sip:bob@ringo.test") || sr["call_id"] == "" {
		t.Errorf("newRTCSession of the transfer: %v", ses)
	}
	if ev := p.Expect(ctx, "refer_accepted"); ev["returned"] != true {
		t.Errorf("accept() did not return the new RTCSession: %v", ev)
	}
	newID := ses["id"].(string)
	evs := expectEvents(t, ctx, p, "s:"+newID, "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	if s := evs["sending"]["request"].(map[string]any); s["call_id"] != sr["call_id"] || !strings.Contains(s["referred_by"].(string), "sip:bob@ringo.test") {
		t.Errorf("sending: %v", s)
	}
	// alice answered it.
	if ses := p.Expect(ctx, "session"); ses["ua"] != "alice" || ses["request"].(map[string]any)["call_id"] != sr["call_id"] {
		t.Errorf("alice's session: %v", ses)
	}
	want(t, ctx, notes, "trying:100")
	want(t, ctx, notes, "accepted:200")
	p.Stop(ctx)
}

// Attended transfer. Wasm alice has a call with native bob and one with
// wasm carol; she refers bob to carol with replaces: the REFER's Refer-To
// names the alice–carol dialog, bob's INVITE to carol carries Replaces,
// carol's old call emits "replaces" whose accept() announces the new call,
// and the old call ends once the new one is confirmed. Then native bob
// refers wasm alice with Replaces to native dave: alice's accept() sends
// the Replaces that dave matches to his call with bob.
func TestNodeAttendedTransfer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	calls := make(chan ringo.NewSessionEvent, 2)
	refers := make(chan *ringo.ReferRequest, 1)
	nativeUA(t, srv, "bob", "", func(ua *ringo.UA) {
		ua.OnNewSession(func(ev ringo.NewSessionEvent) {
			if ev.Originator != ringo.Remote {
				return
			}
			ev.Session.SetHandlers(ringo.SessionHandlers{NewRefer: func(r *ringo.ReferRequest) { refers <- r }})
			calls <- ev
			go ev.Session.Answer(context.Background(), &ringo.AnswerOptions{Media: &media.StaticSession{Answer: testSDP("5000")}})
		})
	})
	p := referPeer(t, ctx, wsURL(srv),
		map[string]any{"ua": "alice", "user": "alice", "answer_sdp": testSDP("4100"), "refer": "accept"},
		map[string]any{"ua": "carol", "user": "carol", "answer_sdp": testSDP("4200"), "replaces": "accept"})

	p.Send(map[string]any{"cmd": "call", "ua": "alice", "id": "ab", "target": "bob", "sdp": testSDP("4000")})
	p.Expect(ctx, "session")
	expectEvents(t, ctx, p, "s:ab", "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	recv(t, ctx, calls)
	p.Send(map[string]any{"cmd": "call", "ua": "alice", "id": "ac", "target": "carol", "sdp": testSDP("4001")})
	ac := p.Expect(ctx, "session")["request"].(map[string]any)
	carolOld := p.Expect(ctx, "session")["id"].(string)
	expectEvents(t, ctx, p, "s:ac", "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	expectEvents(t, ctx, p, "s:"+carolOld, "progress|sdp:remote:offer", "sdp:local:answer", "accepted", "confirmed")

	p.Send(map[string]any{"cmd": "refer", "id": "ab", "rid": "r1", "target": "carol", "replaces": "ac"})
	r := recv(t, ctx, refers)
	rep := ""
	for _, h := range r.ReferTo.URI.Headers {
		if h.Name == "Replaces" {
			rep = h.Value
		}
	}
	wantRep := fmt.Sprintf("%s;to-tag=", ac["call_id"])
	if !strings.HasPrefix(strings.ReplaceAll(strings.ReplaceAll(rep, "%3B", ";"), "%3D", "="), wantRep) ||
		!strings.Contains(strings.ReplaceAll(strings.ReplaceAll(rep, "%3B", ";"), "%3D", "="), ";from-tag="+ac["from_tag"].(string)) {
		t.Errorf("Refer-To: %s, want Replaces for %v", r.Request.Header().Get("Refer-To"), ac)
	}
	go func() {
		if _, err := r.Accept(ctx, &ringo.CallOptions{Media: &media.StaticSession{Offer: testSDP("5100")}}); err != nil {
			t.Error(err)
		}
	}()
	// carol's old call asks; the listener accepts; the new call is
	// announced with the INVITE, Replaces included.
	if ev := next(t, ctx, p, "s:"+carolOld); ev["name"] != "replaces" || !strings.HasPrefix(ev["request"].(map[string]any)["replaces"].(string), ac["call_id"].(string)+";") {
		t.Errorf("replaces: %v", ev)
	}
	ses := p.Expect(ctx, "session")
	if ses["ua"] != "carol" || ses["originator"] != "remote" || ses["request"].(map[string]any)["from"] != "sip:bob@ringo.test" ||
		!strings.HasPrefix(ses["request"].(map[string]any)["replaces"].(string), ac["call_id"].(string)+";") {
		t.Errorf("carol's new session: %v", ses)
	}
	expectEvents(t, ctx, p, "s:"+ses["id"].(string), "progress|sdp:remote:offer", "sdp:local:answer", "accepted", "confirmed")
	if ev := expectEvents(t, ctx, p, "s:"+carolOld, "ended")["ended"]; ev["originator"] != "local" || ev["cause"] != "Terminated" {
		t.Errorf("carol's old call: %v", ev)
	}
	if ev := expectEvents(t, ctx, p, "s:ac", "ended")["ended"]; ev["originator"] != "remote" {
		t.Errorf("alice's call with carol: %v", ev)
	}
	expectEvents(t, ctx, p, "r:r1", "requestSucceeded", "trying", "accepted")
	p.Stop(ctx)
}

// Native bob, in calls with wasm alice and native dave, refers alice to
// dave with Replaces: alice's accept() places the call with the Replaces
// header, and dave's UA matches it to his call with bob.
func TestNodeAcceptReferWithReplaces(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	daveCalls := make(chan ringo.NewSessionEvent, 2)
	dave := nativeUA(t, srv, "dave", "", nativeAnswerer(t, daveCalls, "5300"))
	bob := nativeUA(t, srv, "bob", "", nil)
	p := referPeer(t, ctx, wsURL(srv), map[string]any{"ua": "alice", "user": "alice", "answer_sdp": testSDP("4100"), "refer": "accept"})
	_ = dave

	confirmed := make(chan string, 2)
	ba, err := bob.Call(ctx, "alice", &ringo.CallOptions{Media: &media.StaticSession{Offer: testSDP("5001")},
		Handlers: ringo.SessionHandlers{Confirmed: func(ringo.ConfirmedEvent) { confirmed <- "ba" }}})
	if err != nil {
		t.Fatal(err)
	}
	aliceIn := p.Expect(ctx, "session")["id"].(string)
	want(t, ctx, confirmed, "ba")
	bd, err := bob.Call(ctx, "dave", &ringo.CallOptions{Media: &media.StaticSession{Offer: testSDP("5002")},
		Handlers: ringo.SessionHandlers{Confirmed: func(ringo.ConfirmedEvent) { confirmed <- "bd" }}})
	if err != nil {
		t.Fatal(err)
	}
	old := recv(t, ctx, daveCalls)
	want(t, ctx, confirmed, "bd")

	notes := make(chan string, 4)
	note := func(name string) func(ringo.ReferNotifyEvent) {
		return func(e ringo.ReferNotifyEvent) { notes <- fmt.Sprintf("%s:%d", name, e.StatusCode) }
	}
	if err := ba.Refer(ctx, "dave", &ringo.ReferOptions{Replaces: bd, Handlers: ringo.ReferHandlers{
		Trying: note("trying"), Progress: note("progress"), Accepted: note("accepted"), Failed: note("failed"),
	}}); err != nil {
		t.Fatal(err)
	}
	expectEvents(t, ctx, p, "s:"+aliceIn, "progress|sdp:remote:offer", "sdp:local:answer", "accepted", "confirmed", "refer")
	ses := p.Expect(ctx, "session")
	if rep := ses["request"].(map[string]any)["replaces"].(string); !strings.HasPrefix(rep, old.Request.Header().CallID()+";") {
		t.Errorf("newRTCSession request Replaces %q, want dave's call %s", rep, old.Request.Header().CallID())
	}
	nw := recv(t, ctx, daveCalls)
	if nw.Replaces != old.Session || nw.Request.Header().CallID() != ses["request"].(map[string]any)["call_id"] {
		t.Errorf("dave's new call replaces %p, want %p; INVITE:\n%s", nw.Replaces, old.Session, nw.Request)
	}
	expectEvents(t, ctx, p, "s:"+ses["id"].(string), "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	want(t, ctx, notes, "trying:100")
	want(t, ctx, notes, "accepted:200")
	select {
	case <-old.Session.Done():
	case <-ctx.Done():
		t.Fatal("dave's replaced call did not end")
	}
	p.Stop(ctx)
}

// A transfer refused both ways. Wasm alice refers native bob, who has no
// NewRefer handler: requestFailed with the 603 and JsSIP's cause
// "Rejected". Bob's REFER to wasm carol, whose "refer" listener rejects
// with 486, and to wasm dan, who has no listener: a final NOTIFY 486,
// resp. 603.
func TestNodeReferRejected(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	calls := make(chan ringo.NewSessionEvent, 1)
	bob := nativeUA(t, srv, "bob", "", nativeAnswerer(t, calls, "5000"))
	p := referPeer(t, ctx, wsURL(srv),
		map[string]any{"ua": "alice", "user": "alice"},
		map[string]any{"ua": "carol", "user": "carol", "answer_sdp": testSDP("4200"), "refer": "reject"},
		map[string]any{"ua": "dan", "user": "dan", "answer_sdp": testSDP("4300"), "refer": "none"})

	p.Send(map[string]any{"cmd": "call", "ua": "alice", "id": "c1", "target": "bob", "sdp": testSDP("4000")})
	p.Expect(ctx, "session")
	expectEvents(t, ctx, p, "s:c1", "connecting", "sdp:local:offer", "sending", "progress", "accepted|sdp:remote:answer", "confirmed")
	recv(t, ctx, calls)
	p.Send(map[string]any{"cmd": "refer", "id": "c1", "rid": "r1", "target": "carol"})
	if ev := next(t, ctx, p, "r:r1"); ev["name"] != "requestFailed" || ev["status"] != 603.0 || ev["cause"] != "Rejected" {
		t.Errorf("requestFailed: %v", ev)
	}

	for _, c := range []struct{ user, want string }{{"carol", "failed:486"}, {"dan", "failed:603"}} {
		confirmed := make(chan string, 1)
		s, err := bob.Call(ctx, c.user, &ringo.CallOptions{Media: &media.StaticSession{Offer: testSDP("5001")},
			Handlers: ringo.SessionHandlers{Confirmed: func(ringo.ConfirmedEvent) { confirmed <- "confirmed" }}})
		if err != nil {
			t.Fatal(err)
		}
		id := p.Expect(ctx, "session")["id"].(string)
		want(t, ctx, confirmed, "confirmed")
		notes := make(chan string, 4)
		note := func(name string) func(ringo.ReferNotifyEvent) {
			return func(e ringo.ReferNotifyEvent) { notes <- fmt.Sprintf("%s:%d", name, e.StatusCode) }
		}
		if err := s.Refer(ctx, "alice", &ringo.ReferOptions{Handlers: ringo.ReferHandlers{
			Trying: note("trying"), Progress: note("progress"), Accepted: note("accepted"), Failed: note("failed"),
		}}); err != nil {
			t.Fatal(err)
		}
		want(t, ctx, notes, c.want)
		names := []string{"progress|sdp:remote:offer", "sdp:local:answer", "accepted", "confirmed"}
		if c.user == "carol" {
			names = append(names, "refer")
		}
		expectEvents(t, ctx, p, "s:"+id, names...)
		s.Terminate(nil)
		expectEvents(t, ctx, p, "s:"+id, "ended")
	}
	p.Stop(ctx)
}

// A re-INVITE to a wasm call emits "reinvite" with the request; reject()
// answers it with the status given, and the call goes on.
func TestNodeReinviteRejected(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startServer(t, nil)
	bob := nativeUA(t, srv, "bob", "", nil)
	p := referPeer(t, ctx, wsURL(srv), map[string]any{"ua": "alice", "user": "alice", "answer_sdp": testSDP("4100"), "reinvite": 488})
	confirmed := make(chan string, 1)
	s, err := bob.Call(ctx, "alice", &ringo.CallOptions{Media: &media.StaticSession{Offer: testSDP("5001")},
		Handlers: ringo.SessionHandlers{Confirmed: func(ringo.ConfirmedEvent) { confirmed <- "confirmed" }}})
	if err != nil {
		t.Fatal(err)
	}
	id := p.Expect(ctx, "session")["id"].(string)
	want(t, ctx, confirmed, "confirmed")
	expectEvents(t, ctx, p, "s:"+id, "progress|sdp:remote:offer", "sdp:local:answer", "accepted", "confirmed")
	var e *ringo.Error
	if err := s.Hold(ctx); !errors.As(err, &e) || e.StatusCode != 488 {
		t.Errorf("hold: %v, want a 488", err)
	}
	ev := next(t, ctx, p, "s:"+id)
	if r := ev["request"].(map[string]any); ev["name"] != "reinvite" || r["method"] != "INVITE" || r["cseq"] != 2.0 {
		t.Errorf("reinvite: %v", ev)
	}
	if !s.IsEstablished() {
		t.Error("the call ended")
	}
	s.Terminate(nil)
	expectEvents(t, ctx, p, "s:"+id, "ended")
	p.Stop(ctx)
}
