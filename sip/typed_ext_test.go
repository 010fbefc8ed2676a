package sip

import (
	"errors"
	"reflect"
	"testing"
)

// checkErrText reports whether err's text is want ("" meaning no error).
func checkErrText(t *testing.T, what string, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return false
		}
		return true
	}
	if err == nil || err.Error() != want {
		t.Errorf("%s error = %v, want %q", what, err, want)
	}
	return false
}

func TestParseSessionExpires(t *testing.T) {
	tests := []struct {
		in   string
		want SessionExpires
		str  string
		err  string
	}{
		{"1800", SessionExpires{Delta: 1800}, "1800", ""},
		{"180;refresher=uac", SessionExpires{Delta: 180, Refresher: "uac"}, "180;refresher=uac", ""},
		{"210  ;   refresher  =  UAS ; foo  =  bar", SessionExpires{Delta: 210, Refresher: "uas", Params: Params{{"foo", "bar"}}},
			"210;refresher=uas;foo=bar", ""},
		{"90;x;Refresher=uac", SessionExpires{Delta: 90, Refresher: "uac", Params: Params{{"x", ""}}}, "90;refresher=uac;x", ""},
		{" 90\r\n ;refresher=uas", SessionExpires{Delta: 90, Refresher: "uas"}, "90;refresher=uas", ""},
		{"", SessionExpires{}, "", "delta-seconds: not a number"},
		{"abc", SessionExpires{}, "", "delta-seconds: not a number"},
		{"4294967296", SessionExpires{}, "", "delta-seconds: number larger than 2^32-1"},
		{"90;refresher=both", SessionExpires{}, "", `refresher "both" is neither uac nor uas`},
		{"90;refresher", SessionExpires{}, "", `refresher "" is neither uac nor uas`},
		{"90;", SessionExpires{}, "", "empty parameter"},
		{"90 x", SessionExpires{}, "", `unexpected "x" after value`},
	}
	for _, tt := range tests {
		got, err := ParseSessionExpires(tt.in)
		if !checkErrText(t, "ParseSessionExpires("+tt.in+")", err, tt.err) {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) || got.String() != tt.str {
			t.Errorf("ParseSessionExpires(%q) = %#v (%q), want %#v (%q)", tt.in, got, got.String(), tt.want, tt.str)
		}
	}
}

func TestParseRAck(t *testing.T) {
	tests := []struct {
		in   string
		want RAck
		err  string
	}{
		{"776656 1 INVITE", RAck{776656, 1, "INVITE"}, ""},
		{" 1\t 2  UPDATE ", RAck{1, 2, "UPDATE"}, ""},
		{"x 1 INVITE", RAck{}, "response number: not a number"},
		{"99999999999 1 INVITE", RAck{}, "response number: number larger than 2^32-1"},
		{"1", RAck{}, "no white space after the response number"},
		{"1x 1 INVITE", RAck{}, "no white space after the response number"},
		{"1 x INVITE", RAck{}, "sequence number: not a number"},
		{"1 1", RAck{}, "no white space between number and method"},
		{"1 1 IN VITE", RAck{}, `bad method "IN VITE"`},
	}
	for _, tt := range tests {
		got, err := ParseRAck(tt.in)
		if !checkErrText(t, "ParseRAck("+tt.in+")", err, tt.err) {
			continue
		}
		if got != tt.want {
			t.Errorf("ParseRAck(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
	if s := (RAck{776656, 1, "INVITE"}).String(); s != "776656 1 INVITE" {
		t.Errorf("String = %q", s)
	}
}

func TestParseReplaces(t *testing.T) {
	tests := []struct {
		in   string
		want Replaces
		str  string
		err  string
	}{
		{"5t2gpbrbi72v79p1i8mr;to-tag=03aq91cl9n;from-tag=kun98clbf7",
			Replaces{CallID: "5t2gpbrbi72v79p1i8mr", ToTag: "03aq91cl9n", FromTag: "kun98clbf7"},
			"5t2gpbrbi72v79p1i8mr;to-tag=03aq91cl9n;from-tag=kun98clbf7", ""},
		{"425928@bobster.example.org ; from-tag=6472;To-Tag=7743 ;early-only;x=1",
			Replaces{CallID: "425928@bobster.example.org", ToTag: "7743", FromTag: "6472", EarlyOnly: true, Params: Params{{"x", "1"}}},
			"425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only;x=1", ""},
		{"a(b)<c>:d\\\"/[]?{}e;to-tag=1;from-tag=2", Replaces{CallID: "a(b)<c>:d\\\"/[]?{}e", ToTag: "1", FromTag: "2"},
			"a(b)<c>:d\\\"/[]?{}e;to-tag=1;from-tag=2", ""},
		{"", Replaces{}, "", "empty Call-ID"},
		{";to-tag=1;from-tag=2", Replaces{}, "", "empty Call-ID"},
		{"a,b;to-tag=1;from-tag=2", Replaces{}, "", `bad character ',' in Call-ID`},
		{"a;from-tag=2", Replaces{}, "", "no to-tag"},
		{"a;to-tag;from-tag=2", Replaces{}, "", "no to-tag"},
		{"a;to-tag=1", Replaces{}, "", "no from-tag"},
		{"a;to-tag=1;from-tag=2;", Replaces{}, "", "empty parameter"},
		{"a b;to-tag=1;from-tag=2", Replaces{}, "", `unexpected "b;to-tag=1;from-tag=2" after value`},
	}
	for _, tt := range tests {
		got, err := ParseReplaces(tt.in)
		if !checkErrText(t, "ParseReplaces("+tt.in+")", err, tt.err) {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) || got.String() != tt.str {
			t.Errorf("ParseReplaces(%q) = %#v (%q), want %#v (%q)", tt.in, got, got.String(), tt.want, tt.str)
		}
	}
}

func TestParseReason(t *testing.T) {
	tests := []struct {
		in   string
		want Reason
		str  string
		err  string
	}{
		{`SIP  ; cause = 488 ; text = "Wrong SDP"`, Reason{Protocol: "SIP", Cause: 488, Text: "Wrong SDP"},
			`SIP;cause=488;text="Wrong SDP"`, ""},
		{"ISUP; cause=500 ; LALA = foo", Reason{Protocol: "ISUP", Cause: 500, Params: Params{{"LALA", "foo"}}},
			"ISUP;cause=500;LALA=foo", ""},
		{`Q.850;cause=16;text="Normal \"call\" clearing"`, Reason{Protocol: "Q.850", Cause: 16, Text: `Normal "call" clearing`},
			`Q.850;cause=16;text="Normal \"call\" clearing"`, ""},
		{"SIP;text=bare", Reason{Protocol: "SIP", Text: "bare"}, `SIP;text="bare"`, ""},
		{"SIP", Reason{Protocol: "SIP"}, "SIP", ""},
		{"", Reason{}, "", "empty protocol"},
		{";cause=1", Reason{}, "", `bad character ';' in protocol`},
		{"SIP;cause=abc", Reason{}, "", "cause: not a number"},
		{"SIP;cause=1x", Reason{}, "", `cause: unexpected "x" after number`},
		{"SIP;cause=1 x", Reason{}, "", `unexpected "x" after value`},
		{`SIP;text="open`, Reason{}, "", "unterminated quoted string"},
	}
	for _, tt := range tests {
		got, err := ParseReason(tt.in)
		if !checkErrText(t, "ParseReason("+tt.in+")", err, tt.err) {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) || got.String() != tt.str {
			t.Errorf("ParseReason(%q) = %#v (%q), want %#v (%q)", tt.in, got, got.String(), tt.want, tt.str)
		}
	}
}

func TestParseEvent(t *testing.T) {
	tests := []struct {
		in   string
		want Event
		str  string
		err  string
	}{
		{"Presence;Param1=QWe;paraM2", Event{Type: "Presence", Params: Params{{"Param1", "QWe"}, {"paraM2", ""}}},
			"Presence;Param1=QWe;paraM2", ""},
		{"presence.winfo ; id = 42", Event{Type: "presence.winfo", Params: Params{{"id", "42"}}}, "presence.winfo;id=42", ""},
		{"refer", Event{Type: "refer"}, "refer", ""},
		{"", Event{}, "", "empty event type"},
		{"/x", Event{}, "", `bad character '/' in event type`},
		{"presence x", Event{}, "", `unexpected "x" after value`},
		{"presence;", Event{}, "", "empty parameter"},
	}
	for _, tt := range tests {
		got, err := ParseEvent(tt.in)
		if !checkErrText(t, "ParseEvent("+tt.in+")", err, tt.err) {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) || got.String() != tt.str {
			t.Errorf("ParseEvent(%q) = %#v (%q), want %#v (%q)", tt.in, got, got.String(), tt.want, tt.str)
		}
	}
	e := func(s string) Event {
		ev, err := ParseEvent(s)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	if id := e("dialog;ID=7").ID(); id != "7" {
		t.Errorf("ID = %q", id)
	}
	matches := []struct {
		a, b string
		want bool
	}{
		{"foo;id=1234", "foo;param=abcd;id=1234", true},
		{"foo;id=1234", "Foo;id=1234", false},
		{"foo", "foo;x=1", true},
		{"foo;id=1", "foo", false},
		{"foo;id=a", "foo;id=A", false},
	}
	for _, m := range matches {
		if got := e(m.a).Matches(e(m.b)); got != m.want {
			t.Errorf("%q.Matches(%q) = %v", m.a, m.b, got)
		}
	}
}

func TestParseSubscriptionState(t *testing.T) {
	tests := []struct {
		in      string
		state   string
		expires uint32
		hasExp  bool
		retry   uint32
		hasRA   bool
		reason  string
		str     string
		err     string
	}{
		{"active;expires=600", StateActive, 600, true, 0, false, "", "active;expires=600", ""},
		{"Terminated ; Reason=Timeout; retry-after=30", StateTerminated, 0, false, 30, true, "timeout",
			"terminated;Reason=Timeout;retry-after=30", ""},
		{"pending", StatePending, 0, false, 0, false, "", "pending", ""},
		{"terminated;reason", StateTerminated, 0, false, 0, false, "", "terminated;reason", ""},
		{"", "", 0, false, 0, false, "", "", "empty subscription state"},
		{"active;expires=x", "", 0, false, 0, false, "", "", "expires: not a number"},
		{"terminated;retry-after=-1", "", 0, false, 0, false, "", "", "retry-after: not a number"},
		{`terminated;reason="x y"`, "", 0, false, 0, false, "", "", `reason "\"x y\"" is not a token`},
		{"active x", "", 0, false, 0, false, "", "", `unexpected "x" after value`},
		{"active;", "", 0, false, 0, false, "", "", "empty parameter"},
	}
	for _, tt := range tests {
		got, err := ParseSubscriptionState(tt.in)
		if !checkErrText(t, "ParseSubscriptionState("+tt.in+")", err, tt.err) {
			continue
		}
		exp, hasExp := got.Expires()
		retry, hasRA := got.RetryAfter()
		if got.State != tt.state || exp != tt.expires || hasExp != tt.hasExp || retry != tt.retry || hasRA != tt.hasRA ||
			got.Reason() != tt.reason || got.String() != tt.str {
			t.Errorf("ParseSubscriptionState(%q) = %q expires %d,%v retry %d,%v reason %q (%q)", tt.in,
				got.State, exp, hasExp, retry, hasRA, got.Reason(), got.String())
		}
	}
	// A value built by hand may hold a bad number; the methods then say so.
	bad := SubscriptionState{State: StateActive, Params: Params{{"expires", "soon"}}}
	if n, ok := bad.Expires(); n != 0 || ok {
		t.Errorf("Expires of a bad value = %d, %v", n, ok)
	}
}

func TestParseMediaType(t *testing.T) {
	tests := []struct {
		in   string
		want MediaType
		str  string
		err  string
	}{
		{"application/sdp", MediaType{Type: "application", Subtype: "sdp"}, "application/sdp", ""},
		{"Text / Plain ; charset = UTF-8", MediaType{Type: "Text", Subtype: "Plain", Params: Params{{"charset", "UTF-8"}}},
			"Text/Plain;charset=UTF-8", ""},
		{`multipart/mixed;boundary="a b"`, MediaType{Type: "multipart", Subtype: "mixed", Params: Params{{"boundary", `"a b"`}}},
			`multipart/mixed;boundary="a b"`, ""},
		{"*/*", MediaType{Type: "*", Subtype: "*"}, "*/*", ""},
		{"", MediaType{}, "", "empty media type"},
		{"/x", MediaType{}, "", `bad character '/' in media type`},
		{"text", MediaType{}, "", `media type "text" has no subtype`},
		{"text plain", MediaType{}, "", `media type "text" has no subtype`},
		{"text/", MediaType{}, "", `media type "text" has an empty subtype`},
		{"text/plain;", MediaType{}, "", "empty parameter"},
		{"text/plain x", MediaType{}, "", `unexpected "x" after value`},
		{"text/plain, text/html", MediaType{}, "", `unexpected ", text/html" after value`},
	}
	for _, tt := range tests {
		got, err := ParseMediaType(tt.in)
		if !checkErrText(t, "ParseMediaType("+tt.in+")", err, tt.err) {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) || got.String() != tt.str {
			t.Errorf("ParseMediaType(%q) = %#v (%q), want %#v (%q)", tt.in, got, got.String(), tt.want, tt.str)
		}
	}
	sdp := MediaType{Type: "Application", Subtype: "SDP"}
	for s, want := range map[string]bool{"application/sdp": true, "APPLICATION/sdp": true, "application/sdpx": false,
		"application-sdp": false, "application": false, "": false, "text/sdp": false} {
		if got := sdp.Is(s); got != want {
			t.Errorf("Is(%q) = %v", s, got)
		}
	}
	ranges := []struct {
		r    MediaType
		want bool
	}{
		{MediaType{Type: "*", Subtype: "*"}, true},
		{MediaType{Type: "application", Subtype: "*"}, true},
		{MediaType{Type: "APPLICATION", Subtype: "sdp"}, true},
		{MediaType{Type: "text", Subtype: "*"}, false},
		{MediaType{Type: "application", Subtype: "json"}, false},
	}
	for _, r := range ranges {
		if got := r.r.Match(sdp); got != r.want {
			t.Errorf("%v.Match(%v) = %v", r.r, sdp, got)
		}
	}
}

func TestParseContentDisposition(t *testing.T) {
	d, err := ParseContentDisposition("session ; handling=REQUIRED")
	if err != nil || d.Type != "session" || d.Handling() != "required" || d.String() != "session;handling=REQUIRED" {
		t.Errorf("ParseContentDisposition = %#v, %v", d, err)
	}
	if d, _ := ParseContentDisposition("render"); d.Handling() != "" {
		t.Errorf("Handling without the parameter = %q", d.Handling())
	}
	for in, want := range map[string]string{
		"":          "empty disposition type",
		";x":        `bad character ';' in disposition type`,
		"session x": `unexpected "x" after value`,
	} {
		_, err := ParseContentDisposition(in)
		checkErrText(t, "ParseContentDisposition("+in+")", err, want)
	}
}

func TestParseAuth(t *testing.T) {
	tests := []struct {
		in   string
		want Auth
		str  string
		err  string
	}{
		{`Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5`,
			Auth{Scheme: "Digest", Params: Params{{"realm", `"atlanta.com"`}, {"domain", `"sip:boxesbybob.com"`}, {"qop", `"auth"`},
				{"nonce", `"f84f1cec41e6cbe5aea9c8e88d359"`}, {"opaque", `""`}, {"stale", "FALSE"}, {"algorithm", "MD5"}}},
			`Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5`, ""},
		// White space and folding around "=" and ",", empty list elements.
		{"Digest  realm = \"a b\" ,\r\n  nonce=\"n\",, algorithm=MD5 , qop=\"auth,auth-int\",stale=FALSE",
			Auth{Scheme: "Digest", Params: Params{{"realm", `"a b"`}, {"nonce", `"n"`}, {"algorithm", "MD5"},
				{"qop", `"auth,auth-int"`}, {"stale", "FALSE"}}},
			`Digest realm="a b", nonce="n", algorithm=MD5, qop="auth,auth-int", stale=FALSE`, ""},
		{`Digest username="bob", uri=sip:a@b;x, nc=00000001, response="6629fae49393a05397450978507c4ef1"`,
			Auth{Scheme: "Digest", Params: Params{{"username", `"bob"`}, {"uri", "sip:a@b;x"}, {"nc", "00000001"},
				{"response", `"6629fae49393a05397450978507c4ef1"`}}},
			`Digest username="bob", uri=sip:a@b;x, nc=00000001, response="6629fae49393a05397450978507c4ef1"`, ""},
		{`digest realm="a\"b"`, Auth{Scheme: "digest", Params: Params{{"realm", `"a\"b"`}}}, `digest realm="a\"b"`, ""},
		{"Basic dXNlcjpwYXNz", Auth{Scheme: "Basic", Token: "dXNlcjpwYXNz"}, "Basic dXNlcjpwYXNz", ""},
		{"Bearer abc.def-g_h~i+j/k==", Auth{Scheme: "Bearer", Token: "abc.def-g_h~i+j/k=="}, "Bearer abc.def-g_h~i+j/k==", ""},
		{"Negotiate", Auth{Scheme: "Negotiate"}, "Negotiate", ""},
		{"", Auth{}, "", "empty value"},
		{"=x", Auth{}, "", `bad character '=' in auth scheme`},
		{"Digest,realm=x", Auth{}, "", `bad character ',' in auth scheme`},
		{"Digest ,", Auth{}, "", "no auth-params"},
		{`Digest realm="x", =y`, Auth{}, "", `bad character '=' in auth-param name`},
		{`Digest realm="x", nonce`, Auth{}, "", `auth-param "nonce" has no value`},
		{`Digest realm="x`, Auth{}, "", `auth-param "realm": unterminated quoted string`},
		{`Digest realm="x" nonce="y"`, Auth{}, "", `unexpected "nonce=\"y\"" after auth-param "realm"`},
		{"Digest realm=,nonce=1", Auth{}, "", `auth-param "realm" has an empty value`},
		{"Digest realm=a\"b", Auth{}, "", `unexpected "\"b" after auth-param "realm"`},
	}
	for _, tt := range tests {
		got, err := ParseAuth(tt.in)
		if !checkErrText(t, "ParseAuth("+tt.in+")", err, tt.err) {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) || got.String() != tt.str {
			t.Errorf("ParseAuth(%q) =\n%#v (%q), want\n%#v (%q)", tt.in, got, got.String(), tt.want, tt.str)
		}
	}
	a, _ := ParseAuth(`Digest realm="a\"b", qop=auth`)
	if a.Value("REALM") != `a"b` || a.Value("qop") != "auth" || a.Value("nonce") != "" {
		t.Errorf("Value: %q %q %q", a.Value("REALM"), a.Value("qop"), a.Value("nonce"))
	}

	ps, err := ParseAuthParams(`nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="x", cnonce="y", nc=00000001`)
	want := Params{{"nextnonce", `"47364c23432d2e131a5fb210812c"`}, {"qop", "auth"}, {"rspauth", `"x"`}, {"cnonce", `"y"`}, {"nc", "00000001"}}
	if err != nil || !reflect.DeepEqual(ps, want) {
		t.Errorf("ParseAuthParams = %#v, %v", ps, err)
	}
	if _, err := ParseAuthParams(" "); err == nil || err.Error() != "no auth-params" {
		t.Errorf("ParseAuthParams(empty) error = %v", err)
	}
}

func TestTokens(t *testing.T) {
	h := testHeader(
		"Supported", "100rel, Timer",
		"k", "path,,gruu",
		"Require", "",
		"Allow", "INVITE, ACK,BYE",
		"Allow", "MESSAGE",
		"Allow-Events", "presence, dialog",
		"u", "refer",
		"Unsupported", "foo",
		"Proxy-Require", "sec-agree",
		"X-Bad", "a b",
		"X-Bad2", "/a",
		"X-Bad3", "a/b",
	)
	lists := []struct {
		get  func() ([]string, error)
		want []string
	}{
		{h.Supported, []string{"100rel", "Timer", "path", "gruu"}},
		{h.Require, nil},
		{h.Allow, []string{"INVITE", "ACK", "BYE", "MESSAGE"}},
		{h.AllowEvents, []string{"presence", "dialog", "refer"}},
		{h.Unsupported, []string{"foo"}},
		{h.ProxyRequire, []string{"sec-agree"}},
	}
	for i, l := range lists {
		got, err := l.get()
		if err != nil || !reflect.DeepEqual(got, l.want) {
			t.Errorf("list %d = %q, %v; want %q", i, got, err, l.want)
		}
	}
	for name, want := range map[string]string{
		"X-Bad":  `sip: bad X-Bad: unexpected "b" after value`,
		"X-Bad2": `sip: bad X-Bad2: bad character '/' in token`,
		"X-Bad3": `sip: bad X-Bad3: unexpected "/b" after value`,
	} {
		_, err := h.Tokens(name)
		checkErrText(t, "Tokens("+name+")", err, want)
	}
	has := []struct {
		name, tok string
		want      bool
	}{
		{"Supported", "timer", true},
		{"k", "GRUU", true},
		{"Supported", "replaces", false},
		{"Allow", "BYE", true},
		{"Allow", "bye", false},
		{"Allow-Events", "Presence", false},
		{"u", "refer", true},
		{"Require", "", false},
		{"Absent", "x", false},
	}
	for _, c := range has {
		if got := h.HasToken(c.name, c.tok); got != c.want {
			t.Errorf("HasToken(%q, %q) = %v", c.name, c.tok, got)
		}
	}
}

// TestTypedAccessors reads every typed header of this file from a parsed
// message, and checks absent and malformed headers.
func TestTypedAccessors(t *testing.T) {
	const good = "NOTIFY sip:b SIP/2.0\r\n" +
		"o: dialog;id=1\r\n" +
		"Subscription-State: active;expires=60\r\n" +
		"x: 1800;refresher=uas\r\n" +
		"Min-SE: 90;x=1\r\n" +
		"RSeq: 988789\r\n" +
		"RAck: 988789 1 INVITE\r\n" +
		"r: <sip:c@d?Replaces=a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n" +
		"b: <sip:a@b>;cid=\"x@y\"\r\n" +
		"Replaces: a@b;to-tag=1;from-tag=2\r\n" +
		"Reason: SIP;cause=200;text=\"Call completed elsewhere\", Q.850;cause=16\r\n" +
		"c: application/sdp\r\n" +
		"Accept: application/sdp;q=1, */*;q=0.1\r\n" +
		"Accept: text/plain\r\n" +
		"Content-Disposition: session;handling=optional\r\n" +
		"User-Agent: Ringo/0.1 (go, wasm)\r\n" +
		"Server: Kamailio (5.7)\r\n" +
		"WWW-Authenticate: Digest realm=\"a\", nonce=\"1\"\r\n" +
		"WWW-Authenticate: Digest realm=\"b\", nonce=\"2\", algorithm=SHA-256\r\n" +
		"Proxy-Authenticate: Digest realm=\"p\", nonce=\"3\"\r\n" +
		"Authorization: Digest username=\"u\", response=\"r\"\r\n" +
		"Proxy-Authorization: Digest username=\"v\"\r\n" +
		"Authentication-Info: nextnonce=\"n\", qop=auth\r\n" +
		"\r\n"
	msg, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header()
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, %v; want %#v", what, got, err, want)
		}
	}
	ev, err := h.Event()
	check("Event", ev, Event{Type: "dialog", Params: Params{{"id", "1"}}}, err)
	ss, err := h.SubscriptionState()
	check("SubscriptionState", ss, SubscriptionState{State: "active", Params: Params{{"expires", "60"}}}, err)
	se, err := h.SessionExpires()
	check("SessionExpires", se, SessionExpires{Delta: 1800, Refresher: "uas"}, err)
	minSE, err := h.MinSE()
	check("MinSE", minSE, uint32(90), err)
	rseq, err := h.RSeq()
	check("RSeq", rseq, uint32(988789), err)
	rack, err := h.RAck()
	check("RAck", rack, RAck{988789, 1, "INVITE"}, err)
	referTo, err := h.ReferTo()
	check("ReferTo", referTo.URI.Headers.Value("Replaces"), "a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2", err)
	referredBy, err := h.ReferredBy()
	check("ReferredBy", referredBy.String(), `<sip:a@b>;cid="x@y"`, err)
	rep, err := h.Replaces()
	check("Replaces", rep, Replaces{CallID: "a@b", ToTag: "1", FromTag: "2"}, err)
	reasons, err := h.Reason()
	check("Reason", reasons, []Reason{{Protocol: "SIP", Cause: 200, Text: "Call completed elsewhere"}, {Protocol: "Q.850", Cause: 16}}, err)
	ct, err := h.ContentType()
	check("ContentType", ct, MediaType{Type: "application", Subtype: "sdp"}, err)
	accept, err := h.Accept()
	check("Accept", accept, []MediaType{{Type: "application", Subtype: "sdp", Params: Params{{"q", "1"}}},
		{Type: "*", Subtype: "*", Params: Params{{"q", "0.1"}}}, {Type: "text", Subtype: "plain"}}, err)
	cd, err := h.ContentDisposition()
	check("ContentDisposition", cd, ContentDisposition{Type: "session", Params: Params{{"handling", "optional"}}}, err)
	check("UserAgent", h.UserAgent(), "Ringo/0.1 (go, wasm)", nil)
	check("Server", h.Server(), "Kamailio (5.7)", nil)
	www, err := h.WWWAuthenticate()
	check("WWWAuthenticate", www, []Auth{{Scheme: "Digest", Params: Params{{"realm", `"a"`}, {"nonce", `"1"`}}},
		{Scheme: "Digest", Params: Params{{"realm", `"b"`}, {"nonce", `"2"`}, {"algorithm", "SHA-256"}}}}, err)
	pa, err := h.ProxyAuthenticate()
	check("ProxyAuthenticate", pa, []Auth{{Scheme: "Digest", Params: Params{{"realm", `"p"`}, {"nonce", `"3"`}}}}, err)
	az, err := h.Authorization()
	check("Authorization", az, []Auth{{Scheme: "Digest", Params: Params{{"username", `"u"`}, {"response", `"r"`}}}}, err)
	pz, err := h.ProxyAuthorization()
	check("ProxyAuthorization", pz, []Auth{{Scheme: "Digest", Params: Params{{"username", `"v"`}}}}, err)
	ai, err := h.AuthenticationInfo()
	check("AuthenticationInfo", ai, Params{{"nextnonce", `"n"`}, {"qop", "auth"}}, err)

	// Absent headers: single-valued ones give ErrMissingHeader, lists nothing.
	var empty Header
	for name, get := range map[string]func() error{
		"Event":               func() error { _, err := empty.Event(); return err },
		"Subscription-State":  func() error { _, err := empty.SubscriptionState(); return err },
		"Session-Expires":     func() error { _, err := empty.SessionExpires(); return err },
		"Min-SE":              func() error { _, err := empty.MinSE(); return err },
		"RSeq":                func() error { _, err := empty.RSeq(); return err },
		"RAck":                func() error { _, err := empty.RAck(); return err },
		"Refer-To":            func() error { _, err := empty.ReferTo(); return err },
		"Referred-By":         func() error { _, err := empty.ReferredBy(); return err },
		"Replaces":            func() error { _, err := empty.Replaces(); return err },
		"Content-Type":        func() error { _, err := empty.ContentType(); return err },
		"Content-Disposition": func() error { _, err := empty.ContentDisposition(); return err },
		"Authentication-Info": func() error { _, err := empty.AuthenticationInfo(); return err },
	} {
		err := get()
		var pe *ParseError
		if !errors.Is(err, ErrMissingHeader) || !errors.As(err, &pe) || pe.Header != name || pe.Offset != -1 {
			t.Errorf("%s of an empty header: %#v", name, err)
		}
	}
	for name, get := range map[string]func() (int, error){
		"Reason":              func() (int, error) { v, err := empty.Reason(); return len(v), err },
		"Accept":              func() (int, error) { v, err := empty.Accept(); return len(v), err },
		"Allow":               func() (int, error) { v, err := empty.Allow(); return len(v), err },
		"WWW-Authenticate":    func() (int, error) { v, err := empty.WWWAuthenticate(); return len(v), err },
		"Proxy-Authenticate":  func() (int, error) { v, err := empty.ProxyAuthenticate(); return len(v), err },
		"Authorization":       func() (int, error) { v, err := empty.Authorization(); return len(v), err },
		"Proxy-Authorization": func() (int, error) { v, err := empty.ProxyAuthorization(); return len(v), err },
	} {
		if n, err := get(); n != 0 || err != nil {
			t.Errorf("%s of an empty header = %d values, %v", name, n, err)
		}
	}
	if empty.UserAgent() != "" || empty.Server() != "" {
		t.Error("UserAgent or Server of an empty header is not empty")
	}

	// Malformed headers: the error names the header as written and its offset.
	const bad = "NOTIFY sip:b SIP/2.0\r\n" + // 0
		"o: presence x\r\n" + // 22
		"Subscription-State: active;expires=x\r\n" + // 37
		"x: soon\r\n" + // 75
		"Min-SE: 90 x\r\n" + // 84
		"RSeq: -1\r\n" + // 98
		"RAck: 1\r\n" + // 108
		"r: <sip:c\r\n" + // 117
		"b: \"x\r\n" + // 128
		"Replaces: a\r\n" + // 135
		"Reason: SIP, ;cause=1\r\n" + // 148
		"c: text\r\n" + // 171
		"Accept: text/plain, text\r\n" + // 180
		"Content-Disposition: ;x\r\n" + // 206
		"WWW-Authenticate: Digest realm=\"a\"\r\n" + // 231
		"WWW-Authenticate: Digest realm\"a\"\r\n" + // 267
		"Proxy-Authenticate: =\r\n" + // 302
		"Authorization: Digest ,\r\n" + // 325
		"Proxy-Authorization: Digest a=,b=1\r\n" + // 350
		"Authentication-Info: x\r\n" + // 386
		"\r\n"
	msg, err = Parse([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	h = msg.Header()
	tests := []struct {
		err  error
		want string
	}{
		{errOf(h.Event()), `sip: bad o at offset 22: unexpected "x" after value`},
		{errOf(h.SubscriptionState()), `sip: bad Subscription-State at offset 37: expires: not a number`},
		{errOf(h.SessionExpires()), `sip: bad x at offset 75: delta-seconds: not a number`},
		{errOf(h.MinSE()), `sip: bad Min-SE at offset 84: unexpected "x" after value`},
		{errOf(h.RSeq()), `sip: bad RSeq at offset 98: not a number`},
		{errOf(h.RAck()), `sip: bad RAck at offset 108: no white space after the response number`},
		{errOf(h.ReferTo()), `sip: bad r at offset 117: '<' without '>'`},
		{errOf(h.ReferredBy()), `sip: bad b at offset 128: display name: unterminated quoted string`},
		{errOf(h.Replaces()), `sip: bad Replaces at offset 135: no to-tag`},
		{errOf(h.Reason()), `sip: bad Reason at offset 148: bad character ';' in protocol`},
		{errOf(h.ContentType()), `sip: bad c at offset 171: media type "text" has no subtype`},
		{errOf(h.Accept()), `sip: bad Accept at offset 180: media type "text" has no subtype`},
		{errOf(h.ContentDisposition()), `sip: bad Content-Disposition at offset 206: bad character ';' in disposition type`},
		{errOf(h.WWWAuthenticate()), `sip: bad WWW-Authenticate at offset 267: auth-param "realm" has no value`},
		{errOf(h.ProxyAuthenticate()), `sip: bad Proxy-Authenticate at offset 302: bad character '=' in auth scheme`},
		{errOf(h.Authorization()), `sip: bad Authorization at offset 325: no auth-params`},
		{errOf(h.ProxyAuthorization()), `sip: bad Proxy-Authorization at offset 350: auth-param "a" has an empty value`},
		{errOf(h.AuthenticationInfo()), `sip: bad Authentication-Info at offset 386: auth-param "x" has no value`},
	}
	for _, tt := range tests {
		checkErrText(t, tt.want, tt.err, tt.want)
		var pe *ParseError
		if !errors.As(tt.err, &pe) {
			t.Errorf("%v is not a *ParseError", tt.err)
		}
	}
}

// errOf returns the error of a two-result call.
func errOf[T any](_ T, err error) error { return err }

func TestContactHelpers(t *testing.T) {
	tests := []struct {
		in      string
		expires uint32
		hasExp  bool
		q       float64
		hasQ    bool
		inst    string
		regID   uint32
		hasReg  bool
	}{
		{"<sip:a@b>", 0, false, 0, false, "", 0, false},
		{`<sip:a@b>;expires=3600;q=0.7;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";reg-id=1`,
			3600, true, 0.7, true, "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>", 1, true},
		{"<sip:a@b>;EXPIRES=0;Q=1.000", 0, true, 1, true, "", 0, false},
		{"<sip:a@b>;expires=never;q=1.5;reg-id=x", 0, false, 0, false, "", 0, false},
		{"<sip:a@b>;q=0", 0, false, 0, true, "", 0, false},
		{"<sip:a@b>;q=0.", 0, false, 0, true, "", 0, false},
		{"<sip:a@b>;q=0.125", 0, false, 0.125, true, "", 0, false},
		{"<sip:a@b>;q=1.", 0, false, 1, true, "", 0, false},
	}
	for _, tt := range tests {
		a, err := ParseAddress(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		exp, hasExp := a.Expires()
		q, hasQ := a.Q()
		regID, hasReg := a.RegID()
		if exp != tt.expires || hasExp != tt.hasExp || q != tt.q || hasQ != tt.hasQ || a.InstanceID() != tt.inst ||
			regID != tt.regID || hasReg != tt.hasReg {
			t.Errorf("%q: expires %d,%v q %v,%v instance %q reg-id %d,%v", tt.in, exp, hasExp, q, hasQ, a.InstanceID(), regID, hasReg)
		}
	}
	for _, s := range []string{"", "2", "0.1234", "1.001", "0,5", "0.a", ".5", "01"} {
		if q, ok := parseQValue(s); ok {
			t.Errorf("parseQValue(%q) = %v, true", s, q)
		}
	}

	a := Address{URI: MustParseURI("sip:a@b")}
	a.SetExpires(60)
	a.SetExpires(120)
	if a.String() != "<sip:a@b>;expires=120" {
		t.Errorf("after SetExpires: %v", a)
	}

	withParam, _ := ParseAddress("<sip:a@b>;expires=30")
	without, _ := ParseAddress("<sip:a@b>")
	badParam, _ := ParseAddress("<sip:a@b>;expires=x")
	withHeader := testHeader("Expires", "600")
	badHeader := testHeader("Expires", "soon")
	var none Header
	cases := []struct {
		h    *Header
		c    Address
		want uint32
	}{
		{withHeader, withParam, 30},
		{withHeader, without, 600},
		{withHeader, badParam, 600},
		{badHeader, without, 3600},
		{&none, without, 3600},
	}
	for i, c := range cases {
		if got := c.h.ContactExpires(&c.c, 3600); got != c.want {
			t.Errorf("case %d: ContactExpires = %d, want %d", i, got, c.want)
		}
	}
}

func TestNormalizeTarget(t *testing.T) {
	tests := []struct {
		target, domain, want, err string
	}{
		{"alice", "example.com", "sip:alice@example.com", ""},
		{"alice", "example.com:5070;transport=ws", "sip:alice@example.com:5070;transport=ws", ""},
		{"bob@Other.ORG", "", "sip:bob@other.org", ""},
		{"TEL:+1 (555) 123", "x", "sip:+1%20(555)%20123@x", ""},
		{"a&b=c$d,e;f", "x", "sip:a&b=c$d,e;f@x", ""},
		{"%25", "x", "sip:%25@x", ""},
		{"--", "x", "", `sip: target "--": empty user part before '@'`},
		{"", "x", "", "sip: empty target"},
		{"alice", "", "", `sip: target "alice" names no domain and none is given`},
		{"%zz", "x", "", `sip: target "%zz": bad %-escape "%zz"`},
		{"%C0", "x", "", `sip: target "%C0": user part is not valid UTF-8 once unescaped`},
		{"a@", "x", "", `sip: target "a@": empty host`},
		{"@x", "", "", `sip: target "@x": empty user part before '@'`},
	}
	for _, tt := range tests {
		u, err := NormalizeTarget(tt.target, tt.domain)
		if !checkErrText(t, "NormalizeTarget("+tt.target+", "+tt.domain+")", err, tt.err) {
			continue
		}
		if u.String() != tt.want {
			t.Errorf("NormalizeTarget(%q, %q) = %q, want %q", tt.target, tt.domain, u.String(), tt.want)
		}
	}
	for s, want := range map[string]bool{
		"+123": true, "123": true, "(+34)-944": true, "--": true, "-.()1": true,
		"": false, "+": false, "-+": false, "1+2": false, "+ALICE": false, "12a": false, "+1 2": false,
	} {
		if got := isTelNumber(s); got != want {
			t.Errorf("isTelNumber(%q) = %v", s, got)
		}
	}
}
