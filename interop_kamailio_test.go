package ringo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
)

// kamailioServer names one of Kamailio's listeners as transport.NewSocket
// wants it.
func kamailioServer(t testing.TB, k *testpeer.Kamailio, network string) string {
	t.Helper()
	switch network {
	case "ws":
		return k.WSURL()
	case "udp":
		return "udp:" + k.UDPAddr()
	case "tcp":
		return "tcp:" + k.TCPAddr()
	}
	t.Fatalf("unknown network %q", network)
	return ""
}

// kamailioCtx bounds a Kamailio test.
func kamailioCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// checkContact checks that Kamailio's location table holds exactly the
// agent's binding: its instance, reg-id 1, its User-Agent, on the socket
// of the transport it registered over.
func checkContact(t *testing.T, ctx context.Context, k *testpeer.Kamailio, a *agent, user, network string) {
	t.Helper()
	cs := k.WaitRegistered(ctx, user)
	if len(cs) != 1 {
		t.Fatalf("%s: Kamailio holds %d contacts, want 1: %+v", user, len(cs), cs)
	}
	c := cs[0]
	sockProto := network
	if network == "ws" {
		sockProto = "tcp" // Kamailio's WebSocket listener is a TCP socket
	}
	if c.Instance != "<urn:uuid:"+a.ua.InstanceID()+">" || c.RegID != 1 ||
		!strings.HasPrefix(c.UserAgent, "Ringo/") || !strings.HasPrefix(c.Socket, sockProto+":") {
		t.Errorf("%s: contact %+v, want instance %s, reg-id 1, a Ringo User-Agent, on a %s socket", user, c, a.ua.InstanceID(), sockProto)
	}
	if network != "udp" && c.Received == "" {
		t.Errorf("%s: contact %+v has no received URI: Kamailio could not reach a %s client", user, c, network)
	}
}

// TestKamailio: Ringo UAs on WebSocket, UDP and TCP register with
// Kamailio (answering its 401, as its log and location table show), send
// MESSAGEs to each other through it (answering its 407) with bodies,
// content types and extra headers intact, get a rejection's status back,
// exchange OPTIONS, ping Kamailio itself, and unregister.
func TestKamailio(t *testing.T) {
	t.Parallel()
	pairs := []struct{ from, to string }{
		{"ws", "ws"}, {"ws", "udp"}, {"udp", "tcp"}, {"tcp", "ws"},
	}
	users := map[string]string{}
	for i := range pairs {
		users[fmt.Sprintf("alice%d", i)] = fmt.Sprintf("alice%d-pw", i)
		users[fmt.Sprintf("bob%d", i)] = fmt.Sprintf("bob%d-pw", i)
	}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})
	for i, p := range pairs {
		t.Run(p.from+"-"+p.to, func(t *testing.T) {
			t.Parallel()
			ctx := kamailioCtx(t, 30*time.Second)
			an, bn := fmt.Sprintf("alice%d", i), fmt.Sprintf("bob%d", i)
			alice := startAgent(t, agentConfig{server: kamailioServer(t, k, p.from), uri: k.URI(an), password: users[an]})
			bob := startAgent(t, agentConfig{server: kamailioServer(t, k, p.to), uri: k.URI(bn), password: users[bn]})
			alice.rec.wait(t, "registered")
			bob.rec.wait(t, "registered")
			checkContact(t, ctx, k, alice, an, p.from)
			checkContact(t, ctx, k, bob, bn, p.to)

			exchange(t, alice, bob, k.URI(bn))
			exchange(t, bob, alice, k.URI(an))
			reject(t, alice, bob, k.URI(bn))
			options(t, alice, bob, k.URI(bn))
			options(t, bob, alice, k.URI(an))
			optionsServer(t, alice, "sip:"+k.Domain())

			for _, want := range []string{"AUTH ok REGISTER " + an, "AUTH ok REGISTER " + bn, "AUTH ok MESSAGE " + an, "AUTH ok MESSAGE " + bn} {
				if !strings.Contains(k.Log(), want) {
					t.Errorf("Kamailio's log lacks %q: the digest exchange did not happen", want)
				}
			}

			for _, u := range []struct {
				a    *agent
				user string
			}{{alice, an}, {bob, bn}} {
				if err := u.a.ua.Unregister(ctx, false); err != nil {
					t.Fatalf("%s: Unregister: %v", u.user, err)
				}
				u.a.rec.wait(t, "unregistered")
				if cs, err := k.Contacts(ctx, u.user); err != nil || len(cs) != 0 {
					t.Errorf("%s: Kamailio contacts after Unregister: %+v, %v", u.user, cs, err)
				}
			}
		})
	}
}

// TestKamailioWrongPassword: Kamailio refuses a wrong password with 401;
// the UA reports the failure and Kamailio holds no contact.
func TestKamailioWrongPassword(t *testing.T) {
	t.Parallel()
	ctx := kamailioCtx(t, 20*time.Second)
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: map[string]string{"alice": "right"}})
	a := startAgent(t, agentConfig{server: k.WSURL(), uri: k.URI("alice"), password: "wrong"})
	if ev := a.rec.wait(t, "registrationFailed"); ev.detail != "401" {
		t.Errorf("registrationFailed %q, want 401", ev.detail)
	}
	if cs, err := k.Contacts(ctx, "alice"); err != nil || len(cs) != 0 {
		t.Errorf("Kamailio contacts: %+v, %v; want none", cs, err)
	}
}

// TestJsSIP: JsSIP 3.13 in Node.js and a Ringo UA register with Kamailio
// (auth on) over WebSocket and exchange MESSAGEs both ways (UTF-8 text,
// JSON, XML with parameters in the content type) and OPTIONS; bodies and
// content types arrive intact on both sides.
func TestJsSIP(t *testing.T) {
	t.Parallel()
	ctx := kamailioCtx(t, 40*time.Second)
	users := map[string]string{"alice": "alice-pw", "bob": "bob-pw"}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: users})
	js := testpeer.StartJsSIP(t, ctx, testpeer.JsSIPOptions{
		WSURL: k.WSURL(), URI: k.URI("alice"), Password: users["alice"], DisplayName: "Alice (JsSIP)",
	})
	bob := startAgent(t, agentConfig{server: k.WSURL(), uri: k.URI("bob"), password: users["bob"]})
	bob.rec.wait(t, "registered")
	checkContact(t, ctx, k, bob, "bob", "ws")

	// JsSIP → Ringo.
	for i, p := range payloads {
		id := fmt.Sprint("js", i)
		js.Send(map[string]any{"cmd": "message", "id": id, "target": k.URI("bob"), "body": p.body,
			"content_type": p.contentType, "extra_headers": []string{"X-Ringo-Seq: " + id}})
		got := nextRequest(t, "bob", bob.msgs)
		if string(got.Body()) != p.body || got.ContentType() != p.contentType {
			t.Errorf("bob received %q (%s), want %q (%s)", got.Body(), got.ContentType(), p.body, p.contentType)
		}
		if f := got.From(); f.URI.User != "alice" || f.DisplayName != "Alice (JsSIP)" {
			t.Errorf("bob received From %s, want Alice (JsSIP) <%s>", f, k.URI("alice"))
		}
		if v := got.Request.Header().Get("X-Ringo-Seq"); v != id {
			t.Errorf("bob received X-Ringo-Seq %q, want %q", v, id)
		}
		if sent := js.Expect(ctx, "message_sent"); sent["id"] != id || sent["status"] != float64(200) {
			t.Errorf("JsSIP message_sent %v, want id %s, status 200", sent, id)
		}
	}
	// Ringo → JsSIP.
	for _, p := range payloads {
		resp, err := bob.ua.SendMessage(ctx, k.URI("alice"), p.body, &ringo.MessageOptions{ContentType: p.contentType})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("bob → JsSIP: %v, %v", resp, err)
		}
		got := js.Expect(ctx, "message")
		if got["body"] != p.body || got["content_type"] != p.contentType || got["from"] != k.URI("bob") {
			t.Errorf("JsSIP received %q (%v) from %v, want %q (%s) from %s",
				got["body"], got["content_type"], got["from"], p.body, p.contentType, k.URI("bob"))
		}
	}
	// OPTIONS both ways.
	js.Send(map[string]any{"cmd": "options", "id": "o1", "target": k.URI("bob")})
	if sent := js.Expect(ctx, "options_sent"); sent["status"] != float64(200) {
		t.Errorf("JsSIP options_sent %v, want status 200", sent)
	}
	if got := nextRequest(t, "bob", bob.opts); got.From().URI.User != "alice" {
		t.Errorf("bob received OPTIONS from %s", got.From().URI)
	}
	resp, err := bob.ua.SendOptions(ctx, k.URI("alice"), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("bob → JsSIP OPTIONS: %v, %v", resp, err)
	}
	if got := js.Expect(ctx, "options"); got["from"] != k.URI("bob") {
		t.Errorf("JsSIP received OPTIONS from %v", got["from"])
	}
	for _, want := range []string{"AUTH ok REGISTER alice", "AUTH ok REGISTER bob", "AUTH ok MESSAGE alice", "AUTH ok MESSAGE bob"} {
		if !strings.Contains(k.Log(), want) {
			t.Errorf("Kamailio's log lacks %q", want)
		}
	}
	js.Stop(ctx)
}

// TestSIPpReceivesRingoMessage: sipp registers at Kamailio over UDP and
// receives a MESSAGE that a Ringo UA sends over WebSocket (answering
// Kamailio's 407); sipp exits 0 and logged the body and content type.
func TestSIPpReceivesRingoMessage(t *testing.T) {
	t.Parallel()
	ctx := kamailioCtx(t, 30*time.Second)
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Users: map[string]string{"alice": "alice-pw"}})
	sipp := testpeer.StartSIPpReceiver(t, k, "carol")
	alice := startAgent(t, agentConfig{server: k.WSURL(), uri: k.URI("alice"), password: "alice-pw"})
	alice.rec.wait(t, "registered")
	k.WaitRegistered(ctx, "carol")

	const body = "hello sipp\nfrom Ringo, ünïcödé"
	resp, err := alice.ua.SendMessage(ctx, k.URI("carol"), body, &ringo.MessageOptions{ContentType: "text/x-ringo;charset=utf-8"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("MESSAGE to sipp: %v, %v", resp, err)
	}
	sipp.Check(ctx)
	msgs := sipp.Messages()
	for _, want := range []string{"MESSAGE sip:carol@127.0.0.1", "Content-Type: text/x-ringo;charset=utf-8", body, "From: <" + k.URI("alice")} {
		if !strings.Contains(msgs, want) {
			t.Errorf("sipp's message log lacks %q", want)
		}
	}
	if !strings.Contains(k.Log(), "AUTH ok MESSAGE alice") {
		t.Errorf("Kamailio's log lacks the MESSAGE's digest exchange")
	}
}
