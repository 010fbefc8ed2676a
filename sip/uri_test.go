package sip

import (
	"reflect"
	"testing"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want URI
		str  string // String(); "" means the same as in
	}{
		{"sip:alice@atlanta.com", URI{Scheme: "sip", User: "alice", Host: "atlanta.com"}, ""},
		{"sip:atlanta.com", URI{Scheme: "sip", Host: "atlanta.com"}, ""},
		{"SIP:%61liCE@versaTICA.Com:6060", URI{Scheme: "sip", User: "aliCE", Host: "versatica.com", Port: 6060},
			"sip:aliCE@versatica.com:6060"},
		{"SIPS:Alice:Pa%20ss@Example.COM", URI{Scheme: "sips", User: "Alice", Password: "Pa ss", Host: "example.com"},
			"sips:Alice:Pa%20ss@example.com"},
		{"sip:a:@x", URI{Scheme: "sip", User: "a", Host: "x"}, "sip:a@x"},
		{"sip:alice:secretword@atlanta.com;transport=tcp",
			URI{Scheme: "sip", User: "alice", Password: "secretword", Host: "atlanta.com", Params: Params{{"transport", "tcp"}}}, ""},
		{"sip:+1-212-555-1212:1234@gateway.com;user=phone",
			URI{Scheme: "sip", User: "+1-212-555-1212", Password: "1234", Host: "gateway.com", Params: Params{{"user", "phone"}}}, ""},
		{"sips:1212@gateway.com", URI{Scheme: "sips", User: "1212", Host: "gateway.com"}, ""},
		{"sip:alice@192.0.2.4", URI{Scheme: "sip", User: "alice", Host: "192.0.2.4"}, ""},
		{"sip:1.2.3.4:5060", URI{Scheme: "sip", Host: "1.2.3.4", Port: 5060}, ""},
		{"sip:x.com.", URI{Scheme: "sip", Host: "x.com."}, ""},
		{"sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
			URI{Scheme: "sip", Host: "atlanta.com", Params: Params{{"method", "REGISTER"}}, Headers: Params{{"to", "alice%40atlanta.com"}}}, ""},
		{"sip:alice;day=tuesday@atlanta.com", URI{Scheme: "sip", User: "alice;day=tuesday", Host: "atlanta.com"}, ""},
		{"sip:user;par=u%40example.net@example.com", URI{Scheme: "sip", User: "user;par=u@example.net", Host: "example.com"}, ""},
		{"sip:%41%40b@x", URI{Scheme: "sip", User: "A@b", Host: "x"}, "sip:A%40b@x"},
		{"sip:x;lr;maddr=239.255.255.1?Subject=hi%20there&Priority=urgent",
			URI{Scheme: "sip", Host: "x", Params: Params{{"lr", ""}, {"maddr", "239.255.255.1"}},
				Headers: Params{{"Subject", "hi%20there"}, {"Priority", "urgent"}}}, ""},
		{"sip:x;a=1?h", URI{Scheme: "sip", Host: "x", Params: Params{{"a", "1"}}, Headers: Params{{"h", ""}}}, "sip:x;a=1?h="},
		{"sip:x?h=", URI{Scheme: "sip", Host: "x", Headers: Params{{"h", ""}}}, ""},
		// An '@' in the headers, as sloppy UAs write a Replaces header: the
		// userinfo '@' is the first one before the headers, and what a
		// header value may not hold as it is gets %-escaped.
		{"sip:bob@example.com?Replaces=abc@host;to-tag=1;from-tag=2",
			URI{Scheme: "sip", User: "bob", Host: "example.com",
				Headers: Params{{"Replaces", "abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2"}}},
			"sip:bob@example.com?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2"},
		// Without a user, the grammar reads the first '@' as the end of a
		// user that holds '?' and '=' (valid characters there), not as a
		// sloppy '@' in the headers: no guessing between two valid readings.
		{"sip:example.com?Replaces=abc@host;to-tag=1;from-tag=2",
			URI{Scheme: "sip", User: "example.com?Replaces=abc", Host: "host", Params: Params{{"to-tag", "1"}, {"from-tag", "2"}}}, ""},
		{"sip:bob:pw@example.com;transport=tls?Replaces=a@h%3Bto-tag%3D1",
			URI{Scheme: "sip", User: "bob", Password: "pw", Host: "example.com", Params: Params{{"transport", "tls"}},
				Headers: Params{{"Replaces", "a%40h%3Bto-tag%3D1"}}},
			"sip:bob:pw@example.com;transport=tls?Replaces=a%40h%3Bto-tag%3D1"},
		{"sip:bob@example.com?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2",
			URI{Scheme: "sip", User: "bob", Host: "example.com",
				Headers: Params{{"Replaces", "abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2"}}}, ""},
		{"sip:bob@example.com?h=a,b&i=[x]/y?:+$", URI{Scheme: "sip", User: "bob", Host: "example.com",
			Headers: Params{{"h", "a%2Cb"}, {"i", "[x]/y?:+$"}}}, "sip:bob@example.com?h=a%2Cb&i=[x]/y?:+$"},
		// A '?' in the user part (RFC 4475 §3.1.1.12) is the user's.
		{"sip:a?b@host", URI{Scheme: "sip", User: "a?b", Host: "host"}, ""},
		{"sip:crazy$/?,/;;*@example.com?h=a@b",
			URI{Scheme: "sip", User: "crazy$/?,/;;*", Host: "example.com", Headers: Params{{"h", "a%40b"}}},
			"sip:crazy$/?,/;;*@example.com?h=a%40b"},
		{"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com",
			URI{Scheme: "sip", User: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", Host: "example.com"}, ""},
		// IPv6 references (RFC 5118): brackets kept, letters lower-cased.
		{"sip:[2001:DB8::1]:5061;transport=TLS",
			URI{Scheme: "sip", Host: "[2001:db8::1]", Port: 5061, Params: Params{{"transport", "TLS"}}},
			"sip:[2001:db8::1]:5061;transport=TLS"},
		{"sip:alice@[::ffff:1.2.3.4]", URI{Scheme: "sip", User: "alice", Host: "[::ffff:1.2.3.4]"}, ""},
		{"sip:[::1]", URI{Scheme: "sip", Host: "[::1]"}, ""},
		// tel (RFC 3966): number in User, parameters in Params.
		{"tel:+1-201-555-0123;phone-context=example.com",
			URI{Scheme: "tel", User: "+1-201-555-0123", Params: Params{{"phone-context", "example.com"}}}, ""},
		{"TEL:7042;phone-context=%2B1", URI{Scheme: "tel", User: "7042", Params: Params{{"phone-context", "%2B1"}}},
			"tel:7042;phone-context=%2B1"},
		{"tel:%2B1234", URI{Scheme: "tel", User: "+1234"}, "tel:+1234"},
		// Other schemes: opaque.
		{"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
			URI{Scheme: "urn", Opaque: "uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}, ""},
		{"HTTP://example.com/a?b", URI{Scheme: "http", Opaque: "//example.com/a?b"}, "http://example.com/a?b"},
		{"mailto:alice@example.com", URI{Scheme: "mailto", Opaque: "alice@example.com"}, ""},
		{"x-my.scheme+1:abc", URI{Scheme: "x-my.scheme+1", Opaque: "abc"}, ""},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseURI(%q) =\n%#v, want\n%#v", tt.in, got, tt.want)
		}
		str := tt.str
		if str == "" {
			str = tt.in
		}
		if s := got.String(); s != str {
			t.Errorf("ParseURI(%q).String() = %q, want %q", tt.in, s, str)
		}
		// What String writes parses back to the same URI.
		again, err := ParseURI(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("ParseURI(%q) again = %#v, %v", got.String(), again, err)
		}
	}
}

// TestURIUserQuestionMark checks that a user with a '?' is written as it
// is (as JsSIP writes it) and parses back as the same user.
func TestURIUserQuestionMark(t *testing.T) {
	tests := []struct {
		u    URI
		want string
	}{
		{URI{Scheme: "sip", User: "a?b", Host: "h"}, "sip:a?b@h"},
		{URI{Scheme: "sip", User: "a?b=c", Host: "h"}, "sip:a?b=c@h"},
		{URI{Scheme: "sips", User: "x.com;p=1?b=c", Password: "pw", Host: "h", Port: 5061}, "sips:x.com;p=1?b=c:pw@h:5061"},
		{URI{Scheme: "sip", User: "#999/?", Password: "1234", Host: "jssip.net"}, "sip:%23999/?:1234@jssip.net"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		v, err := ParseURI(tt.u.String())
		if err != nil || !reflect.DeepEqual(v, tt.u) {
			t.Errorf("ParseURI(%q) = %#v, %v", tt.u.String(), v, err)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "URI has no scheme"},
		{"alice@x", "URI has no scheme"},
		{":x", "URI has no scheme"},
		{"s!p:x", `bad character '!' in URI scheme`},
		{"1sip:x", `bad character '1' in URI scheme`},
		{"sip:a b@x", `bad character ' ' in URI at 5`},
		{"sip:a<b", `bad character '<' in URI at 5`},
		{"sip:a\"b", `bad character '"' in URI at 5`},
		{"sip:a\x7fb", `bad character '\x7f' in URI at 5`},
		{"sip:@x", "empty user part before '@'"},
		{"sip::pw@x", "empty user part before '@'"},
		{"sip:%zz@x", `user: bad %-escape "%zz"`},
		{"sip:a%4@x", `user: bad %-escape "%4"`},
		{"sip:a:%z@x", `password: bad %-escape "%z"`},
		{"sip:x?", "URI headers: empty parameter"},
		{"sip:x?a=1&&b=2", "URI headers: empty parameter"},
		{"sip:x?a=1&", "URI headers: empty parameter"},
		{"sip:x?=1", "URI headers: empty parameter"},
		{"sip:x;", "URI parameters: empty parameter"},
		{"sip:x;a;;b", "URI parameters: empty parameter"},
		{"sip:x;=1", "URI parameters: empty parameter"},
		{"sip:x;a=", `URI parameters: parameter "a" has an empty value`},
		{"sip:x;a{b", `URI parameters: bad character '{' in parameter name "a{b"`},
		{"sip:x?a{b=1", `URI headers: bad character '{' in parameter name "a{b"`},
		{"sip:[::1", "IPv6 reference without ']'"},
		{"sip:[::1]x", `unexpected "x" after IPv6 reference`},
		{"sip:x:", `bad port ""`},
		{"sip:x:123456", `bad port "123456"`},
		{"sip:x:6a", `bad port "6a"`},
		{"sip:x:70000", "port 70000 out of range"},
		{"sip:", "empty host"},
		{"sip:a@", "empty host"},
		{"sip:a..b", `empty label in host "a..b"`},
		{"sip:a$b", `bad character '$' in host "a$b"`},
		{"sip:a@b@c", `bad character '@' in host "b@c"`},
		{"sip:[1::g]", `bad IPv6 reference "[1::g]"`},
		{"sip:[1.2.3.4]", `bad IPv6 reference "[1.2.3.4]"`},
		{"sip:[fe80::1%25eth0]", `bad IPv6 reference "[fe80::1%25eth0]"`},
		{"sip:1.2.3.444", `bad IPv4 address "1.2.3.444"`},
		{"sip:1.2.3", `bad IPv4 address "1.2.3"`},
		{"sip:iñaki.com", `bad character 'Ã' in host "iñaki.com"`}, // %q of the byte 0xc3
		{"tel:", "tel URI without a number"},
		{"tel:;a=b", "tel URI without a number"},
		{"tel:+1;", "tel parameters: empty parameter"},
		{"tel:%zz", `bad %-escape "%zz"`},
		{"mailto:", "empty URI after scheme"},
	}
	for _, tt := range tests {
		_, err := ParseURI(tt.in)
		if err == nil || err.Error() != tt.err {
			t.Errorf("ParseURI(%q) error = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestMustParseURI(t *testing.T) {
	if u := MustParseURI("sip:a@b"); u.String() != "sip:a@b" {
		t.Errorf("MustParseURI = %v", u)
	}
	defer func() {
		r := recover()
		if r != `sip: MustParseURI("sip:"): empty host` {
			t.Errorf("panic = %v", r)
		}
	}()
	MustParseURI("sip:")
}

func TestURIString(t *testing.T) {
	tests := []struct {
		u    URI
		want string
	}{
		{URI{}, ""},
		{URI{Scheme: "sip", User: "Iñaki ðđ", Host: "jssip.net"}, "sip:I%C3%B1aki%20%C3%B0%C4%91@jssip.net"},
		{URI{Scheme: "sip", User: "a@b:c", Password: "p@s:s w", Host: "x"}, "sip:a%40b%3Ac:p%40s%3As%20w@x"},
		{URI{Scheme: "sip", User: "-_.!~*'()&=+$,;?/", Host: "x"}, "sip:-_.!~*'()&=+$,;?/@x"},
		{URI{Scheme: "sip", User: "#%<>", Host: "x"}, "sip:%23%25%3C%3E@x"},
		{URI{Scheme: "sip", Password: "ignored", Host: "x"}, "sip:x"},
		{URI{Scheme: "sips", Host: "[::1]", Port: 5061}, "sips:[::1]:5061"},
		{URI{Scheme: "sip", Host: "x", Params: Params{{"lr", ""}, {"transport", "ws"}}, Headers: Params{{"a", "1"}, {"b", ""}}},
			"sip:x;lr;transport=ws?a=1&b="},
		{URI{Scheme: "tel", User: "+1 (212)", Params: Params{{"ext", "1"}}}, "tel:+1%20(212);ext=1"},
		{URI{Scheme: "urn", Opaque: "service:sos"}, "urn:service:sos"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.u, got, tt.want)
		}
		if got := string(tt.u.AppendTo([]byte("x"))); got != "x"+tt.want {
			t.Errorf("AppendTo = %q", got)
		}
	}
}

func TestURIHelpers(t *testing.T) {
	u := MustParseURI("sip:alice:pw@Atlanta.com:5070;transport=tcp?subject=x")
	if !u.IsSIP() || u.HostPort() != "atlanta.com:5070" || u.AOR() != "sip:alice@atlanta.com" {
		t.Errorf("IsSIP %v HostPort %q AOR %q", u.IsSIP(), u.HostPort(), u.AOR())
	}
	if v := MustParseURI("sips:b"); !v.IsSIP() || v.HostPort() != "b" {
		t.Errorf("sips: IsSIP %v HostPort %q", v.IsSIP(), v.HostPort())
	}
	tel := MustParseURI("tel:+1234")
	if tel.IsSIP() || tel.AOR() != "tel:+1234" {
		t.Errorf("tel: IsSIP %v AOR %q", tel.IsSIP(), tel.AOR())
	}
	if urn := MustParseURI("urn:a:b"); urn.AOR() != "urn:a:b" {
		t.Errorf("urn AOR %q", urn.AOR())
	}
	c := u.Clone()
	c.Params.Set("transport", "udp")
	c.Headers[0].Value = "y"
	if u.String() != "sip:alice:pw@atlanta.com:5070;transport=tcp?subject=x" {
		t.Errorf("Clone shares with the original: %v", u)
	}
	if got := Escape("a b@c;d"); got != "a%20b%40c;d" {
		t.Errorf("Escape = %q", got)
	}
}

// TestURIEqual uses the examples of RFC 3261 §19.1.4.
func TestURIEqual(t *testing.T) {
	equal := [][2]string{
		{"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
		{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
		{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
			"sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
		{"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
			"sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
		// Equality is not transitive (§19.1.4): both equal the bare URI.
		{"sip:carol@chicago.com;security=off", "sip:carol@chicago.com"},
		// Beyond the RFC's list.
		{"sip:a@b;lr", "sip:a@b"},
		{"sip:a@b?H=%61", "sip:a@b?h=a"},
		{"sip:a@b;maddr=X.com", "sip:a@b;MADDR=x.com"},
		{"sip:a@[2001:DB8::1]", "sip:a@[2001:db8::1]"},
		{"tel:+1-201-555-0123", "tel:+1.201.555.0123"},
		{"tel:+1(201)5550123;Phone-Context=X", "tel:+12015550123;phone-context=x"},
		{"urn:a:b", "URN:a:b"},
		// §19.1.4: characters other than reserved ones equal their %HH.
		{"sip:alice@atlanta.com?subject=project%20x", "sip:alice@atlanta.com?subject=%70roject%20x"},
		{"sip:a@b;p=%61%62", "sip:a@b;p=ab"},
		{"sip:a@b?h=%7E%2d", "sip:a@b?h=~-"},
		{"sip:a@b?h=a%2bb", "sip:a@b?h=a%2Bb"},
		{"sip:a@b?to=sip%3abob%40x", "sip:a@b?to=sip%3Abob%40x"},
		// A sloppy '@' in a header is the %40 it should have been.
		{"sip:carol@biloxi.com?to=sip:bob@biloxi.com", "sip:carol@biloxi.com?to=sip:bob%40biloxi.com"},
	}
	notEqual := [][2]string{
		{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
		{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
		{"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
		// Beyond the RFC's list.
		{"sips:a@b", "sip:a@b"},
		{"sip:a:p@b", "sip:a@b"},
		{"sip:a@b;user=phone", "sip:a@b"},
		{"sip:a@b;ttl=1", "sip:a@b"},
		{"sip:a@b;method=INVITE", "sip:a@b"},
		{"sip:a@b;maddr=x", "sip:a@b"},
		{"sip:a@b?h=1", "sip:a@b?h=1&h=1"},
		{"sip:a@b?h=1", "sip:a@b?h=2"},
		{"sip:a@b?h=1", "sip:a@b?i=1"},
		{"tel:+1234", "tel:+1234;ext=1"},
		{"tel:+1234;ext=1", "tel:+1234;ext=2"},
		{"tel:+1234", "sip:+1234@x"},
		{"urn:a:b", "urn:a:B"},
		// §19.1.4: an escaped reserved character is not the plain one.
		{"sip:a@b;p=a%2Bb", "sip:a@b;p=a+b"},
		{"sip:a@b?h=a%2Bb", "sip:a@b?h=a+b"},
		{"sip:biloxi.com?to=sip%3Abob%40biloxi.com", "sip:biloxi.com?to=sip:bob%40biloxi.com"},
		{"sip:a@b;maddr=x%2Fy", "sip:a@b;maddr=x/y"},
	}
	for _, p := range equal {
		a, b := MustParseURI(p[0]), MustParseURI(p[1])
		if !a.Equal(b) || !b.Equal(a) {
			t.Errorf("%s and %s should be equal", p[0], p[1])
		}
	}
	for _, p := range notEqual {
		a, b := MustParseURI(p[0]), MustParseURI(p[1])
		if a.Equal(b) || b.Equal(a) {
			t.Errorf("%s and %s should differ", p[0], p[1])
		}
	}
}

func TestParseHost(t *testing.T) {
	tests := []struct {
		in   string
		want HostType
		err  string
	}{
		{"versatica.com", HostDomain, ""},
		{"my_host-1", HostDomain, ""},
		{"example.com.", HostDomain, ""},
		{"1.2.3.bar", HostDomain, ""},
		{"1.2.3.4", HostIPv4, ""},
		{"[1:0:fF::432]", HostIPv6, ""},
		{"[::ffff:1.2.3.4]", HostIPv6, ""},
		{"", 0, "empty host"},
		{"[", 0, `bad IPv6 reference "["`},
		{"[]", 0, `bad IPv6 reference "[]"`},
		{"[::1", 0, `bad IPv6 reference "[::1"`},
		{"[1.2.3.4]", 0, `bad IPv6 reference "[1.2.3.4]"`},
		{"1.2.3.444", 0, `bad IPv4 address "1.2.3.444"`},
		{"1234", 0, `bad IPv4 address "1234"`},
		{".a", 0, `empty label in host ".a"`},
		{"a b", 0, `bad character ' ' in host "a b"`},
	}
	for _, tt := range tests {
		got, err := ParseHost(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseHost(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseHost(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	names := map[HostType]string{HostDomain: "domain", HostIPv4: "IPv4", HostIPv6: "IPv6", 0: "invalid"}
	for ht, want := range names {
		if ht.String() != want {
			t.Errorf("HostType(%d).String() = %q, want %q", ht, ht.String(), want)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"abc", "abc", ""},
		{"%61%62c", "abc", ""},
		{"%c3%B1", "ñ", ""},
		{"100%", "", `bad %-escape "%"`},
		{"%4", "", `bad %-escape "%4"`},
		{"%g1", "", `bad %-escape "%g1"`},
	}
	for _, tt := range tests {
		got, err := unescape(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("unescape(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			if lax := unescapeLax(tt.in); lax != tt.in {
				t.Errorf("unescapeLax(%q) = %q", tt.in, lax)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("unescape(%q) = %q, %v", tt.in, got, err)
		}
	}
	if got := lowerASCII("AbC"); got != "abc" {
		t.Errorf("lowerASCII = %q", got)
	}
	if got := lowerASCII("a-b"); got != "a-b" {
		t.Errorf("lowerASCII = %q", got)
	}
}
