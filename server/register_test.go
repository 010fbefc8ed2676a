//go:build !js

package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
)

// A user registers over each transport, with and without authentication;
// the 200 lists the binding with its interval, and the server remembers
// the flow.
func TestRegister(t *testing.T) {
	for _, network := range []string{"ws", "udp", "tcp"} {
		for _, auth := range []bool{false, true} {
			name := network
			if auth {
				name += "/auth"
			}
			t.Run(name, func(t *testing.T) {
				cfg := server.Config{}
				opt := uaOptions{}
				if auth {
					cfg.Users = map[string]string{"alice": "wonderland"}
					opt.password = "wonderland"
				}
				s := startServer(t, cfg)
				alice := newUA(t, s, network, "alice", opt)
				if auth {
					req := alice.newRequest("REGISTER", "sip:example.com", alice.aor())
					resp := alice.start(req).final()
					if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header().Get("WWW-Authenticate"), "Digest realm=\"ringo\"") {
						t.Fatalf("REGISTER without credentials:\n%s", resp)
					}
				}
				resp := alice.register(600)
				if resp.StatusCode != 200 {
					t.Fatalf("REGISTER: %s", resp.StartLine())
				}
				cs := contacts(t, resp)
				if len(cs) != 1 {
					t.Fatalf("200 lists %d contacts, want 1:\n%s", len(cs), resp)
				}
				if exp, ok := cs[0].Expires(); !ok || exp != 600 {
					t.Errorf("contact expires = %d, %v; want 600", exp, ok)
				}
				if cs[0].URI.User != "alice" {
					t.Errorf("contact %s", cs[0])
				}
				bs := s.Bindings("alice")
				if len(bs) != 1 {
					t.Fatalf("Bindings = %v", bs)
				}
				if got, want := bs[0].Transport, strings.ToUpper(network); got != want {
					t.Errorf("binding transport %s, want %s", got, want)
				}
				if bs[0].AOR != "sip:alice@example.com" {
					t.Errorf("AOR %q", bs[0].AOR)
				}
				if !bs[0].Source.IsValid() {
					t.Errorf("binding has no source")
				}
			})
		}
	}
}

// Wrong passwords, other users' addresses and unknown users are refused.
func TestRegisterAuthRefused(t *testing.T) {
	s := startServer(t, server.Config{Users: map[string]string{"alice": "wonderland", "bob": "builder"}})

	mallory := newUA(t, s, "udp", "alice", uaOptions{password: "guess"})
	if resp := mallory.register(600); resp.StatusCode != 401 {
		t.Errorf("wrong password: %s, want 401", resp.StartLine())
	}

	// bob authenticates as bob but registers alice's address.
	bob := newUA(t, s, "udp", "bob", uaOptions{password: "builder"})
	req := bob.newRequest("REGISTER", "sip:example.com", "sip:alice@example.com")
	req.Header().Add("Expires", "600")
	if resp := bob.send(req); resp.StatusCode != 403 {
		t.Errorf("registering another user's address: %s, want 403", resp.StartLine())
	}

	carol := newUA(t, s, "udp", "carol", uaOptions{password: "x"})
	if resp := carol.register(600); resp.StatusCode != 404 {
		t.Errorf("unknown user: %s, want 404", resp.StartLine())
	}
	if bs := s.Bindings("alice"); len(bs) != 0 {
		t.Errorf("bindings after refusals: %v", bs)
	}
}

// Bindings expire with the clock: a registration for 60 s is there at
// 59 s and gone at 61 s, and a request to the user then gets 480.
func TestRegisterExpiry(t *testing.T) {
	clk := fakeClock()
	s := startServer(t, server.Config{Clock: clk})
	alice := newUA(t, s, "udp", "alice", uaOptions{})
	if resp := alice.register(60); resp.StatusCode != 200 {
		t.Fatalf("REGISTER: %s", resp.StartLine())
	}
	clk.Advance(59 * time.Second)
	if bs := s.Bindings("alice"); len(bs) != 1 {
		t.Fatalf("at 59 s: %v", bs)
	}
	// A refresh at 59 s lasts another 60 s.
	resp := alice.register(60)
	if cs := contacts(t, resp); len(cs) != 1 {
		t.Fatalf("refresh lists %d contacts", len(cs))
	}
	clk.Advance(59 * time.Second)
	if bs := s.Bindings("alice"); len(bs) != 1 {
		t.Fatalf("59 s after the refresh: %v", bs)
	}
	clk.Advance(2 * time.Second)
	if bs := s.Bindings("alice"); len(bs) != 0 {
		t.Fatalf("after expiry: %v", bs)
	}
	bob := newUA(t, s, "udp", "bob", uaOptions{})
	msg := bob.newRequest("MESSAGE", "sip:alice@example.com", "sip:alice@example.com")
	msg.SetBody("text/plain", []byte("hello?"))
	if resp := bob.send(msg); resp.StatusCode != 480 {
		t.Errorf("MESSAGE to an expired user: %s, want 480", resp.StartLine())
	}
	// A query REGISTER (no Contact) lists nothing.
	q := alice.newRequest("REGISTER", "sip:example.com", alice.aor())
	q.Header().Del("Contact")
	resp = alice.send(q)
	if resp.StatusCode != 200 || resp.Header().Has("Contact") {
		t.Errorf("query after expiry:\n%s", resp)
	}
	// The sweep drops the expired binding from memory without harm.
	clk.Advance(time.Minute)
	if bs := s.Bindings("alice"); len(bs) != 0 {
		t.Fatalf("after the sweep: %v", bs)
	}
}

// A registration shorter than Min-Expires gets 423 with Min-Expires; one
// longer than MaxExpires is shortened.
func TestRegisterIntervalTooBrief(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := newUA(t, s, "tcp", "alice", uaOptions{})
	resp := alice.register(30)
	if resp.StatusCode != 423 {
		t.Fatalf("REGISTER for 30 s: %s, want 423", resp.StartLine())
	}
	if min, err := resp.Header().MinExpires(); err != nil || min != 60 {
		t.Errorf("Min-Expires = %d, %v; want 60", min, err)
	}
	resp = alice.register(86400)
	if resp.StatusCode != 200 {
		t.Fatalf("REGISTER for a day: %s", resp.StartLine())
	}
	if exp, _ := contacts(t, resp)[0].Expires(); exp != 3600 {
		t.Errorf("granted %d s, want 3600", exp)
	}
}

// Several contacts per address of record; "Contact: *" with Expires 0
// removes them all; "*" with another Expires is refused.
func TestRegisterWildcard(t *testing.T) {
	s := startServer(t, server.Config{})
	phone := newUA(t, s, "udp", "alice", uaOptions{})
	laptop := newUA(t, s, "ws", "alice", uaOptions{})
	if resp := phone.register(600); resp.StatusCode != 200 {
		t.Fatal(resp.StartLine())
	}
	resp := laptop.register(300)
	if cs := contacts(t, resp); len(cs) != 2 {
		t.Fatalf("200 lists %d contacts, want 2:\n%s", len(cs), resp)
	}
	if bs := s.Bindings("alice"); len(bs) != 2 {
		t.Fatalf("Bindings = %v", bs)
	}

	bad := phone.newRequest("REGISTER", "sip:example.com", phone.aor())
	bad.Header().Set("Contact", "*")
	bad.Header().Add("Expires", "600")
	if resp := phone.send(bad); resp.StatusCode != 400 {
		t.Errorf("* with Expires 600: %s, want 400", resp.StartLine())
	}

	all := phone.newRequest("REGISTER", "sip:example.com", phone.aor())
	all.Header().Set("Contact", "*")
	all.Header().Add("Expires", "0")
	resp = phone.send(all)
	if resp.StatusCode != 200 || resp.Header().Has("Contact") {
		t.Fatalf("* unregister:\n%s", resp)
	}
	if bs := s.Bindings("alice"); len(bs) != 0 {
		t.Fatalf("Bindings after *: %v", bs)
	}
}

// Expires 0 on one contact removes that binding only.
func TestUnregisterOne(t *testing.T) {
	s := startServer(t, server.Config{})
	phone := newUA(t, s, "udp", "alice", uaOptions{})
	laptop := newUA(t, s, "tcp", "alice", uaOptions{})
	phone.register(600)
	laptop.register(600)
	resp := phone.register(0)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StartLine())
	}
	cs := contacts(t, resp)
	if len(cs) != 1 || cs[0].URI.Params.Value("transport") != "tcp" {
		t.Fatalf("after unregistering the phone:\n%s", resp)
	}
}

// RFC 5626: a registration with the same +sip.instance and reg-id over a
// new connection replaces the old flow; another reg-id adds a flow. A
// WebSocket binding goes when its connection closes.
func TestRegisterOutbound(t *testing.T) {
	s := startServer(t, server.Config{})
	const instance = `;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"`
	first := newUA(t, s, "ws", "alice", uaOptions{contactParams: instance + ";reg-id=1"})
	req := first.newRequest("REGISTER", "sip:example.com", first.aor())
	req.Header().Add("Supported", "path, outbound")
	req.Header().Add("Expires", "600")
	resp := first.send(req)
	if resp.StatusCode != 200 || !resp.Header().HasToken("Require", "outbound") {
		t.Fatalf("outbound REGISTER:\n%s", resp)
	}
	src := s.Bindings("alice")[0].Source

	// The same instance and reg-id over a new connection (with a new
	// Contact URI and Call-ID, as after a reconnection).
	second := newUA(t, s, "ws", "alice", uaOptions{contactParams: instance + ";reg-id=1"})
	if resp := second.register(600); resp.StatusCode != 200 {
		t.Fatal(resp.StartLine())
	}
	bs := s.Bindings("alice")
	if len(bs) != 1 || bs[0].Source == src {
		t.Fatalf("after re-registering the flow: %+v (first source %v)", bs, src)
	}
	// The first connection closing does not remove the replaced binding.
	first.close()
	third := newUA(t, s, "tcp", "alice", uaOptions{contactParams: instance + ";reg-id=2"})
	if resp := third.register(600); resp.StatusCode != 200 {
		t.Fatal(resp.StartLine())
	}
	if bs := s.Bindings("alice"); len(bs) != 2 {
		t.Fatalf("two flows: %+v", bs)
	}
	// The second WebSocket closes: its binding goes.
	second.close()
	deadline := time.Now().Add(waitTime)
	for len(s.Bindings("alice")) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("binding of a closed WebSocket still there: %+v", s.Bindings("alice"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if bs := s.Bindings("alice"); bs[0].Transport != "TCP" || bs[0].RegID != 2 {
		t.Errorf("remaining binding %+v", bs[0])
	}
}

// An older CSeq for the same Call-ID is refused; Require with an unknown
// option gets 420.
func TestRegisterChecks(t *testing.T) {
	s := startServer(t, server.Config{})
	alice := newUA(t, s, "udp", "alice", uaOptions{})
	if resp := alice.register(600); resp.StatusCode != 200 {
		t.Fatal(resp.StartLine())
	}
	old := alice.newRequest("REGISTER", "sip:example.com", alice.aor())
	old.Header().Set("CSeq", "1 REGISTER")
	if resp := alice.send(old); resp.StatusCode != 500 {
		t.Errorf("old CSeq: %s, want 500", resp.StartLine())
	}
	req := alice.newRequest("REGISTER", "sip:example.com", alice.aor())
	req.Header().Add("Require", "path, foo")
	resp := alice.send(req)
	if resp.StatusCode != 420 || resp.Header().Get("Unsupported") != "path" {
		t.Errorf("Require: %s, Unsupported %q", resp.StartLine(), resp.Header().Values("Unsupported"))
	}
	noUser := alice.newRequest("REGISTER", "sip:example.com", "sip:example.com")
	if resp := alice.send(noUser); resp.StatusCode != 404 {
		t.Errorf("To without user: %s", resp.StartLine())
	}
	var _ = sip.Version
}
