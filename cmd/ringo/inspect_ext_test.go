package main

import (
	"strconv"
	"strings"
	"testing"
)

// extMessage carries one of each extension header that inspect parses,
// some in compact form. It is read from stdin.
const extMessage = "NOTIFY sip:alice@192.0.2.10:5060;transport=tcp SIP/2.0\r\n" +
	"Via: SIP/2.0/TCP 192.0.2.20:5060;branch=z9hG4bK776asdhds;rport=5070;received=192.0.2.99\r\n" +
	"From: <sip:bob@example.com>;tag=a6c85cf\r\n" +
	"To: <sip:alice@example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710\r\n" +
	"CSeq: 4 NOTIFY\r\n" +
	"Contact: <sip:bob@192.0.2.20>;expires=3600;q=0.7;+sip.instance=\"<urn:uuid:1>\"\r\n" +
	"o: refer;id=93809824\r\n" +
	"Subscription-State: terminated;reason=noresource;retry-after=30\r\n" +
	"u: refer, presence\r\n" +
	"k: timer, 100rel\r\n" +
	"Require: replaces\r\n" +
	"Allow: INVITE, ACK, BYE\r\n" +
	"x: 1800;refresher=UAC\r\n" +
	"Min-SE: 90\r\n" +
	"RSeq: 988789\r\n" +
	"RAck: 776656 1 INVITE\r\n" +
	"r: <sip:carol@example.com?Replaces=12345%40192.0.2.1%3Bto-tag%3D12%3Bfrom-tag%3D34>\r\n" +
	"b: \"Bob\" <sip:bob@example.com>\r\n" +
	"Replaces: 12345@192.0.2.1;to-tag=12;from-tag=34;early-only\r\n" +
	"Reason: SIP ;cause=200 ;text=\"Call completed elsewhere\", Q.850;cause=16\r\n" +
	"Proxy-Authorization: Digest username=\"bob\", realm=\"example.com\", nonce=\"ea9c8e88\", uri=\"sip:alice@example.com\", response=\"3e47ce0b\", algorithm=MD5\r\n" +
	"Authentication-Info: nextnonce=\"47364c23\", qop=auth\r\n" +
	"Content-Disposition: render;handling=optional\r\n" +
	"Accept: application/sdp, text/*;q=0.5\r\n" +
	"Event: bogus;;\r\n" +
	"c: message/sipfrag;version=2.0\r\n" +
	"Content-Length: 16\r\n" +
	"\r\n" +
	"SIP/2.0 200 OK\r\n"

func TestInspectExtensionHeaders(t *testing.T) {
	stdout, stderr, code := runRingo(t, strings.NewReader(extMessage), "inspect", "-")
	if code != exitFailure || stderr != "" {
		t.Errorf("exit status %d, want %d (for the bad Event); stderr:\n%s", code, exitFailure, stderr)
	}
	checkLines(t, "stdout", stdout, []string{
		"      port: 5060",
		"      rport: 5070",
		"      received: 192.0.2.99",
		"      expires: 3600",
		"      q: 0.7",
		`      params: +sip.instance="<urn:uuid:1>"`,
		"  o (Event): refer;id=93809824",
		"    type: refer",
		"    id: 93809824",
		"  Subscription-State: terminated;reason=noresource;retry-after=30",
		"    state: terminated",
		"    reason: noresource",
		"    retry_after: 30",
		"  u (Allow-Events): refer, presence",
		"    tokens: refer, presence",
		"  k (Supported): timer, 100rel",
		"    tokens: timer, 100rel",
		"    tokens: replaces",
		"    tokens: INVITE, ACK, BYE",
		"  x (Session-Expires): 1800;refresher=UAC",
		"    delta: 1800",
		"    refresher: uac",
		"  Min-SE: 90",
		"    value: 90",
		"    value: 988789",
		"    rseq: 776656",
		"    cseq: 1",
		"  r (Refer-To): <sip:carol@example.com?Replaces=12345%40192.0.2.1%3Bto-tag%3D12%3Bfrom-tag%3D34>",
		"      headers: Replaces=12345%40192.0.2.1%3Bto-tag%3D12%3Bfrom-tag%3D34",
		"  b (Referred-By): \"Bob\" <sip:bob@example.com>",
		"    display_name: Bob",
		"    call_id: 12345@192.0.2.1",
		"    to_tag: 12",
		"    from_tag: 34",
		"    early_only: true",
		"    - protocol: SIP",
		"      cause: 200",
		"      text: Call completed elsewhere",
		"    - protocol: Q.850",
		"      cause: 16",
		"    scheme: Digest",
		"    auth_params:",
		"      username: bob",
		"      realm: example.com",
		"      algorithm: MD5",
		"      nextnonce: 47364c23",
		"      qop: auth",
		"    type: render",
		"    handling: optional",
		"    - type: application",
		"      subtype: sdp",
		"    - type: text",
		"      subtype: *",
		"      params: q=0.5",
		"  Event: bogus;;",
		"    ! sip: bad Event at offset " + strconv.Itoa(strings.Index(extMessage, "Event: bogus")) + ": empty parameter",
		"  c (Content-Type): message/sipfrag;version=2.0",
		"    type: message",
		"    subtype: sipfrag",
		"    params: version=2.0",
		"body: 16 bytes",
		"  kind: text",
		"  first_line: SIP/2.0 200 OK",
		"header errors: 1",
	})
}
