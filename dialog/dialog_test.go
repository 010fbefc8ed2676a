package dialog

import (
	"errors"
	"strings"
	"testing"

	"github.com/ringo-sip/ringo/sip"
)

func mustParse(t *testing.T, s string) sip.Message {
	t.Helper()
	m, err := sip.Parse([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const invite = `INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds
Max-Forwards: 70
To: Bob <sip:bob@biloxi.example.com>
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws;ob>
Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>
Content-Length: 0

`

const ok200 = `SIP/2.0 200 OK
Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Contact: <sip:bob@192.0.2.4>
Record-Route: <sip:p2.example.com;lr>
Record-Route: <sip:p1.example.com;lr>
Content-Length: 0

`

func TestUACDialog(t *testing.T) {
	req := mustParse(t, invite).(*sip.Request)
	resp := mustParse(t, ok200).(*sip.Response)
	d, err := NewUAC(req, resp)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ID{CallID: "a84b4c76e66710", LocalTag: "1928301774", RemoteTag: "a6c85cf"}); d.ID != want {
		t.Errorf("ID = %+v, want %+v", d.ID, want)
	}
	if d.State != Confirmed {
		t.Errorf("state = %v, want confirmed", d.State)
	}
	ack := d.NewAck(314159)
	bye := d.NewRequest("BYE")
	tests := []struct {
		req  *sip.Request
		want string
	}{
		{ack, "ACK sip:bob@192.0.2.4 SIP/2.0\r\n" +
			"Route: <sip:p1.example.com;lr>\r\nRoute: <sip:p2.example.com;lr>\r\n" +
			"From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
			"To: \"Bob\" <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" +
			"Call-ID: a84b4c76e66710\r\nCSeq: 314159 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"},
		{bye, "BYE sip:bob@192.0.2.4 SIP/2.0\r\n" +
			"Route: <sip:p1.example.com;lr>\r\nRoute: <sip:p2.example.com;lr>\r\n" +
			"From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
			"To: \"Bob\" <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" +
			"Call-ID: a84b4c76e66710\r\nCSeq: 314160 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"},
	}
	for _, tt := range tests {
		if got := tt.req.String(); got != tt.want {
			t.Errorf("got\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestUASDialog(t *testing.T) {
	req := mustParse(t, invite).(*sip.Request)
	d, err := NewUAS(req, "a6c85cf")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != Early {
		t.Errorf("state = %v, want early", d.State)
	}
	d.Confirm()
	bye := d.NewRequest("BYE")
	want := "BYE sip:alice@df7jal23ls0d.invalid;transport=ws;ob SIP/2.0\r\n" +
		"Route: <sip:p2.example.com;lr>\r\nRoute: <sip:p1.example.com;lr>\r\n" +
		"From: \"Bob\" <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" +
		"To: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
		"Call-ID: a84b4c76e66710\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if got := bye.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestStrictRouting(t *testing.T) {
	d := &Dialog{
		ID:           ID{CallID: "c", LocalTag: "l", RemoteTag: "r"},
		LocalSeq:     1,
		Local:        sip.Address{URI: sip.MustParseURI("sip:a@a.example")},
		Remote:       sip.Address{URI: sip.MustParseURI("sip:b@b.example")},
		RemoteTarget: sip.MustParseURI("sip:b@192.0.2.9"),
		RouteSet: []sip.Address{
			{URI: sip.MustParseURI("sip:strict.example.com;maddr=192.0.2.1")},
			{URI: sip.MustParseURI("sip:p2.example.com;lr")},
		},
	}
	req := d.NewRequest("INFO")
	if got, want := req.StartLine(), "INFO sip:strict.example.com;maddr=192.0.2.1 SIP/2.0"; got != want {
		t.Errorf("start line %q, want %q", got, want)
	}
	if got, want := strings.Join(req.Header().Values("Route"), " | "), "<sip:p2.example.com;lr> | <sip:b@192.0.2.9>"; got != want {
		t.Errorf("Route %q, want %q", got, want)
	}
}

func TestReceiveRequest(t *testing.T) {
	d, err := NewUAS(mustParse(t, invite).(*sip.Request), "a6c85cf")
	if err != nil {
		t.Fatal(err)
	}
	in := func(method string, seq int, contact string) *sip.Request {
		r := sip.NewRequest(method, sip.MustParseURI("sip:bob@192.0.2.4"))
		r.Header().Add("CSeq", sip.CSeq{Seq: uint32(seq), Method: method}.String())
		if contact != "" {
			r.Header().Add("Contact", contact)
		}
		return r
	}
	tests := []struct {
		name       string
		req        *sip.Request
		wantErr    error
		wantTarget string
	}{
		{"ACK keeps the INVITE's CSeq", in("ACK", 314159, ""), nil, "sip:alice@df7jal23ls0d.invalid;transport=ws;ob"},
		{"same CSeq again", in("INFO", 314159, ""), ErrCSeqOutOfOrder, "sip:alice@df7jal23ls0d.invalid;transport=ws;ob"},
		{"re-INVITE refreshes the target", in("INVITE", 314160, "<sip:alice@192.0.2.77>"), nil, "sip:alice@192.0.2.77"},
		{"INFO does not refresh", in("INFO", 314161, "<sip:alice@192.0.2.78>"), nil, "sip:alice@192.0.2.77"},
		{"lower CSeq", in("BYE", 5, ""), ErrCSeqOutOfOrder, "sip:alice@192.0.2.77"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.ReceiveRequest(tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := d.RemoteTarget.String(); got != tt.wantTarget {
				t.Fatalf("target %q, want %q", got, tt.wantTarget)
			}
		})
	}
}

func TestNewUACErrors(t *testing.T) {
	req := mustParse(t, invite).(*sip.Request)
	noTag := mustParse(t, strings.Replace(ok200, ";tag=a6c85cf", "", 1)).(*sip.Response)
	if _, err := NewUAC(req, noTag); !errors.Is(err, ErrNoTag) {
		t.Errorf("no To tag: err = %v, want ErrNoTag", err)
	}
	noContact := mustParse(t, strings.Replace(ok200, "Contact: <sip:bob@192.0.2.4>\n", "", 1)).(*sip.Response)
	if _, err := NewUAC(req, noContact); !errors.Is(err, ErrNoContact) {
		t.Errorf("2xx without Contact: err = %v, want ErrNoContact", err)
	}
	ringing := mustParse(t, strings.Replace(strings.Replace(ok200, "200 OK", "180 Ringing", 1), "Contact: <sip:bob@192.0.2.4>\n", "", 1)).(*sip.Response)
	d, err := NewUAC(req, ringing)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != Early || d.RemoteTarget.String() != "sip:bob@biloxi.example.com" {
		t.Errorf("early dialog without Contact: state %v target %v", d.State, d.RemoteTarget)
	}
	if err := d.ReceiveResponse(mustParse(t, ok200).(*sip.Response)); err != nil || d.State != Confirmed || d.RemoteTarget.String() != "sip:bob@192.0.2.4" {
		t.Errorf("after 200: err %v state %v target %v", err, d.State, d.RemoteTarget)
	}
}
