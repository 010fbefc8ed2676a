package transport

import (
	"net/netip"
	"testing"

	"github.com/ringo-sip/ringo/sip"
)

func TestStampVia(t *testing.T) {
	src := netip.MustParseAddrPort("203.0.113.7:40001")
	for _, tc := range []struct{ via, want string }{
		// Sent-by matches the source and no rport: unchanged.
		{"SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1", "SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1"},
		// A private address behind a NAT: received.
		{"SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1", "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1;received=203.0.113.7"},
		// A host name: received.
		{"SIP/2.0/TCP pc.example.com;branch=z9hG4bK1", "SIP/2.0/TCP pc.example.com;branch=z9hG4bK1;received=203.0.113.7"},
		// RFC 3581: rport asked for, received added even when equal.
		{"SIP/2.0/UDP 203.0.113.7:5060;rport;branch=z9hG4bK1", "SIP/2.0/UDP 203.0.113.7:5060;rport=40001;branch=z9hG4bK1;received=203.0.113.7"},
		// RFC 7118: a .invalid WebSocket host.
		{"SIP/2.0/WS abc.invalid;branch=z9hG4bK1;rport", "SIP/2.0/WS abc.invalid;branch=z9hG4bK1;rport=40001;received=203.0.113.7"},
	} {
		req := sip.NewRequest("OPTIONS", sip.MustParseURI("sip:a@b"))
		req.Header().Add("Via", tc.via)
		req.Header().Add("Via", "SIP/2.0/UDP proxy.example;branch=z9hG4bK2")
		if err := StampVia(req, src); err != nil {
			t.Fatal(err)
		}
		vias := req.Header().Values("Via")
		if len(vias) != 2 || vias[0] != tc.want || vias[1] != "SIP/2.0/UDP proxy.example;branch=z9hG4bK2" {
			t.Errorf("StampVia(%q) = %q, want %q first", tc.via, vias, tc.want)
		}
	}

	// IPv6: received holds the bare address.
	req := sip.NewRequest("OPTIONS", sip.MustParseURI("sip:a@b"))
	req.Header().Add("Via", "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;rport, SIP/2.0/UDP p.example;branch=z9hG4bK2")
	if err := StampVia(req, netip.MustParseAddrPort("[2001:db8::9]:7000")); err != nil {
		t.Fatal(err)
	}
	if vias := req.Header().Values("Via"); len(vias) != 2 || vias[0] != "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;rport=7000;received=2001:db8::9" {
		t.Errorf("IPv6: %q", vias)
	}

	if err := StampVia(sip.NewRequest("OPTIONS", sip.MustParseURI("sip:a@b")), src); err == nil {
		t.Error("no Via: no error")
	}
}

func TestResponseAddr(t *testing.T) {
	for _, tc := range []struct {
		via  string
		want string
		ok   bool
	}{
		{"SIP/2.0/UDP 10.0.0.2:5070;received=203.0.113.7;rport=40001", "203.0.113.7:40001", true},
		{"SIP/2.0/UDP 10.0.0.2:5070;received=203.0.113.7", "203.0.113.7:5070", true},
		{"SIP/2.0/UDP 10.0.0.2", "10.0.0.2:5060", true},
		{"SIP/2.0/TLS 10.0.0.2", "10.0.0.2:5061", true},
		{"SIP/2.0/UDP [2001:db8::1];rport=9", "[2001:db8::1]:9", true},
		{"SIP/2.0/UDP pc.example.com:5060", "", false},
	} {
		vs, err := sip.ParseVia(tc.via)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ResponseAddr(vs[0])
		if ok != tc.ok || ok && got.String() != tc.want {
			t.Errorf("ResponseAddr(%q) = %v, %v; want %s, %v", tc.via, got, ok, tc.want, tc.ok)
		}
	}
}
