package sip

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want Address
		str  string
	}{
		{"<sip:a@b>", Address{URI: URI{Scheme: "sip", User: "a", Host: "b"}}, "<sip:a@b>"},
		{"sip:a@b", Address{URI: URI{Scheme: "sip", User: "a", Host: "b"}}, "<sip:a@b>"},
		{"Bob <sip:bob@b>;tag=a48s",
			Address{DisplayName: "Bob", URI: URI{Scheme: "sip", User: "bob", Host: "b"}, Params: Params{{"tag", "a48s"}}},
			`"Bob" <sip:bob@b>;tag=a48s`},
		{`"A \"q\" \\" <sip:a@b>`, Address{DisplayName: `A "q" \`, URI: URI{Scheme: "sip", User: "a", Host: "b"}},
			`"A \"q\" \\" <sip:a@b>`},
		{`"Foo"<sip:a@b>`, Address{DisplayName: "Foo", URI: URI{Scheme: "sip", User: "a", Host: "b"}}, `"Foo" <sip:a@b>`},
		{`"" <sip:a@b>`, Address{URI: URI{Scheme: "sip", User: "a", Host: "b"}}, "<sip:a@b>"},
		{"A  B\tC <sip:a@b>", Address{DisplayName: "A B C", URI: URI{Scheme: "sip", User: "a", Host: "b"}}, `"A B C" <sip:a@b>`},
		{"Foo.Bar!~<sip:a@b>", Address{DisplayName: "Foo.Bar!~", URI: URI{Scheme: "sip", User: "a", Host: "b"}}, `"Foo.Bar!~" <sip:a@b>`},
		// Parameters inside the brackets belong to the URI, after them to the header.
		{"<sip:a@b;lr>;x=1", Address{URI: URI{Scheme: "sip", User: "a", Host: "b", Params: Params{{"lr", ""}}}, Params: Params{{"x", "1"}}},
			"<sip:a@b;lr>;x=1"},
		{"<sip:a@b;transport=ws?Subject=x>", Address{URI: URI{Scheme: "sip", User: "a", Host: "b",
			Params: Params{{"transport", "ws"}}, Headers: Params{{"Subject", "x"}}}}, "<sip:a@b;transport=ws?Subject=x>"},
		// In an addr-spec every parameter is a header parameter (RFC 3261 §20).
		{"sip:x;tag=1", Address{URI: URI{Scheme: "sip", Host: "x"}, Params: Params{{"tag", "1"}}}, "<sip:x>;tag=1"},
		{"sip:alice;day=tue@x;tag=2", Address{URI: URI{Scheme: "sip", User: "alice;day=tue", Host: "x"}, Params: Params{{"tag", "2"}}},
			"<sip:alice;day=tue@x>;tag=2"},
		{"sip:a@b ;tag=1", Address{URI: URI{Scheme: "sip", User: "a", Host: "b"}, Params: Params{{"tag", "1"}}}, "<sip:a@b>;tag=1"},
		{"tel:+1234;tag=x", Address{URI: URI{Scheme: "tel", User: "+1234"}, Params: Params{{"tag", "x"}}}, "<tel:+1234>;tag=x"},
		{"<urn:uuid:1>", Address{URI: URI{Scheme: "urn", Opaque: "uuid:1"}}, "<urn:uuid:1>"},
		// White space around every part.
		{"\t\"x\"\t< sip:a@b >\t;\ttag = 1 ", Address{DisplayName: "x", URI: URI{Scheme: "sip", User: "a", Host: "b"}, Params: Params{{"tag", "1"}}},
			`"x" <sip:a@b>;tag=1`},
		{`<sip:a@b>;+sip.instance="<urn:uuid:x>";reg-id=1`, Address{URI: URI{Scheme: "sip", User: "a", Host: "b"},
			Params: Params{{"+sip.instance", `"<urn:uuid:x>"`}, {"reg-id", "1"}}}, `<sip:a@b>;+sip.instance="<urn:uuid:x>";reg-id=1`},
		{"*", Address{Wildcard: true}, "*"},
		{"* ;expires=0", Address{Wildcard: true, Params: Params{{"expires", "0"}}}, "*;expires=0"},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if err != nil {
			t.Errorf("ParseAddress(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddress(%q) =\n%#v, want\n%#v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseAddress(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		again, err := ParseAddress(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("ParseAddress(%q) again = %#v, %v", got.String(), again, err)
		}
	}
}

func TestParseAddressErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "empty address"},
		{"  ", "empty address"},
		{`"unterminated <sip:x>`, "display name: unterminated quoted string"},
		{`"x" sip:a@b`, "display name not followed by '<'"},
		{`"x"`, "display name not followed by '<'"},
		{"Foo/Bar <sip:x>", `bad character '/' in display name`},
		{"<sip:x", "'<' without '>'"},
		{"sip:x?h=1", "URI with headers must be enclosed in '<' '>'"},
		{"<sip:x>;", "empty parameter"},
		{"<sip:x>;a=", `parameter "a" has an empty value`},
		{"<sip:x>;a=\"b", "unterminated quoted string"},
		{"<sip:x>;?", `bad character '?' in parameter name`},
		{"<sip:x> y", `unexpected "y" after address`},
		{"sip:a@b,", `unexpected "," after address`},
		{"a@b <sip:x>", "URI has no scheme"},
		{"<>", "URI has no scheme"},
		{"<sip:>", "empty host"},
		{"*;", "empty parameter"},
	}
	for _, tt := range tests {
		_, err := ParseAddress(tt.in)
		if err == nil || err.Error() != tt.err {
			t.Errorf("ParseAddress(%q) error = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"<sip:a>, <sip:b>", []string{"<sip:a>", "<sip:b>"}, ""},
		{"sip:a@b, tel:1;x=y", []string{"<sip:a@b>", "<tel:1>;x=y"}, ""},
		{`"a,b" <sip:a>;x="1,2" ,<sip:b>`, []string{`"a,b" <sip:a>;x="1,2"`, "<sip:b>"}, ""},
		{"*", []string{"*"}, ""},
		{"<sip:a> <sip:b>", nil, `unexpected "<sip:b>" after address`},
		{"<sip:a>,", nil, "empty address"},
		{"<sip:a>, <sip:>", nil, "empty host"},
	}
	for _, tt := range tests {
		as, err := ParseAddressList(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseAddressList(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		var got []string
		for _, a := range as {
			got = append(got, a.String())
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddressList(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestAddressHelpers(t *testing.T) {
	a, err := ParseAddress(`"Alice" <sip:alice@atlanta.com;lr>;tag=1928301774;x`)
	if err != nil {
		t.Fatal(err)
	}
	if a.Tag() != "1928301774" {
		t.Errorf("Tag = %q", a.Tag())
	}
	c := a.Clone()
	c.Params.Set("tag", "2")
	c.URI.Params.Set("lr", "x")
	if a.String() != `"Alice" <sip:alice@atlanta.com;lr>;tag=1928301774;x` {
		t.Errorf("Clone shares with the original: %v", a)
	}
	if got := string(a.AppendTo([]byte("To: "))); got != `To: "Alice" <sip:alice@atlanta.com;lr>;tag=1928301774;x` {
		t.Errorf("AppendTo = %q", got)
	}
	if b := (Address{URI: MustParseURI("sip:b")}); b.Tag() != "" {
		t.Errorf("Tag of an untagged address = %q", b.Tag())
	}
}

func TestHeaderAddresses(t *testing.T) {
	msg, err := Parse([]byte("INVITE sip:b SIP/2.0\r\n" +
		"f: Alice <sip:alice@a>;tag=1\r\n" +
		"t: sip:bob@b\r\n" +
		"m: <sip:a@1.2.3.4>;expires=60, <sip:b@5.6.7.8>;q=0.5\r\n" +
		"Contact: *\r\n" +
		"Route: <sip:p1;lr>, <sip:p2;lr>\r\nRoute: <sip:p3;lr>\r\n" +
		"Record-Route: <sip:rr;lr>\r\n" +
		"Bad: <sip:x\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header()
	from, err := h.From()
	if err != nil || from.DisplayName != "Alice" || from.Tag() != "1" {
		t.Errorf("From = %#v, %v", from, err)
	}
	to, err := h.To()
	if err != nil || to.String() != "<sip:bob@b>" {
		t.Errorf("To = %v, %v", to, err)
	}
	contacts, err := h.Contact()
	if err != nil || len(contacts) != 3 || !contacts[2].Wildcard || contacts[1].URI.Host != "5.6.7.8" {
		t.Errorf("Contact = %v, %v", contacts, err)
	}
	route, err := h.Route()
	if err != nil || len(route) != 3 || route[2].URI.Host != "p3" {
		t.Errorf("Route = %v, %v", route, err)
	}
	rr, err := h.RecordRoute()
	if err != nil || len(rr) != 1 {
		t.Errorf("Record-Route = %v, %v", rr, err)
	}
	if _, err := h.Addresses("Bad"); err == nil || err.Error() != "sip: bad Bad at offset 212: '<' without '>'" {
		t.Errorf("Addresses(Bad) error = %v", err)
	}
	if as, err := h.Addresses("Path"); as != nil || err != nil {
		t.Errorf("Addresses(Path) = %v, %v", as, err)
	}
	var empty Header
	if _, err := empty.From(); err == nil || err.Error() != "sip: missing From header" || !errors.Is(err, ErrMissingHeader) {
		t.Errorf("From of an empty header: %v", err)
	}
}
