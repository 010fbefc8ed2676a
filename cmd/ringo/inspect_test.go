package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// torture is the shared conformance data, read in place.
const torture = "../../../shared/testdata/torture"

func rfc4475(name string) string { return filepath.Join(torture, "rfc4475", name) }

func TestInspect(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // whole lines that must appear, in any order
	}{
		{
			name:     "short tortuous INVITE",
			args:     []string{"inspect", rfc4475("wsinv.dat")},
			wantCode: exitOK,
			wantStdout: []string{
				"request: INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0",
				"  method: INVITE",
				"    params: unknownparam",
				"headers: 14",
				"  MaX-fOrWaRdS: 0068",
				"    value: 68",
				"  cseq: 0009 INVITE",
				"    seq: 9",
				"    method: INVITE",
				"  Via: SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw",
				"    - protocol: SIP/2.0",
				"      branch: 390skdjuw",
				"  v (Via): SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8  , SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239",
				"      host: spindle.example.com",
				"      branch: z9hG4bK9ikj8",
				"      host: 192.168.255.111",
				"      branch: z9hG4bK30239",
				`    display_name: J Rosenberg \"`,
				"    tag: 98asjd8",
				`  s (Subject): ""`,
				"  UnknownHeaderWithUnusualValue: ;;,,;;,;",
				"      q: 0.33",
				"      params: newparam=newvalue;secondparam",
				"body: 150 bytes",
				"  kind: sdp",
				"    - m=audio 49217 RTP/AVP 0 12",
				"    - m=video 3227 RTP/AVP 31",
			},
		},
		{
			name:     "flags after the file",
			args:     []string{"inspect", rfc4475("wsinv.dat"), "-json"},
			wantCode: exitOK,
			wantStdout: []string{
				`  "ok": true,`,
			},
		},
		{
			name:     "response with an unusual reason phrase",
			args:     []string{"inspect", rfc4475("unreason.dat")},
			wantCode: exitOK,
			wantStdout: []string{
				"response: SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое",
				"  status_code: 200",
				"  reason: = 2**3 * 5**2 но сто девяносто девять - простое",
				"  class: success",
				"  CSeq: 35 INVITE",
				"    seq: 35",
				"  From: sip:user@example.com;tag=11141343",
				"    tag: 11141343",
				"body: 154 bytes",
			},
		},
		{
			name:     "empty reason phrase",
			args:     []string{"inspect", rfc4475("noreason.dat")},
			wantCode: exitOK,
			wantStdout: []string{
				`response: "SIP/2.0 100 "`,
				"  status_code: 100",
				`  reason: ""`,
			},
		},
		{
			name:     "multipart body",
			args:     []string{"inspect", rfc4475("mpart01.dat")},
			wantCode: exitOK,
			wantStdout: []string{
				"      rport: (no value: asks for the source port)",
				"body: 553 bytes",
				"  kind: multipart",
				"    - length: 5",
				"      content_type: text/plain",
				"      first_line: Hello",
				"    - length: 342",
				"      content_type: application/octet-stream",
				"      kind: binary",
			},
		},
		{
			name:     "Content-Length larger than the message",
			args:     []string{"inspect", rfc4475("clerr.dat")},
			wantCode: exitFailure,
			wantStdout: []string{
				"error: sip: bad Content-Length at offset 320: message incomplete: Content-Length 9999 but 154 bytes of body",
				"partial: the start line and headers as far as they could be read",
				"request: INVITE sip:user@example.com SIP/2.0",
				"  Content-Length: 9999",
				"    ! sip: bad Content-Length at offset 320: message incomplete: Content-Length 9999 but 154 bytes of body",
			},
		},
		{
			name:     "status code out of range",
			args:     []string{"inspect", rfc4475("bigcode.dat")},
			wantCode: exitFailure,
			wantStdout: []string{
				`error: sip: bad status line at offset 0: bad status code "4294967301"`,
			},
		},
		{
			name:     "bad headers shown inline",
			args:     []string{"inspect", rfc4475("badinv01.dat")},
			wantCode: exitFailure,
			wantStdout: []string{
				"    ! sip: bad Via at offset 189: empty parameter",
				"    ! sip: bad Contact at offset 224: empty parameter",
				"header errors: 2",
				"  CSeq: 8 INVITE",
				"    seq: 8",
			},
		},
		{
			name:     "overlarge scalars",
			args:     []string{"inspect", rfc4475("scalar02.dat")},
			wantCode: exitFailure,
			wantStdout: []string{
				"    ! sip: bad CSeq at offset 168: sequence number: number larger than 2^32-1",
				"    ! sip: bad Max-Forwards at offset 255: 300 is larger than 255",
				"header errors: 3",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runRingo(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", code, tt.wantCode, stderr)
			}
			if stderr != "" {
				t.Errorf("unexpected stderr:\n%s", stderr)
			}
			checkLines(t, "stdout", stdout, tt.wantStdout)
		})
	}
}

// TestInspectGolden compares the whole tree for wsinv.dat with
// testdata/wsinv.txt. Run "go test -update" to rewrite it after a
// deliberate change to the output.
func TestInspectGolden(t *testing.T) {
	stdout, stderr, code := runRingo(t, nil, "inspect", rfc4475("wsinv.dat"))
	if code != exitOK || stderr != "" {
		t.Fatalf("exit status %d, stderr:\n%s", code, stderr)
	}
	golden := filepath.Join("testdata", "wsinv.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, stdout)
	}
}

func TestInspectStdin(t *testing.T) {
	data, err := os.ReadFile(rfc4475("wsinv.dat"))
	if err != nil {
		t.Fatal(err)
	}
	fromFile, _, _ := runRingo(t, nil, "inspect", rfc4475("wsinv.dat"))
	for _, args := range [][]string{{"inspect", "-"}, {"inspect", "-json", "-"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := runRingo(t, bytes.NewReader(data), args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit status %d, stderr:\n%s", code, stderr)
			}
			if len(args) == 2 && stdout != fromFile {
				t.Errorf("stdin gives:\n%s\nthe file gives:\n%s", stdout, fromFile)
			}
			if len(args) == 3 && !json.Valid([]byte(stdout)) {
				t.Errorf("not JSON:\n%s", stdout)
			}
		})
	}
	t.Run("bad message", func(t *testing.T) {
		stdout, _, code := runRingo(t, strings.NewReader("INVITE <sip:bob@example.com> SIP/2.0\r\n\r\n"), "inspect", "-")
		if code != exitFailure {
			t.Errorf("exit status %d, want %d", code, exitFailure)
		}
		checkLines(t, "stdout", stdout, []string{
			`error: sip: bad request line at offset 0: Request-URI: bad character '<' in URI scheme`,
		})
	})
}

// jsonReport is the -json document, decoded with the field names that
// scripts rely on.
type jsonReport struct {
	OK    bool `json:"ok"`
	Error *struct {
		Message string `json:"message"`
		Header  string `json:"header"`
		Offset  int    `json:"offset"`
	} `json:"error"`
	Partial bool `json:"partial"`
	Request *struct {
		StartLine string `json:"start_line"`
		Method    string `json:"method"`
		URI       struct {
			Text   string `json:"text"`
			Scheme string `json:"scheme"`
			User   string `json:"user"`
			Host   string `json:"host"`
			Params []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"params"`
		} `json:"uri"`
		Version string `json:"version"`
	} `json:"request"`
	Response *struct {
		StatusCode int    `json:"status_code"`
		Reason     string `json:"reason"`
	} `json:"response"`
	Headers []struct {
		Name      string          `json:"name"`
		Canonical string          `json:"canonical"`
		Offset    int             `json:"offset"`
		Value     string          `json:"value"`
		Typed     json.RawMessage `json:"typed"`
		Error     *struct {
			Message string `json:"message"`
			Offset  int    `json:"offset"`
		} `json:"error"`
	} `json:"headers"`
	HeaderErrors int `json:"header_errors"`
	Body         *struct {
		Length      int      `json:"length"`
		ContentType string   `json:"content_type"`
		Kind        string   `json:"kind"`
		Media       []string `json:"media"`
	} `json:"body"`
}

func inspectJSON(t *testing.T, file string, wantCode int) jsonReport {
	t.Helper()
	stdout, stderr, code := runRingo(t, nil, "inspect", "--json", file)
	if code != wantCode || stderr != "" {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, wantCode, stderr)
	}
	var rep jsonReport
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("decoding %s: %v\n%s", file, err, stdout)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document:\n%s", stdout)
	}
	return rep
}

func TestInspectJSON(t *testing.T) {
	rep := inspectJSON(t, rfc4475("wsinv.dat"), exitOK)
	if !rep.OK || rep.Error != nil || rep.HeaderErrors != 0 || rep.Response != nil {
		t.Errorf("ok %v, error %v, header_errors %d, response %v", rep.OK, rep.Error, rep.HeaderErrors, rep.Response)
	}
	r := rep.Request
	if r == nil || r.Method != "INVITE" || r.Version != "SIP/2.0" || r.URI.Scheme != "sip" ||
		r.URI.User != "vivekg" || r.URI.Host != "chair-dnrc.example.com" ||
		len(r.URI.Params) != 1 || r.URI.Params[0].Name != "unknownparam" {
		t.Errorf("request = %+v", r)
	}
	if len(rep.Headers) != 14 {
		t.Fatalf("%d headers, want 14", len(rep.Headers))
	}
	typed := map[string]string{} // header name as written: typed JSON, compacted
	for _, h := range rep.Headers {
		var b bytes.Buffer
		if len(h.Typed) > 0 {
			if err := json.Compact(&b, h.Typed); err != nil {
				t.Fatal(err)
			}
		}
		typed[h.Name] = b.String()
		if h.Error != nil {
			t.Errorf("%s: error %s", h.Name, h.Error.Message)
		}
	}
	for name, want := range map[string]string{
		"MaX-fOrWaRdS":   `{"value":68}`,
		"cseq":           `{"seq":9,"method":"INVITE"}`,
		"Content-Length": `{"value":150}`,
		"Via":            `[{"protocol":"SIP/2.0","transport":"UDP","host":"192.0.2.2","branch":"390skdjuw"}]`,
		"v": `[{"protocol":"SIP/2.0","transport":"TCP","host":"spindle.example.com","branch":"z9hG4bK9ikj8"},` +
			`{"protocol":"SIP/2.0","transport":"UDP","host":"192.168.255.111","branch":"z9hG4bK30239"}]`,
		"TO": `{"uri":{"text":"sip:vivekg@chair-dnrc.example.com","scheme":"sip","user":"vivekg","host":"chair-dnrc.example.com"},"tag":"1918181833n"}`,
		"m": `[{"display_name":"Quoted string \"\"","uri":{"text":"sip:jdrosen@example.com","scheme":"sip","user":"jdrosen","host":"example.com"},` +
			`"q":0.33,"params":[{"name":"newparam","value":"newvalue"},{"name":"secondparam","value":""}]}]`,
		"UnknownHeaderWithUnusualValue": ``,
	} {
		if got := typed[name]; got != want {
			t.Errorf("%s typed:\n got %s\nwant %s", name, got, want)
		}
	}
	if h := rep.Headers[0]; h.Name != "TO" || h.Canonical != "To" || h.Offset != 63 {
		t.Errorf("first header %s (%s) at %d, want TO (To) at 63", h.Name, h.Canonical, h.Offset)
	}
	b := rep.Body
	if b == nil || b.Length != 150 || b.ContentType != "application/sdp" || b.Kind != "sdp" ||
		strings.Join(b.Media, "|") != "m=audio 49217 RTP/AVP 0 12|m=video 3227 RTP/AVP 31" {
		t.Errorf("body = %+v", b)
	}
}

func TestInspectJSONErrors(t *testing.T) {
	t.Run("whole message", func(t *testing.T) {
		rep := inspectJSON(t, rfc4475("clerr.dat"), exitFailure)
		if rep.OK || rep.Error == nil || !rep.Partial || rep.Body != nil {
			t.Fatalf("ok %v, error %v, partial %v, body %v", rep.OK, rep.Error, rep.Partial, rep.Body)
		}
		if rep.Error.Header != "Content-Length" || rep.Error.Offset != 320 ||
			!strings.HasPrefix(rep.Error.Message, "sip: bad Content-Length at offset 320: ") {
			t.Errorf("error = %+v", *rep.Error)
		}
		if rep.Request == nil || rep.Request.Method != "INVITE" || len(rep.Headers) != 9 {
			t.Errorf("partial request %+v with %d headers", rep.Request, len(rep.Headers))
		}
	})
	t.Run("start line", func(t *testing.T) {
		rep := inspectJSON(t, rfc4475("bigcode.dat"), exitFailure)
		if rep.OK || rep.Error == nil || rep.Error.Header != "status line" || rep.Error.Offset != 0 ||
			rep.Partial || rep.Request != nil || rep.Response != nil || rep.Headers != nil {
			t.Errorf("report = %+v", rep)
		}
	})
	t.Run("one header", func(t *testing.T) {
		rep := inspectJSON(t, rfc4475("badinv01.dat"), exitFailure)
		if rep.OK || rep.Error != nil || rep.HeaderErrors != 2 || rep.Body == nil {
			t.Errorf("ok %v, error %v, header_errors %d", rep.OK, rep.Error, rep.HeaderErrors)
		}
		for _, h := range rep.Headers {
			if h.Name == "Via" && (h.Error == nil || h.Error.Offset != 189 || len(h.Typed) != 0) {
				t.Errorf("Via: error %v, typed %s", h.Error, h.Typed)
			}
		}
	})
	t.Run("response", func(t *testing.T) {
		rep := inspectJSON(t, rfc4475("unreason.dat"), exitOK)
		if rep.Response == nil || rep.Response.StatusCode != 200 ||
			rep.Response.Reason != "= 2**3 * 5**2 но сто девяносто девять - простое" {
			t.Errorf("response = %+v", rep.Response)
		}
	})
}

// TestInspectTorture runs inspect, tree and JSON, over every torture
// message: none may crash, and the exit status must agree with "ok".
func TestInspectTorture(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(torture, "*", "*.dat"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no torture messages under %s (%v): the shared test data must sit beside the clone", torture, err)
	}
	more, _ := filepath.Glob(filepath.Join(torture, "*", "*", "*.dat"))
	for _, file := range append(files, more...) {
		t.Run(strings.TrimPrefix(file, torture+"/"), func(t *testing.T) {
			text, stderr, code := runRingo(t, nil, "inspect", file)
			if code != exitOK && code != exitFailure || stderr != "" {
				t.Fatalf("exit status %d, stderr:\n%s", code, stderr)
			}
			if (code == exitFailure) != (strings.Contains(text, "error: ") || strings.Contains(text, "! ")) {
				t.Errorf("exit status %d does not match the tree:\n%s", code, text)
			}
			rep := inspectJSON(t, file, code)
			if rep.OK != (code == exitOK) {
				t.Errorf("ok %v with exit status %d", rep.OK, code)
			}
		})
	}
}
