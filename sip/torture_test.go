package sip

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tortureDir is the shared RFC 4475 / RFC 5118 corpus, read in place.
const tortureDir = "../../shared/testdata/torture"

// tortureCase says what Ringo does with one torture message.
type tortureCase struct {
	// parseErr, if set, is the error Parse must return (errors.Is).
	parseErr error
	// parseFails is set when Parse must fail with no particular sentinel.
	parseFails bool
	// status is the response a UAS sends: 0 when the request is processed,
	// else the code from CheckRequest or ResponseFor (-1: a response that
	// CheckResponse rejects, so it is discarded).
	status int
	// check asserts the semantics the RFC names.
	check func(t *testing.T, m Message)
}

var tortureCases = map[string]tortureCase{
	"wsinv.dat": {check: func(t *testing.T, m Message) {
		h := m.Header()
		mf, err := h.MaxForwards()
		eq(t, "Max-Forwards", mf, 68, err)
		cseq, err := h.CSeq()
		eq(t, "CSeq", cseq, CSeq{Seq: 9, Method: "INVITE"}, err)
		to, err := h.To()
		eq(t, "To tag", to.Tag(), "1918181833n", err)
		from, err := h.From()
		eq(t, "From display name", from.DisplayName, `J Rosenberg \"`, err)
		eq(t, "From tag", from.Tag(), "98asjd8", nil)
		vias, err := h.Via()
		eq(t, "Via count", len(vias), 3, err)
		eq(t, "Via[0]", vias[0].String(), "SIP/2.0/UDP 192.0.2.2;branch=390skdjuw", nil)
		eq(t, "Via[1]", vias[1].String(), "SIP/2.0/TCP spindle.example.com;branch=z9hG4bK9ikj8", nil)
		eq(t, "Via[2] branch", vias[2].Branch(), "z9hG4bK30239", nil)
		contacts, err := h.Contact()
		eq(t, "Contact count", len(contacts), 1, err)
		c := contacts[0]
		eq(t, "Contact display name", c.DisplayName, `Quoted string ""`, nil)
		eq(t, "Contact params", c.Params.String(), ";newparam=newvalue;secondparam;q=0.33", nil)
		eq(t, "unusual value", h.Get("UnknownHeaderWithUnusualValue"), ";;", nil)
		for _, f := range h.Fields() {
			if f.Name == "UnknownHeaderWithUnusualValue" {
				eq(t, "unusual value verbatim", f.Value, ";;,,;;,;", nil)
			}
		}
		eq(t, "NewFangledHeader", h.Get("newfangledheader"), "newfangled value continued newfangled value", nil)
		eq(t, "Subject present", h.Has("Subject"), true, nil)
		eq(t, "Subject", h.Get("Subject"), "", nil)
		eq(t, "Request-URI param", m.(*Request).URI.Params.Has("unknownparam"), true, nil)
		eq(t, "body length", len(m.Body()), 150, nil)
	}},
	"intmeth.dat": {check: func(t *testing.T, m Message) {
		req := m.(*Request)
		eq(t, "method", req.Method, "!interesting-Method0123456789_*+`.%indeed'~", nil)
		eq(t, "user", req.URI.User, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", nil)
		eq(t, "password", req.URI.Password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", nil)
		to, err := m.Header().To()
		eq(t, "To display name", to.DisplayName, "BEL:\x07 NUL:\x00 DEL:\x7f", err)
		from, err := m.Header().From()
		eq(t, "From display name", from.DisplayName, "token1~` token2'+_ token3*%!.-", err)
		eq(t, "From param", from.Params.Value("fromParam''~+*_!.-%"), `"работающий"`, nil)
	}},
	"esc01.dat": {check: func(t *testing.T, m Message) {
		eq(t, "user", m.(*Request).URI.User, "sips:user@example.com", nil)
		to, err := m.Header().To()
		eq(t, "To equals unescaped", to.URI.Equal(MustParseURI("sip:user@example.com")), true, err)
		from, err := m.Header().From()
		eq(t, "From user", from.URI.User, "I have spaces", err)
	}},
	"escnull.dat": {check: func(t *testing.T, m Message) {
		cs, err := m.Header().Contact()
		eq(t, "contacts", len(cs), 2, err)
		eq(t, "first user", cs[0].URI.User, "\x00", nil)
		eq(t, "second user", cs[1].URI.User, "\x00\x00", nil)
		eq(t, "distinct", cs[0].URI.Equal(cs[1].URI), false, nil)
	}},
	"esc02.dat": {check: func(t *testing.T, m Message) {
		eq(t, "method", m.(*Request).Method, "RE%47IST%45R", nil)
		to, err := m.Header().To()
		eq(t, "To display name", to.DisplayName, "%Z%45", err)
	}},
	"lwsdisp.dat": {check: func(t *testing.T, m Message) {
		from, err := m.Header().From()
		eq(t, "From display name", from.DisplayName, "caller", err)
	}},
	"longreq.dat": {check: func(t *testing.T, m Message) {
		vias, err := m.Header().Via()
		eq(t, "Via count", len(vias) > 10, true, err)
		from, err := m.Header().From()
		eq(t, "long From tag", len(from.Tag()) > 100, true, err)
		to, err := m.Header().To()
		eq(t, "long To display name", len(to.DisplayName) > 100, true, err)
	}},
	"dblreq.dat": {check: func(t *testing.T, m Message) {
		eq(t, "method", m.(*Request).Method, "REGISTER", nil)
		eq(t, "body", len(m.Body()), 0, nil)
	}},
	"semiuri.dat": {check: func(t *testing.T, m Message) {
		u := m.(*Request).URI
		eq(t, "user", u.User, "user;par=u@example.net", nil)
		eq(t, "host", u.Host, "example.com", nil)
		eq(t, "params", len(u.Params), 0, nil)
	}},
	"transports.dat": {check: func(t *testing.T, m Message) {
		vias, err := m.Header().Via()
		var got []string
		for _, v := range vias {
			got = append(got, v.Transport)
		}
		eq(t, "transports", strings.Join(got, ","), "UDP,SCTP,TLS,UNKNOWN,TCP", err)
	}},
	"mpart01.dat": {check: func(t *testing.T, m Message) {
		eq(t, "body length", len(m.Body()), 553, nil)
	}},
	"unreason.dat": {check: func(t *testing.T, m Message) {
		r := m.(*Response)
		eq(t, "status", r.StatusCode, 200, nil)
		eq(t, "reason", r.Reason, "= 2**3 * 5**2 но сто девяносто девять - простое", nil)
	}},
	"noreason.dat": {check: func(t *testing.T, m Message) {
		r := m.(*Response)
		eq(t, "status", r.StatusCode, 100, nil)
		eq(t, "reason", r.Reason, "", nil)
	}},
	"badinv01.dat":   {status: 400},
	"clerr.dat":      {parseErr: ErrIncomplete, status: 400},
	"ncl.dat":        {parseErr: ErrBadContentLength, status: 400},
	"scalar02.dat":   {status: 400},
	"scalarlg.dat":   {status: -1},
	"quotbal.dat":    {status: 400},
	"ltgtruri.dat":   {parseFails: true, status: 400},
	"lwsruri.dat":    {parseFails: true, status: 400},
	"lwsstart.dat":   {check: reserialisesAs("INVITE sip:user@example.com SIP/2.0")},
	"trws.dat":       {check: reserialisesAs("OPTIONS sip:remote-target@example.com SIP/2.0")},
	"escruri.dat":    {status: 400},
	"baddate.dat":    {},
	"regbadct.dat":   {status: 400},
	"badaspec.dat":   {check: toURI("sip:t.watson@example.org")},
	"baddn.dat":      {status: 400},
	"badvers.dat":    {status: 505},
	"mismatch01.dat": {status: 400},
	"mismatch02.dat": {status: 400},
	"bigcode.dat":    {parseFails: true},
	"badbranch.dat": {check: func(t *testing.T, m Message) {
		v, err := m.Header().TopVia()
		eq(t, "branch", v.Branch(), "z9hG4bK", err)
	}},
	"insuf.dat":    {status: 400},
	"unkscm.dat":   {status: 416},
	"novelsc.dat":  {status: 416},
	"unksm2.dat":   {check: toURI("isbn:2983792873")},
	"bext01.dat":   {},
	"invut.dat":    {},
	"regaut01.dat": {},
	"multi01.dat":  {status: 400},
	"mcl01.dat":    {parseErr: ErrBadContentLength, status: 400},
	"bcast.dat": {check: func(t *testing.T, m Message) {
		vias, err := m.Header().Via()
		eq(t, "second Via host", vias[1].Host, "255.255.255.255", err)
	}},
	"zeromf.dat": {check: func(t *testing.T, m Message) {
		req := m.(*Request)
		eq(t, "proxy may answer OPTIONS itself", CheckProxyRequest(req), nil, nil)
		inv := req.Clone()
		inv.Method = "INVITE"
		inv.Header().Set("CSeq", "3 INVITE")
		var re *RequestError
		if !errors.As(CheckProxyRequest(inv), &re) || re.StatusCode != 483 {
			t.Errorf("INVITE with Max-Forwards 0 at a proxy: got %v, want 483", CheckProxyRequest(inv))
		}
	}},
	"cparam01.dat": {check: func(t *testing.T, m Message) {
		cs, err := m.Header().Contact()
		eq(t, "header param", cs[0].Params.Has("unknownparam"), true, err)
		eq(t, "not a URI param", cs[0].URI.Params.Has("unknownparam"), false, nil)
	}},
	"cparam02.dat": {check: func(t *testing.T, m Message) {
		cs, err := m.Header().Contact()
		eq(t, "URI param", cs[0].URI.Params.Has("unknownparam"), true, err)
		eq(t, "no header params", len(cs[0].Params), 0, nil)
	}},
	"regescrt.dat": {check: func(t *testing.T, m Message) {
		cs, err := m.Header().Contact()
		eq(t, "URI header", cs[0].URI.Headers.Value("Route"), "%3Csip:sip.example.com%3E", err)
		eq(t, "kept in the URI", cs[0].String(), "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>", nil)
	}},
	"sdp01.dat": {},
	"inv2543.dat": {check: func(t *testing.T, m Message) {
		v, err := m.Header().TopVia()
		eq(t, "no branch", v.Branch(), "", err)
		eq(t, "body is the rest", len(m.Body()) > 0, true, nil)
		eq(t, "no Content-Length", m.Header().Has("Content-Length"), false, nil)
	}},
	"ipv6-good.dat": {check: func(t *testing.T, m Message) {
		eq(t, "host", m.(*Request).URI.Host, "[2001:db8::10]", nil)
	}},
	"ipv6-bad.dat": {parseFails: true, status: 400},
	"port-ambiguous.dat": {check: func(t *testing.T, m Message) {
		u := m.(*Request).URI
		eq(t, "host", u.Host, "[2001:db8::10:5070]", nil)
		eq(t, "port", u.Port, 0, nil)
	}},
	"port-unambiguous.dat": {check: func(t *testing.T, m Message) {
		u := m.(*Request).URI
		eq(t, "host", u.Host, "[2001:db8::10]", nil)
		eq(t, "port", u.Port, 5070, nil)
	}},
	"via-received-param-with-delim.dat": {check: func(t *testing.T, m Message) {
		v, err := m.Header().TopVia()
		eq(t, "received", v.Received(), "[2001:db8::9:255]", err)
	}},
	"via-received-param-no-delim.dat": {check: func(t *testing.T, m Message) {
		v, err := m.Header().TopVia()
		eq(t, "received", v.Received(), "2001:db8::9:255", err)
	}},
	// The published copy's Content-Length (268) is larger than its body:
	// rejected as RFC 3261 §18.3 says. The corrected copy is accepted.
	"ipv6-in-sdp.dat": {parseErr: ErrIncomplete, status: 400},
	"mult-ip-in-header.dat": {check: func(t *testing.T, m Message) {
		vias, err := m.Header().Via()
		var got []string
		for _, v := range vias {
			got = append(got, v.SentBy())
		}
		eq(t, "sent-by", strings.Join(got, " "), "[2001:db8::9:1]:6050 192.0.2.1 [2001:db8::9:255]", err)
		eq(t, "received", vias[2].Received(), "192.0.2.200", nil)
	}},
	"mult-ip-in-sdp.dat": {},
	"ipv4-mapped-ipv6.dat": {check: func(t *testing.T, m Message) {
		v, err := m.Header().TopVia()
		eq(t, "sent-by", v.SentBy(), "[::ffff:192.0.2.10]:19823", err)
	}},
	// RFC 5118 §4.10 allows rejecting the three-colon form; Ringo does,
	// since it is not an IPv6 address.
	"ipv6-bug-abnf-3-colons.dat": {parseFails: true, status: 400},
	"ipv6-correct-abnf-2-colons.dat": {check: func(t *testing.T, m Message) {
		eq(t, "host", m.(*Request).URI.Host, "[2001:db8::192.0.2.1]", nil)
	}},
}

func eq[T comparable](t *testing.T, what string, got, want T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func reserialisesAs(startLine string) func(*testing.T, Message) {
	return func(t *testing.T, m Message) {
		eq(t, "start line", strings.SplitN(string(m.Bytes()), "\r\n", 2)[0], startLine, nil)
	}
}

func toURI(want string) func(*testing.T, Message) {
	return func(t *testing.T, m Message) {
		to, err := m.Header().To()
		eq(t, "To URI", to.URI.String(), want, err)
	}
}

// tortureIndex reads torture/index.tsv: file name to class.
func tortureIndex(t testing.TB) map[string]string {
	f, err := os.Open(filepath.Join(tortureDir, "index.tsv"))
	if err != nil {
		t.Fatalf("the shared torture corpus must be beside the repository: %v", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || strings.HasPrefix(cols[0], "#") {
			continue
		}
		path := cols[0]
		if !strings.Contains(path, "/") {
			path = "rfc4475/" + path
		}
		out[path] = cols[4]
	}
	return out
}

func TestTorture(t *testing.T) {
	index := tortureIndex(t)
	if len(index) != 61 {
		t.Fatalf("index.tsv lists %d messages, want 61", len(index))
	}
	for path, class := range index {
		name := filepath.Base(path)
		tc, ok := tortureCases[name]
		if !ok {
			t.Errorf("%s: no expectation in tortureCases", path)
			continue
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(tortureDir, path))
			if err != nil {
				t.Fatal(err)
			}
			runTortureCase(t, data, tc)
			if class == "valid" && (tc.parseErr != nil || tc.parseFails || tc.status != 0) && !strings.HasPrefix(name, "ipv6-in-sdp") {
				t.Errorf("class %q but the case expects a rejection", class)
			}
		})
	}
}

// TestTortureFixedContentLength runs the corrected RFC 5118 copies, which
// must all be accepted.
func TestTortureFixedContentLength(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(tortureDir, "rfc5118/fixed-content-length/*.dat"))
	if err != nil || len(files) != 3 {
		t.Fatalf("want 3 corrected RFC 5118 messages, found %d (%v)", len(files), err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if req, ok := m.(*Request); ok {
				if err := CheckRequest(req); err != nil {
					t.Fatal(err)
				}
			}
			if !strings.HasPrefix(string(m.Body()), "v=0") || !strings.HasSuffix(string(m.Body()), "\r\n") {
				t.Errorf("body not the whole SDP: %q", m.Body())
			}
		})
	}
}

func runTortureCase(t *testing.T, data []byte, tc tortureCase) {
	m, err := Parse(data)
	switch {
	case tc.parseErr != nil || tc.parseFails:
		if err == nil {
			t.Fatalf("Parse succeeded, want an error")
		}
		if tc.parseErr != nil && !errors.Is(err, tc.parseErr) {
			t.Fatalf("Parse error %v, want %v", err, tc.parseErr)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Offset < 0 || !strings.Contains(err.Error(), "at offset") {
			t.Fatalf("error %q does not name an offset", err)
		}
		resp := ResponseFor(err)
		if tc.status == 0 {
			if resp != nil {
				t.Fatalf("ResponseFor = %q, want none", resp.StartLine())
			}
			return
		}
		if resp == nil || resp.StatusCode != tc.status {
			t.Fatalf("ResponseFor(%v) = %v, want %d", err, resp, tc.status)
		}
		checkErrorResponse(t, resp)
		return
	case err != nil:
		t.Fatalf("Parse: %v", err)
	}
	switch m := m.(type) {
	case *Request:
		err := CheckRequest(m)
		if tc.status == 0 && err != nil {
			t.Fatalf("CheckRequest: %v", err)
		}
		if tc.status != 0 {
			var re *RequestError
			if !errors.As(err, &re) || re.StatusCode != tc.status {
				t.Fatalf("CheckRequest = %v, want status %d", err, tc.status)
			}
			resp := ResponseFor(err)
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("ResponseFor = %v, want %d", resp, tc.status)
			}
			checkErrorResponse(t, resp)
		}
	case *Response:
		err := CheckResponse(m)
		if (tc.status == -1) != (err != nil) {
			t.Fatalf("CheckResponse = %v, want rejection %v", err, tc.status == -1)
		}
	}
	if tc.check != nil {
		tc.check(t, m)
	}
	assertRoundTrip(t, m)
}

// checkErrorResponse asserts that an error response is itself a valid
// message a client could match.
func checkErrorResponse(t *testing.T, resp *Response) {
	t.Helper()
	back, err := Parse(resp.Bytes())
	if err != nil {
		t.Fatalf("error response does not parse: %v\n%s", err, resp.Bytes())
	}
	if !back.Header().Has("Via") || !back.Header().Has("CSeq") {
		t.Fatalf("error response lacks Via or CSeq:\n%s", resp.Bytes())
	}
}

// assertRoundTrip serialises m, parses it again and compares.
func assertRoundTrip(t *testing.T, m Message) {
	t.Helper()
	back, err := Parse(m.Bytes())
	if err != nil {
		t.Fatalf("re-parse: %v\n%s", err, m.Bytes())
	}
	if back.StartLine() != m.StartLine() {
		t.Errorf("start line %q after round trip, want %q", back.StartLine(), m.StartLine())
	}
	if string(back.Body()) != string(m.Body()) {
		t.Errorf("body changed in round trip")
	}
	got, want := back.Header().Fields(), m.Header().Fields()
	for i, j := 0, 0; i < len(want); i++ {
		if nameMatches(want[i].Name, "Content-Length") {
			continue
		}
		for j < len(got) && nameMatches(got[j].Name, "Content-Length") {
			j++
		}
		if j >= len(got) || got[j].Name != want[i].Name || got[j].Value != want[i].Value {
			t.Errorf("header %d %q: %q changed in round trip", i, want[i].Name, want[i].Value)
			return
		}
		j++
	}
}
