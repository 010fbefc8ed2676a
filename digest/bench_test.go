package digest

import "testing"

// BenchmarkRespond measures answering a challenge: "new nonce" computes HA1
// and draws a cnonce from crypto/rand, "same nonce" only counts on.
func BenchmarkRespond(b *testing.B) {
	for _, alg := range []Algorithm{MD5, SHA256, SHA512_256Sess} {
		ch := Challenge{Realm: "example.com", Nonce: "bm9uY2Ux", Algorithm: alg, QOP: []QOP{QOPAuth}}
		b.Run(string(alg)+"/new nonce", func(b *testing.B) {
			c := &Client{Username: "alice", Password: "wonderland"}
			b.ReportAllocs()
			for b.Loop() {
				c.Reset()
				if _, err := c.Respond(ch, "INVITE", "sip:bob@example.com", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(alg)+"/same nonce", func(b *testing.B) {
			c := &Client{Username: "alice", Password: "wonderland"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Respond(ch, "INVITE", "sip:bob@example.com", nil); err != nil {
					b.Fatal(err)
				}
				if c.cache["example.com"].nc > 1<<30 {
					c.Reset()
				}
			}
		})
	}
}

// BenchmarkParseChallenge measures parsing a typical challenge.
func BenchmarkParseChallenge(b *testing.B) {
	const v = `Digest realm="example.com", nonce="ZN3e0WTd3aWeYH9RLnWeZ3g0M3q7EXDf", qop="auth", algorithm=MD5, opaque="abc"`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseChallenge(v); err != nil {
			b.Fatal(err)
		}
	}
}
