package digest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenge(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Challenge
	}{
		{
			name: "minimal",
			in:   `Digest realm="r", nonce="n"`,
			want: Challenge{Realm: "r", Nonce: "n"},
		},
		{
			name: "Kamailio",
			in:   `Digest realm="example.com", nonce="ZN3e0WTd3aWeYH9RLnWeZ3g0M3q7EXDf", qop="auth", algorithm=MD5`,
			want: Challenge{Realm: "example.com", Nonce: "ZN3e0WTd3aWeYH9RLnWeZ3g0M3q7EXDf", QOP: []QOP{QOPAuth}, Algorithm: MD5},
		},
		{
			name: "Asterisk",
			in:   `Digest realm="asterisk",nonce="1700000000/5f4dcc3b5aa765d61d8327deb882cf99",opaque="0a1b2c3d4e5f",algorithm=md5,qop="auth"`,
			want: Challenge{Realm: "asterisk", Nonce: "1700000000/5f4dcc3b5aa765d61d8327deb882cf99", Opaque: "0a1b2c3d4e5f", Algorithm: MD5, QOP: []QOP{QOPAuth}},
		},
		{
			name: "scheme and names in any case, LWS around = and ,",
			in:   "dIgEsT  REALM \t=\t \"r\"  ,NONCE= \"n\" , Stale = TRUE ,Algorithm = sha-512-256-SESS, QOP=\"AUTH-INT , Auth\"",
			want: Challenge{Realm: "r", Nonce: "n", Stale: true, Algorithm: SHA512_256Sess, QOP: []QOP{QOPAuthInt, QOPAuth}},
		},
		{
			name: "line folding around = and , and inside a quoted string",
			in:   "Digest realm\r\n =\r\n\t\"a\r\n b\",\r\n nonce=\"n\"\n ,opaque=\"o\"",
			want: Challenge{Realm: "a b", Nonce: "n", Opaque: "o"},
		},
		{
			name: "escapes in quoted strings",
			in:   `Digest realm="say \"hi\" \\ \o/", nonce="n"`,
			want: Challenge{Realm: `say "hi" \ o/`, Nonce: "n"},
		},
		{
			name: "token values, unquoted base64 nonce",
			in:   `Digest realm=r, nonce=abc/def+ghi==, opaque=x`,
			want: Challenge{Realm: "r", Nonce: "abc/def+ghi==", Opaque: "x"},
		},
		{
			name: "quoted algorithm and stale, stale false",
			in:   `Digest realm="r", nonce="n", algorithm="SHA-256", stale="false"`,
			want: Challenge{Realm: "r", Nonce: "n", Algorithm: SHA256},
		},
		{
			name: "stale other than true is false",
			in:   `Digest realm="r", nonce="n", stale=yes`,
			want: Challenge{Realm: "r", Nonce: "n"},
		},
		{
			name: "domain, charset, userhash",
			in:   `Digest realm="r", domain="sip:a.example  sip:b.example", nonce="n", charset=utf-8, userhash=TRUE`,
			want: Challenge{Realm: "r", Domain: []string{"sip:a.example", "sip:b.example"}, Nonce: "n", Charset: "UTF-8", Userhash: true},
		},
		{
			name: "unknown algorithm and qop kept",
			in:   `Digest realm="ims", nonce="n", algorithm=AKAv1-MD5, qop="auth-conf"`,
			want: Challenge{Realm: "ims", Nonce: "n", Algorithm: "AKAv1-MD5", QOP: []QOP{"auth-conf"}},
		},
		{
			name: "unknown parameters kept in order",
			in:   `Digest foo=bar, realm="r", x-quoted="a b", nonce="n", x-token="tok", x-nontoken=a=b`,
			want: Challenge{Realm: "r", Nonce: "n", Params: []Param{
				{Name: "foo", Value: "bar"},
				{Name: "x-quoted", Value: "a b", Quoted: true},
				{Name: "x-token", Value: "tok", Quoted: true},
				{Name: "x-nontoken", Value: "a=b", Quoted: true},
			}},
		},
		{
			name: "empty list elements and surrounding white space",
			in:   "  Digest ,realm=\"r\",,, nonce=\"n\",  ",
			want: Challenge{Realm: "r", Nonce: "n"},
		},
		{
			name: "empty qop list",
			in:   `Digest realm="", nonce="", qop=" , "`,
			want: Challenge{},
		},
		{
			name: "UTF-8 realm",
			in:   `Digest realm="Zürich ☎", nonce="n"`,
			want: Challenge{Realm: "Zürich ☎", Nonce: "n"},
		},
		{
			name: "trailing CRLF",
			in:   "Digest realm=\"r\", nonce=\"n\"\r\n",
			want: Challenge{Realm: "r", Nonce: "n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChallenge(tt.in)
			if err != nil {
				t.Fatalf("ParseChallenge(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseChallenge(%q)\n = %#v\nwant %#v", tt.in, got, tt.want)
			}
			again, err := ParseChallenge(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("round trip of %q = %#v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseChallengeErrors(t *testing.T) {
	tests := []struct {
		in     string
		is     error
		substr string
	}{
		{"", ErrSyntax, "want an authentication scheme"},
		{"   ", ErrSyntax, "want an authentication scheme"},
		{`Basic realm="r"`, ErrScheme, `scheme "Basic"`},
		{`Bearer realm="r", nonce="n"`, ErrScheme, `"Bearer"`},
		{`Digest`, ErrSyntax, `"realm" is missing`},
		{`Digest nonce="n"`, ErrSyntax, `"realm" is missing`},
		{`Digest realm="r"`, ErrSyntax, `"nonce" is missing`},
		{`Digest realm="r", realm="s", nonce="n"`, ErrSyntax, `parameter "realm" at offset 18: given twice`},
		{`Digest realm="r", nonce="n", NONCE="m"`, ErrSyntax, `"NONCE" at offset 29: given twice`},
		{`Digest realm="r`, ErrSyntax, "offset 13: unterminated quoted string"},
		{`Digest realm="r\`, ErrSyntax, "ends with a backslash"},
		{`Digest realm`, ErrSyntax, `parameter "realm" at offset 7: no "=" after the name`},
		{`Digest realm=`, ErrSyntax, `parameter "realm" at offset 7: no value`},
		{`Digest realm=, nonce="n"`, ErrSyntax, `want a token or a quoted string`},
		{`Digest realm="r" nonce="n"`, ErrSyntax, `parameter "realm" at offset 7: unexpected 'n' after the value`},
		{`Digest realm="r"x, nonce="n"`, ErrSyntax, `unexpected 'x' after the value`},
		{`Digest "realm"="r"`, ErrSyntax, `offset 7: unexpected '"', want a parameter name`},
		{`Digest realm=a"b", nonce="n"`, ErrSyntax, `unexpected '"' after the value`},
		{`Digest, realm="r"`, ErrSyntax, `unexpected ',' after scheme "Digest"`},
		{"Digest realm=\"r\r\nx\", nonce=\"n\"", ErrSyntax, "offset 15: line break not followed by white space in a quoted string"},
		{"Digest realm=\"r\",\r\nnonce=\"n\"", ErrSyntax, "offset 17: line break not followed by white space"},
		{"Digest realm=\"r\\\r\n x\", nonce=\"n\"", ErrSyntax, "backslash before a line break"},
		{"Digest realm=\"r\x00\", nonce=\"n\"", ErrSyntax, "control character 0x00"},
		{"Digest realm=\"r\x7f\", nonce=\"n\"", ErrSyntax, "control character 0x7f"},
		{"Digest realm=r\x01, nonce=\"n\"", ErrSyntax, `unexpected '\x01' after the value`},
		{"Digest realm=\xc3\xa9, nonce=\"n\"", ErrSyntax, "want a token or a quoted string"},
	}
	for _, tt := range tests {
		_, err := ParseChallenge(tt.in)
		if !errors.Is(err, tt.is) || !strings.Contains(fmt_(err), tt.substr) {
			t.Errorf("ParseChallenge(%q) = %v, want %v containing %q", tt.in, err, tt.is, tt.substr)
		}
	}
}

// fmt_ returns err's text or "<nil>".
func fmt_(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestChallengeString(t *testing.T) {
	tests := []struct {
		ch   Challenge
		want string
	}{
		{Challenge{Realm: "r", Nonce: "n"}, `Digest realm="r", nonce="n"`},
		{
			Challenge{Realm: "example.com", Domain: []string{"sip:a", "sip:b"}, Nonce: "abc", Opaque: "o", Stale: true, Algorithm: SHA256, QOP: []QOP{QOPAuth, QOPAuthInt}, Charset: "UTF-8", Userhash: true,
				Params: []Param{{Name: "x", Value: "y"}, {Name: "z", Value: "a b"}, {Name: "q", Value: "tok", Quoted: true}}},
			`Digest realm="example.com", domain="sip:a sip:b", nonce="abc", opaque="o", stale=true, algorithm=SHA-256, qop="auth,auth-int", charset=UTF-8, userhash=true, x=y, z="a b", q="tok"`,
		},
		{Challenge{Realm: `a"b\c`, Nonce: "n\r\nVia: x", Algorithm: "weird alg"}, `Digest realm="a\"b\\c", nonce="n  Via: x", algorithm="weird alg"`},
		{Challenge{Realm: "r", Nonce: "n", Params: []Param{{Name: "bad name", Value: "v"}, {Name: "Realm", Value: "dup"}}}, `Digest realm="r", nonce="n"`},
		{Challenge{Realm: "\x01", Nonce: "\t"}, "Digest realm=\"\\\x01\", nonce=\"\t\""},
	}
	for _, tt := range tests {
		if got := tt.ch.String(); got != tt.want {
			t.Errorf("String() = %s\n       want %s", got, tt.want)
		}
		if _, err := ParseChallenge(tt.ch.String()); err != nil {
			t.Errorf("ParseChallenge(%q): %v", tt.ch.String(), err)
		}
	}
}

func TestParseCredentials(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Credentials
	}{
		{
			name: "RFC 2617 §3.5",
			in: "Digest username=\"Mufasa\",\r\n realm=\"testrealm@host.com\",\r\n nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n uri=\"/dir/index.html\",\r\n" +
				" qop=auth,\r\n nc=00000001,\r\n cnonce=\"0a4f113b\",\r\n response=\"6629fae49393a05397450978507c4ef1\",\r\n opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
			want: Credentials{Username: "Mufasa", Realm: "testrealm@host.com", Nonce: rfc2617Nonce, URI: "/dir/index.html", QOP: QOPAuth, NC: 1,
				CNonce: "0a4f113b", Response: "6629fae49393a05397450978507c4ef1", Opaque: rfc2617Opaque},
		},
		{
			name: "curl style: quoted qop and algorithm, no spaces",
			in:   `digest username="u",realm="r",nonce="n",uri="sip:r",cnonce="c",nc=0000000f,response="x",qop="AUTH",algorithm="md5-sess"`,
			want: Credentials{Username: "u", Realm: "r", Nonce: "n", URI: "sip:r", CNonce: "c", NC: 15, Response: "x", QOP: QOPAuth, Algorithm: MD5Sess},
		},
		{
			name: "RFC 2069 style, unknown params",
			in:   `Digest username="u", realm="r", nonce="n", uri="sip:r", response="x", x-foo=bar`,
			want: Credentials{Username: "u", Realm: "r", Nonce: "n", URI: "sip:r", Response: "x", Params: []Param{{Name: "x-foo", Value: "bar"}}},
		},
		{
			name: "username* and userhash",
			in:   `Digest username*=UTF-8'en'J%C3%A4s%C3%B8n%20Doe+1, realm="r", nonce="n", uri="/", response="x", userhash=false`,
			want: Credentials{Username: "Jäsøn Doe+1", Realm: "r", Nonce: "n", URI: "/", Response: "x"},
		},
		{
			name: "hashed username",
			in:   `Digest username="a947aad2", realm="r", nonce="n", uri="/", response="x", userhash=true`,
			want: Credentials{Username: "a947aad2", Realm: "r", Nonce: "n", URI: "/", Response: "x", Userhash: true},
		},
		{
			name: "nc at maximum",
			in:   `Digest username="u", realm="r", nonce="n", uri="/", response="x", qop=auth, nc=ffffffff, cnonce=""`,
			want: Credentials{Username: "u", Realm: "r", Nonce: "n", URI: "/", Response: "x", QOP: QOPAuth, NC: 0xffffffff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCredentials(tt.in)
			if err != nil {
				t.Fatalf("ParseCredentials(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseCredentials(%q)\n = %#v\nwant %#v", tt.in, got, tt.want)
			}
			again, err := ParseCredentials(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("round trip of %q = %#v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	const base = `username="u", realm="r", nonce="n", uri="/", response="x"`
	tests := []struct {
		in     string
		is     error
		substr string
	}{
		{`Basic dXNlcjpwYXNz`, ErrScheme, `scheme "Basic"`},
		{`Digest realm="r", nonce="n", uri="/", response="x"`, ErrSyntax, `"username" is missing`},
		{`Digest username="u", nonce="n", uri="/", response="x"`, ErrSyntax, `"realm" is missing`},
		{`Digest username="u", realm="r", uri="/", response="x"`, ErrSyntax, `"nonce" is missing`},
		{`Digest username="u", realm="r", nonce="n", response="x"`, ErrSyntax, `"uri" is missing`},
		{`Digest username="u", realm="r", nonce="n", uri="/"`, ErrSyntax, `"response" is missing`},
		{`Digest ` + base + `, qop=auth, nc=00000001`, ErrSyntax, `"cnonce" is missing (required with qop=auth)`},
		{`Digest ` + base + `, qop=auth, cnonce="c"`, ErrSyntax, `"nc" is missing`},
		{`Digest ` + base + `, qop=auth, cnonce="c", nc=1`, ErrSyntax, `parameter "nc" at offset 88: "1" is not 8 hex digits`},
		{`Digest ` + base + `, qop=auth, cnonce="c", nc=0000000A`, ErrSyntax, `"0000000A" is not 8 lowercase hex digits`},
		{`Digest ` + base + `, qop=auth, cnonce="c", nc=0000000g`, ErrSyntax, `not 8 lowercase hex digits`},
		{`Digest ` + base + `, qop=auth, cnonce="c", nc=00000000`, ErrSyntax, `starts at 00000001`},
		{`Digest ` + base + `, username*=UTF-8''x`, ErrSyntax, `"username" and "username*" are both present`},
		{`Digest username*=ISO-8859-1''x, realm="r", nonce="n", uri="/", response="x"`, ErrSyntax, `charset "ISO-8859-1" is not UTF-8`},
		{`Digest username*=UTF-8''%zz, realm="r", nonce="n", uri="/", response="x"`, ErrSyntax, `bad percent-encoding`},
		{`Digest username*=UTF-8''a%0D%0Ab, realm="r", nonce="n", uri="/", response="x"`, ErrSyntax, `control character 0x0d`},
		{`Digest username*=x, realm="r", nonce="n", uri="/", response="x"`, ErrSyntax, `not charset'language'value`},
		{`Digest ` + base + `, uri="/"`, ErrSyntax, `"uri" at offset 66: given twice`},
		{`Digest ` + base + `, response`, ErrSyntax, `no "="`},
	}
	for _, tt := range tests {
		_, err := ParseCredentials(tt.in)
		if !errors.Is(err, tt.is) || !strings.Contains(fmt_(err), tt.substr) {
			t.Errorf("ParseCredentials(%q) = %v, want %v containing %q", tt.in, err, tt.is, tt.substr)
		}
	}
}

func TestCredentialsString(t *testing.T) {
	cr := Credentials{Username: "Mufasa", Realm: "testrealm@host.com", Nonce: rfc2617Nonce, URI: "/dir/index.html", Response: "6629fae49393a05397450978507c4ef1",
		Algorithm: MD5, CNonce: "0a4f113b", Opaque: rfc2617Opaque, QOP: QOPAuth, NC: 1}
	want := `Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ` +
		`response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001`
	if got := cr.String(); got != want {
		t.Errorf("String() = %s\n       want %s", got, want)
	}
	cr = Credentials{Username: "u", Realm: "r", Nonce: "n", URI: "sip:a@b;transport=ws", Response: "x", Userhash: true, Params: []Param{{Name: "x-a", Value: "1"}}}
	want = `Digest username="u", realm="r", nonce="n", uri="sip:a@b;transport=ws", response="x", userhash=true, x-a=1`
	if got := cr.String(); got != want {
		t.Errorf("String() = %s\n       want %s", got, want)
	}
}
