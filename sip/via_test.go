package sip

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseVia(t *testing.T) {
	tests := []struct {
		in   string
		want []Via
		str  []string
	}{
		{"SIP/2.0/UDP host", []Via{{Protocol: "SIP", Version: "2.0", Transport: "UDP", Host: "host"}}, []string{"SIP/2.0/UDP host"}},
		{"SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bK1;rport;received=1.1.1.1",
			[]Via{{Protocol: "SIP", Version: "2.0", Transport: "UDP", Host: "1.2.3.4", Port: 5060,
				Params: Params{{"branch", "z9hG4bK1"}, {"rport", ""}, {"received", "1.1.1.1"}}}},
			[]string{"SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bK1;rport;received=1.1.1.1"}},
		{"SIP / 2.0 / TCP [::1] : 5061 ; branch = x ; rport = 5062",
			[]Via{{Protocol: "SIP", Version: "2.0", Transport: "TCP", Host: "[::1]", Port: 5061,
				Params: Params{{"branch", "x"}, {"rport", "5062"}}}},
			[]string{"SIP/2.0/TCP [::1]:5061;branch=x;rport=5062"}},
		{"SIP/2.0/WSS abc.invalid;branch=z;ttl=16;maddr=224.0.0.1",
			[]Via{{Protocol: "SIP", Version: "2.0", Transport: "WSS", Host: "abc.invalid",
				Params: Params{{"branch", "z"}, {"ttl", "16"}, {"maddr", "224.0.0.1"}}}},
			[]string{"SIP/2.0/WSS abc.invalid;branch=z;ttl=16;maddr=224.0.0.1"}},
		{"SIP/2.0/UDP a, SIP/2.0/TCP B;branch=2",
			[]Via{{Protocol: "SIP", Version: "2.0", Transport: "UDP", Host: "a"},
				{Protocol: "SIP", Version: "2.0", Transport: "TCP", Host: "B", Params: Params{{"branch", "2"}}}},
			[]string{"SIP/2.0/UDP a", "SIP/2.0/TCP B;branch=2"}},
		{"SIP/3.0/sctp [1:AB::ff]:6060;x=\"a,b\"",
			[]Via{{Protocol: "SIP", Version: "3.0", Transport: "sctp", Host: "[1:AB::ff]", Port: 6060, Params: Params{{"x", `"a,b"`}}}},
			[]string{`SIP/3.0/sctp [1:AB::ff]:6060;x="a,b"`}},
	}
	for _, tt := range tests {
		got, err := ParseVia(tt.in)
		if err != nil {
			t.Errorf("ParseVia(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseVia(%q) =\n%#v, want\n%#v", tt.in, got, tt.want)
		}
		for i, v := range got {
			if i < len(tt.str) && v.String() != tt.str[i] {
				t.Errorf("ParseVia(%q)[%d].String() = %q, want %q", tt.in, i, v.String(), tt.str[i])
			}
		}
	}
}

func TestParseViaErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "empty part in sent-protocol"},
		{"/2.0/UDP h", "empty part in sent-protocol"},
		{"SIP/2.0 host", "sent-protocol needs protocol/version/transport"},
		{"SIP/2.0/UDP", "sent-by: empty host"},
		{"SIP/2.0/UDP [::1", "IPv6 reference without ']'"},
		{"SIP/2.0/UDP [::g]", `sent-by: bad IPv6 reference "[::g]"`},
		{"SIP/2.0/UDP 1.2.3.256", `sent-by: bad IPv4 address "1.2.3.256"`},
		{"SIP/2.0/UDP h:", "bad sent-by port"},
		{"SIP/2.0/UDP h:70000", "bad sent-by port"},
		{"SIP/2.0/UDP h:abc", "bad sent-by port"},
		{"SIP/2.0/UDP h:1234567", "bad sent-by port"},
		{"SIP/2.0/UDP h;", "empty parameter"},
		{"SIP/2.0/UDP h;=x", "bad character '=' in parameter name"},
		{"SIP/2.0/UDP h;a=", `parameter "a" has an empty value`},
		{"SIP/2.0/UDP h x", `unexpected "x" after Via value`},
		{"SIP/2.0/UDP a$b", `unexpected "$b" after Via value`},
		{"SIP/2.0/UDP h,", "empty part in sent-protocol"},
		{"SIP/2.0/UDP h, x", "sent-protocol needs protocol/version/transport"},
	}
	for _, tt := range tests {
		_, err := ParseVia(tt.in)
		if err == nil || err.Error() != tt.err {
			t.Errorf("ParseVia(%q) error = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestViaHelpers(t *testing.T) {
	tests := []struct {
		in       string
		branch   string
		received string
		maddr    string
		rport    int
		hasRPort bool
		ttl      int
		hasTTL   bool
		sentBy   string
	}{
		{"SIP/2.0/UDP h", "", "", "", 0, false, 0, false, "h"},
		{"SIP/2.0/UDP h:5060;BRANCH=z9hG4bKx;Received=1.2.3.4;rport=5070;TTL=16;maddr=m",
			"z9hG4bKx", "1.2.3.4", "m", 5070, true, 16, true, "h:5060"},
		{"SIP/2.0/UDP [::1]:5;rport", "", "", "", 0, true, 0, false, "[::1]:5"},
		{"SIP/2.0/UDP h;rport=x;ttl=300", "", "", "", 0, true, 0, false, "h"},
		{"SIP/2.0/UDP h;rport=70000;ttl=-1", "", "", "", 0, true, 0, false, "h"},
	}
	for _, tt := range tests {
		vs, err := ParseVia(tt.in)
		if err != nil {
			t.Fatalf("ParseVia(%q): %v", tt.in, err)
		}
		v := vs[0]
		rport, hasRPort := v.RPort()
		ttl, hasTTL := v.TTL()
		if v.Branch() != tt.branch || v.Received() != tt.received || v.MAddr() != tt.maddr ||
			rport != tt.rport || hasRPort != tt.hasRPort || ttl != tt.ttl || hasTTL != tt.hasTTL || v.SentBy() != tt.sentBy {
			t.Errorf("%q: branch %q received %q maddr %q rport %d,%v ttl %d,%v sent-by %q", tt.in,
				v.Branch(), v.Received(), v.MAddr(), rport, hasRPort, ttl, hasTTL, v.SentBy())
		}
	}
	// A Via built by hand defaults to SIP/2.0.
	v := Via{Transport: "WS", Host: "x.invalid", Params: Params{{"branch", "z9hG4bK1"}}}
	if got := string(v.AppendTo([]byte("Via: "))); got != "Via: SIP/2.0/WS x.invalid;branch=z9hG4bK1" {
		t.Errorf("AppendTo = %q", got)
	}
}

func TestHeaderVia(t *testing.T) {
	msg, err := Parse([]byte("OPTIONS sip:b SIP/2.0\r\n" +
		"v: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b\r\n" +
		"Via: SIP/2.0/WS c\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := msg.Header().Via()
	if err != nil || len(vs) != 3 || vs[0].Host != "a" || vs[1].Host != "b" || vs[2].Host != "c" {
		t.Errorf("Via() = %v, %v", vs, err)
	}
	top, err := msg.Header().TopVia()
	if err != nil || top.Branch() != "z9hG4bK1" {
		t.Errorf("TopVia() = %v, %v", top, err)
	}

	bad, err := Parse([]byte("OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP a x, SIP/2.0/TCP b\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	const want = `sip: bad Via at offset 23: unexpected "x, SIP/2.0/TCP b" after Via value`
	if _, err := bad.Header().Via(); err == nil || err.Error() != want {
		t.Errorf("Via() error = %v, want %q", err, want)
	}
	if _, err := bad.Header().TopVia(); err == nil || err.Error() != want {
		t.Errorf("TopVia() error = %v, want %q", err, want)
	}
	// TopVia reads the first value only.
	second, _ := Parse([]byte("OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP a, SIP/2.0/UDP ?\r\n\r\n"))
	if v, err := second.Header().TopVia(); err != nil || v.Host != "a" {
		t.Errorf("TopVia() = %v, %v", v, err)
	}
	if _, err := second.Header().Via(); err == nil {
		t.Error("Via() accepted a bad second value")
	}
	var empty Header
	if _, err := empty.Via(); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("Via() of an empty header: %v", err)
	}
	if _, err := empty.TopVia(); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("TopVia() of an empty header: %v", err)
	}
}
