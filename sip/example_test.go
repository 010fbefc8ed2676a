package sip_test

import (
	"fmt"

	"github.com/ringo-sip/ringo/sip"
)

func ExampleParseURI() {
	u, err := sip.ParseURI("sips:%61lice@Atlanta.COM:5061;transport=tcp?subject=project%20x")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Scheme, u.User, u.Host, u.Port)
	fmt.Println(u.Params.Value("TRANSPORT"), u.Headers.Value("subject"))
	fmt.Println(u.AOR())
	fmt.Println(u)
	// RFC 3261 §19.1.4: a parameter only one side has is ignored, except
	// transport, user, ttl, method and maddr.
	fmt.Println(u.Equal(sip.MustParseURI("sips:alice@atlanta.com:5061;transport=TCP;lr?subject=project%20x")))
	// Output:
	// sips alice atlanta.com 5061
	// tcp project%20x
	// sips:alice@atlanta.com
	// sips:alice@atlanta.com:5061;transport=tcp?subject=project%20x
	// true
}

func ExampleParseAddress() {
	a, err := sip.ParseAddress(`"Bob \"B\"" <sip:bob@biloxi.com;transport=ws>;tag=a6c85cf;expires=60`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.DisplayName)
	fmt.Println(a.URI.Params.Value("transport"), a.Tag())
	exp, ok := a.Expires()
	fmt.Println(exp, ok)
	a.DisplayName = ""
	a.Params.Del("expires")
	fmt.Println(a)

	// Without angle brackets, parameters belong to the header, not the URI.
	b, _ := sip.ParseAddress("sip:carol@chicago.com;tag=1")
	fmt.Println(b.URI, b.Tag())
	// Output:
	// Bob "B"
	// ws a6c85cf
	// 60 true
	// <sip:bob@biloxi.com;transport=ws>;tag=a6c85cf
	// sip:carol@chicago.com 1
}

func ExampleNormalizeTarget() {
	for _, target := range []string{"alice", "SIPS:iñaki@aliax.net:7070", "tel:(+34)-944-43-89"} {
		u, err := sip.NormalizeTarget(target, "example.com")
		fmt.Println(u, err)
	}
	// Output:
	// sip:alice@example.com <nil>
	// sip:i%C3%B1aki@aliax.net:7070 <nil>
	// sip:+349444389@example.com <nil>
}

func ExampleHeader_WWWAuthenticate() {
	msg, err := sip.Parse([]byte("SIP/2.0 401 Unauthorized\r\n" +
		"WWW-Authenticate: Digest realm=\"atlanta.com\",\r\n" +
		"  nonce=\"84a4cc6f3082121f32b42a2187831a9e\", algorithm=SHA-256, qop=\"auth\"\r\n" +
		"Content-Length: 0\r\n\r\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	challenges, err := msg.Header().WWWAuthenticate()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range challenges {
		fmt.Println(c.Scheme, c.Value("realm"), c.Value("algorithm"), c.Params.Value("qop"))
	}
	// Output:
	// Digest atlanta.com SHA-256 "auth"
}
