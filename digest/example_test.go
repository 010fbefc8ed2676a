package digest_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/ringo-sip/ringo/digest"
)

// The client side of a REGISTER: the first request goes without
// credentials, the 401 is answered, and the next REGISTER carries
// credentials at once.
func ExampleClient() {
	// What a registrar sends in its 401, one value per WWW-Authenticate.
	wwwAuthenticate := []string{
		`Digest realm="example.com", nonce="bm9uY2Ux", qop="auth,auth-int", algorithm=MD5`,
		`Digest realm="example.com", nonce="bm9uY2Ux", qop="auth", algorithm=SHA-256`,
	}
	// One Client for WWW-Authenticate; a second would serve Proxy-Authenticate.
	client := &digest.Client{Username: "alice", Password: "wonderland"}

	x := client.NewExchange("REGISTER", "sip:example.com", nil)
	fmt.Println("first REGISTER carries", len(x.Authorize()), "credentials")

	var challenges []digest.Challenge
	for _, v := range wwwAuthenticate {
		ch, err := digest.ParseChallenge(v)
		if err != nil {
			log.Print(err) // say a Basic challenge: skip it
			continue
		}
		challenges = append(challenges, ch)
	}
	creds, err := x.Challenged(challenges)
	switch {
	case errors.Is(err, digest.ErrRejected):
		log.Fatal("wrong password") // ask the user
	case err != nil:
		log.Fatal(err) // report the 401
	}
	for _, cr := range creds {
		// Set as the value of an Authorization header field.
		fmt.Println("second REGISTER:", cr.Algorithm, cr.QOP, cr.NC, cr.Realm)
	}

	// The next request (a re-REGISTER, a MESSAGE) is authorized in advance.
	for _, cr := range client.NewExchange("REGISTER", "sip:example.com", nil).Authorize() {
		fmt.Println("re-REGISTER:", cr.Algorithm, cr.QOP, cr.NC, cr.Realm)
	}
	// Output:
	// first REGISTER carries 0 credentials
	// second REGISTER: SHA-256 auth 1 example.com
	// re-REGISTER: SHA-256 auth 2 example.com
}

// The server side: challenge a request that has no credentials, verify the
// next one.
func ExampleServer() {
	server := &digest.Server{
		Realm:  "example.com",
		Secret: []byte("a long random secret, not this!!"),
	}
	lookup := func(username, realm string, alg digest.Algorithm) (digest.Key, bool) {
		if username == "alice" {
			return digest.Key{Password: "wonderland"}, true
		}
		return digest.Key{}, false
	}

	// A REGISTER arrives without Authorization: answer 401.
	challenges, err := server.Challenges(false)
	if err != nil {
		log.Fatal(err) // a configuration error
	}
	var header []string
	for _, ch := range challenges {
		header = append(header, ch.String()) // one WWW-Authenticate each
	}
	fmt.Println(len(header), "WWW-Authenticate header fields")

	// The client answers (here a Client stands for the remote UA).
	alice := &digest.Client{Username: "alice", Password: "wonderland"}
	creds, _ := alice.NewExchange("REGISTER", "sip:example.com", nil).Challenged(challenges)
	authorization := creds[0].String()

	// The REGISTER comes back with Authorization: verify it.
	cr, err := digest.ParseCredentials(authorization)
	if err != nil {
		fmt.Println("400 Bad Request:", err)
		return
	}
	switch err := server.Verify(cr, "REGISTER", nil, lookup); {
	case err == nil:
		fmt.Println("200 OK for", cr.Username, "with", cr.Algorithm)
	case errors.Is(err, digest.ErrStaleNonce):
		fmt.Println("401 with server.Challenges(true)")
	default:
		fmt.Println("401 with server.Challenges(false):", err)
	}
	// Output:
	// 2 WWW-Authenticate header fields
	// 200 OK for alice with SHA-256
}
