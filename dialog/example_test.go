package dialog_test

import (
	"fmt"
	"strings"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/sip"
)

func ExampleNewUAS() {
	msg, _ := sip.Parse([]byte(strings.ReplaceAll(`INVITE sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1
From: <sip:alice@example.com>;tag=88
To: <sip:bob@example.com>
Call-ID: 1@192.0.2.1
CSeq: 1 INVITE
Contact: <sip:alice@192.0.2.1>
Content-Length: 0

`, "\n", "\r\n")))
	d, _ := dialog.NewUAS(msg.(*sip.Request), "bobtag")
	d.Confirm()
	bye := d.NewRequest("BYE")
	fmt.Println(bye.StartLine())
	fmt.Println(bye.Header().Get("To"))
	// Output:
	// BYE sip:alice@192.0.2.1 SIP/2.0
	// <sip:alice@example.com>;tag=88
}
