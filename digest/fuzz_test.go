package digest

import (
	"reflect"
	"testing"
)

// fuzzSeeds are header values of both kinds, valid and not.
var fuzzSeeds = []string{
	`Digest realm="r", nonce="n"`,
	"Digest realm =  \"[1:ABCD::abc]\", nonce =  \"31d0a89ed7781ce6877de5cb032bf114\", qop=\"AUTH,autH-INt\", algorithm =  md5  ,  stale =  TRUE , opaque = \"00000188\"",
	"Digest\r\n realm=\"a\\\"b\",\r\n\tnonce=tok, domain=\"sip:a sip:b\", charset=utf-8, userhash=true, x=\"\\\x01\"",
	`Digest realm="r", nonce="n", algorithm=AKAv1-MD5, qop="auth-conf", x-y=a=b`,
	`Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"`,
	`Digest username*=UTF-8''J%C3%A4s%C3%B8n, realm="r", nonce="n", uri="/", response="x", userhash=true`,
	`Basic dXNlcjpwYXNz`,
	`Digest realm="unterminated`,
	"Digest realm=\"r\"\r\nx",
	"",
}

// FuzzParseChallenge checks that ParseChallenge never panics and that
// whatever it accepts prints to a value that parses back to the same
// challenge and prints the same again.
func FuzzParseChallenge(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ch, err := ParseChallenge(in)
		if err != nil {
			return
		}
		out := ch.String()
		again, err := ParseChallenge(out)
		if err != nil {
			t.Fatalf("ParseChallenge(%q) = %#v\nprinted %q, which does not parse: %v", in, ch, out, err)
		}
		if !reflect.DeepEqual(again, ch) {
			t.Fatalf("round trip of %q\n  %#v\n→ %q\n→ %#v", in, ch, out, again)
		}
		if again.String() != out {
			t.Fatalf("String not stable: %q then %q", out, again.String())
		}
		_, _ = Select([]Challenge{ch})
	})
}

// FuzzParseCredentials is FuzzParseChallenge for ParseCredentials.
func FuzzParseCredentials(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cr, err := ParseCredentials(in)
		if err != nil {
			return
		}
		out := cr.String()
		again, err := ParseCredentials(out)
		if err != nil {
			t.Fatalf("ParseCredentials(%q) = %#v\nprinted %q, which does not parse: %v", in, cr, out, err)
		}
		if !reflect.DeepEqual(again, cr) {
			t.Fatalf("round trip of %q\n  %#v\n→ %q\n→ %#v", in, cr, out, again)
		}
		if again.String() != out {
			t.Fatalf("String not stable: %q then %q", out, again.String())
		}
		s := &Server{Realm: cr.Realm, Secret: []byte("k")}
		_ = s.Verify(cr, "REGISTER", nil, users)
	})
}
