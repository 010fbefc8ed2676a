package sip

import (
	"reflect"
	"testing"
)

// header builds a Header from name, value pairs.
func testHeader(kv ...string) *Header {
	var h Header
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return &h
}

// lines returns the header as "Name: value" strings.
func headerLines(h *Header) []string {
	var out []string
	for _, f := range h.Fields() {
		out = append(out, f.Name+": "+f.Value)
	}
	return out
}

func TestCanonicalName(t *testing.T) {
	tests := map[string]string{
		"i":                "Call-ID",
		"I":                "Call-ID",
		"call-id":          "Call-ID",
		"CALL-ID":          "Call-ID",
		"cseq":             "CSeq",
		"www-authenticate": "WWW-Authenticate",
		"rseq":             "RSeq",
		"RACK":             "RAck",
		"min-se":           "Min-SE",
		"mime-version":     "MIME-Version",
		"sip-etag":         "SIP-ETag",
		"sip-if-match":     "SIP-If-Match",
		"content-length":   "Content-Length",
		"x-foo-BAR":        "X-Foo-Bar",
		"via":              "Via",
		"q":                "Q",
		"1":                "1",
		"":                 "",
		"a":                "Accept-Contact",
		"b":                "Referred-By",
		"c":                "Content-Type",
		"d":                "Request-Disposition",
		"e":                "Content-Encoding",
		"f":                "From",
		"j":                "Reject-Contact",
		"k":                "Supported",
		"l":                "Content-Length",
		"m":                "Contact",
		"n":                "Identity-Info",
		"o":                "Event",
		"r":                "Refer-To",
		"s":                "Subject",
		"t":                "To",
		"u":                "Allow-Events",
		"v":                "Via",
		"x":                "Session-Expires",
		"y":                "Identity",
	}
	for in, want := range tests {
		if got := CanonicalName(in); got != want {
			t.Errorf("CanonicalName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompactForms(t *testing.T) {
	for c := byte('a'); c <= 'z'; c++ {
		full := compactName(c)
		if full == "" {
			continue
		}
		for _, short := range []string{string(c), string(c - 'a' + 'A')} {
			h := testHeader(short, "1")
			if got := h.Get(full); got != "1" {
				t.Errorf("compact %q: Get(%q) = %q", short, full, got)
			}
			h = testHeader(full, "2")
			if got := h.Get(short); got != "2" {
				t.Errorf("full %q: Get(%q) = %q", full, short, got)
			}
		}
	}
	// Letters without a compact form match only themselves.
	h := testHeader("g", "1", "X-G", "2")
	if h.Get("g") != "1" || h.Get("G") != "1" || h.Get("h") != "" {
		t.Errorf("non-compact letters: %q %q %q", h.Get("g"), h.Get("G"), h.Get("h"))
	}
	if compactName('1') != "" || compactName('~') != "" {
		t.Error("compactName accepted a non-letter")
	}
	tests := []struct {
		f, want string
		match   bool
	}{
		{"v", "Via", true},
		{"Via", "v", true},
		{"v", "V", true},
		{"i", "v", false},
		{"VIA", "via", true},
		{"Vias", "Via", false},
		{"g", "Via", false},
		{"Via", "g", false},
		{"Call-ID", "m", false},
	}
	for _, tt := range tests {
		if got := nameMatches(tt.f, tt.want); got != tt.match {
			t.Errorf("nameMatches(%q, %q) = %v", tt.f, tt.want, got)
		}
	}
}

func TestHeaderGetValues(t *testing.T) {
	h := testHeader(
		"Via", "SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b",
		"v", "SIP/2.0/UDP c",
		"Route", `<sip:a;lr>, "x, y" <sip:b?h=1,2>,<sip:c>`,
		"Supported", "100rel, , timer,",
		"WWW-Authenticate", `Digest realm="a", nonce="b"`,
		"WWW-Authenticate", `Digest realm="c", nonce="d"`,
		"User-Agent", "Ringo/1.0 (linux, amd64)",
		"Server", "S, 1",
		"Date", "Sat, 13 Nov 2010 23:29:00 GMT",
		"i", "abc,def",
		"Subject", "Hi, there",
		"s", "Again, there",
		"Authorization", `Digest a="1", b=2`,
		"Proxy-Authenticate", "Digest x=1, y=2",
		"Proxy-Authorization", "Digest x=1, y=2",
		"Authentication-Info", "a=1, b=2",
		"Content-Disposition", "session, x",
		"Retry-After", "18000;duration=3600 (x, y)",
		"Organization", "A, B",
		"Timestamp", "1, 2",
		"Identity", "a,b",
		"y", "c,d",
		"Identity-Info", "<https://x>;alg=rsa-sha1, x",
		"n", "e,f",
		"X-Quoted", `"a\", b", c`,
	)
	tests := []struct {
		name   string
		get    string
		values []string
	}{
		{"via", "SIP/2.0/UDP a;branch=1", []string{"SIP/2.0/UDP a;branch=1", "SIP/2.0/UDP b", "SIP/2.0/UDP c"}},
		{"V", "SIP/2.0/UDP a;branch=1", []string{"SIP/2.0/UDP a;branch=1", "SIP/2.0/UDP b", "SIP/2.0/UDP c"}},
		{"Route", "<sip:a;lr>", []string{"<sip:a;lr>", `"x, y" <sip:b?h=1,2>`, "<sip:c>"}},
		{"k", "100rel", []string{"100rel", "timer"}},
		{"WWW-Authenticate", `Digest realm="a", nonce="b"`, []string{`Digest realm="a", nonce="b"`, `Digest realm="c", nonce="d"`}},
		{"User-Agent", "Ringo/1.0 (linux, amd64)", []string{"Ringo/1.0 (linux, amd64)"}},
		{"Server", "S, 1", []string{"S, 1"}},
		{"Date", "Sat, 13 Nov 2010 23:29:00 GMT", []string{"Sat, 13 Nov 2010 23:29:00 GMT"}},
		{"Call-ID", "abc,def", []string{"abc,def"}},
		{"i", "abc,def", []string{"abc,def"}},
		{"Subject", "Hi, there", []string{"Hi, there", "Again, there"}},
		{"s", "Hi, there", []string{"Hi, there", "Again, there"}},
		{"Authorization", `Digest a="1", b=2`, []string{`Digest a="1", b=2`}},
		{"Proxy-Authenticate", "Digest x=1, y=2", []string{"Digest x=1, y=2"}},
		{"Proxy-Authorization", "Digest x=1, y=2", []string{"Digest x=1, y=2"}},
		{"Authentication-Info", "a=1, b=2", []string{"a=1, b=2"}},
		{"Content-Disposition", "session, x", []string{"session, x"}},
		{"Retry-After", "18000;duration=3600 (x, y)", []string{"18000;duration=3600 (x, y)"}},
		{"Organization", "A, B", []string{"A, B"}},
		{"Timestamp", "1, 2", []string{"1, 2"}},
		{"Identity", "a,b", []string{"a,b", "c,d"}},
		{"y", "a,b", []string{"a,b", "c,d"}},
		{"Identity-Info", "<https://x>;alg=rsa-sha1, x", []string{"<https://x>;alg=rsa-sha1, x", "e,f"}},
		{"n", "<https://x>;alg=rsa-sha1, x", []string{"<https://x>;alg=rsa-sha1, x", "e,f"}},
		{"X-Quoted", `"a\", b"`, []string{`"a\", b"`, "c"}},
		{"Absent", "", nil},
	}
	for _, tt := range tests {
		if got := h.Get(tt.name); got != tt.get {
			t.Errorf("Get(%q) = %q, want %q", tt.name, got, tt.get)
		}
		if got := h.Values(tt.name); !reflect.DeepEqual(got, tt.values) {
			t.Errorf("Values(%q) = %q, want %q", tt.name, got, tt.values)
		}
	}
	if !h.Has("CALL-ID") || h.Has("Absent") || h.Count("Via") != 2 || h.Count("Absent") != 0 || h.Len() != 25 {
		t.Errorf("Has/Count/Len: %v %v %d %d %d", h.Has("CALL-ID"), h.Has("Absent"), h.Count("Via"), h.Count("Absent"), h.Len())
	}
}

func TestNextValue(t *testing.T) {
	tests := []struct{ in, value, rest string }{
		{"a, b", "a", " b"},
		{" a ", "a", ""},
		{`"a,b", c`, `"a,b"`, " c"},
		{`"a\",b", c`, `"a\",b"`, " c"},
		{"<sip:a,b>;x, c", "<sip:a,b>;x", " c"},
		{`"<" <sip:a>, b`, `"<" <sip:a>`, " b"},
		{",", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		v, r := nextValue(tt.in)
		if v != tt.value || r != tt.rest {
			t.Errorf("nextValue(%q) = %q, %q; want %q, %q", tt.in, v, r, tt.value, tt.rest)
		}
	}
}

func TestHeaderEdit(t *testing.T) {
	h := testHeader("Via", "v1", "From", "f", "via", "v2, v3", "To", "t", "Via", "v4")

	h.Prepend("Via", "v0")
	want := []string{"Via: v0", "Via: v1", "From: f", "via: v2, v3", "To: t", "Via: v4"}
	if got := headerLines(h); !reflect.DeepEqual(got, want) {
		t.Fatalf("after Prepend: %q", got)
	}
	if f := h.Fields()[0]; f.Offset() != -1 {
		t.Errorf("Offset of an added field = %d", f.Offset())
	}

	for _, step := range []struct {
		ok   bool
		want []string
	}{
		{true, []string{"Via: v1", "From: f", "via: v2, v3", "To: t", "Via: v4"}},
		{true, []string{"From: f", "via: v2, v3", "To: t", "Via: v4"}},
		{true, []string{"From: f", "via: v3", "To: t", "Via: v4"}},
		{true, []string{"From: f", "To: t", "Via: v4"}},
		{true, []string{"From: f", "To: t"}},
		{false, []string{"From: f", "To: t"}},
	} {
		if ok := h.RemoveFirst("v"); ok != step.ok {
			t.Errorf("RemoveFirst = %v", ok)
		}
		if got := headerLines(h); !reflect.DeepEqual(got, step.want) {
			t.Fatalf("after RemoveFirst: %q, want %q", got, step.want)
		}
	}

	// RemoveFirst takes a whole line of a header that is never split.
	h = testHeader("WWW-Authenticate", "Digest a=1, b=2", "WWW-Authenticate", "Digest c=3")
	h.RemoveFirst("www-authenticate")
	if got := headerLines(h); !reflect.DeepEqual(got, []string{"WWW-Authenticate: Digest c=3"}) {
		t.Errorf("RemoveFirst(WWW-Authenticate): %q", got)
	}

	// Set replaces every line at the position of the first, keeping its spelling.
	h = testHeader("Route", "r1", "X", "x", "route", "r2", "Max-Forwards", "70")
	h.Set("ROUTE", "r")
	h.Set("Max-Forwards", "69")
	h.Set("Expires", "60")
	want = []string{"Route: r", "X: x", "Max-Forwards: 69", "Expires: 60"}
	if got := headerLines(h); !reflect.DeepEqual(got, want) {
		t.Errorf("after Set: %q, want %q", got, want)
	}

	c := h.Clone()
	h.Del("route")
	h.Del("Absent")
	if got := headerLines(h); !reflect.DeepEqual(got, []string{"X: x", "Max-Forwards: 69", "Expires: 60"}) {
		t.Errorf("after Del: %q", got)
	}
	if got := headerLines(&c); !reflect.DeepEqual(got, want) {
		t.Errorf("Clone changed with the original: %q", got)
	}
	h.Del("X")
	h.Del("Max-Forwards")
	h.Del("Expires")
	if h.Len() != 0 || h.Get("X") != "" {
		t.Errorf("after deleting everything: %q", headerLines(h))
	}

	var zero Header
	zero.Prepend("Via", "v")
	if got := headerLines(&zero); !reflect.DeepEqual(got, []string{"Via: v"}) {
		t.Errorf("Prepend on the zero Header: %q", got)
	}
}

func TestHeaderOffsets(t *testing.T) {
	msg, err := Parse([]byte("OPTIONS sip:b SIP/2.0\r\nCall-ID: x\r\nVia: SIP/2.0/UDP a\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	fs := msg.Header().Fields()
	if fs[0].Offset() != 23 || fs[1].Offset() != 35 {
		t.Errorf("offsets %d %d", fs[0].Offset(), fs[1].Offset())
	}
	// A value edited by RemoveFirst or Set no longer points into the message.
	msg.Header().Set("Call-ID", "y")
	if f := msg.Header().Fields()[0]; f.Offset() != -1 {
		t.Errorf("offset after Set = %d", f.Offset())
	}
}
