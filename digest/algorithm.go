package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"
)

// An Algorithm is the value of the algorithm parameter. The constants are the
// algorithms this package computes; any other token is kept as received so
// that it can be printed back, and is reported as unsupported. The empty
// Algorithm means that the parameter is absent, which RFC 7616 defines as MD5.
type Algorithm string

// The algorithms of RFC 7616 §6.1, spelt as its registry spells them.
// Parsing maps any capitalisation of these names to the constants.
const (
	MD5            Algorithm = "MD5"
	MD5Sess        Algorithm = "MD5-sess"
	SHA256         Algorithm = "SHA-256"
	SHA256Sess     Algorithm = "SHA-256-sess"
	SHA512_256     Algorithm = "SHA-512-256"
	SHA512_256Sess Algorithm = "SHA-512-256-sess"
)

// knownAlgorithms lists the supported algorithms (a constant table).
var knownAlgorithms = [...]Algorithm{MD5, MD5Sess, SHA256, SHA256Sess, SHA512_256, SHA512_256Sess}

// canonicalAlgorithm returns the constant that s names case-insensitively,
// or s itself.
func canonicalAlgorithm(s string) Algorithm {
	for _, a := range knownAlgorithms {
		if strings.EqualFold(s, string(a)) {
			return a
		}
	}
	return Algorithm(s)
}

// effective returns MD5 for the empty Algorithm and a otherwise.
func (a Algorithm) effective() Algorithm {
	if a == "" {
		return MD5
	}
	return a
}

// Supported reports whether the package can compute a. The empty Algorithm
// (parameter absent, meaning MD5) is supported.
func (a Algorithm) Supported() bool {
	return a.strength() > 0
}

// Sess reports whether a is a session variant ("-sess"), whose HA1 also
// covers the server and client nonces.
func (a Algorithm) Sess() bool {
	switch a {
	case MD5Sess, SHA256Sess, SHA512_256Sess:
		return true
	}
	return false
}

// Base returns a without its "-sess" suffix: the algorithm whose hash an HA1
// for a is computed with.
func (a Algorithm) Base() Algorithm {
	switch a.effective() {
	case MD5, MD5Sess:
		return MD5
	case SHA256, SHA256Sess:
		return SHA256
	case SHA512_256, SHA512_256Sess:
		return SHA512_256
	}
	return a
}

// strength orders the supported algorithms by hash (3 strongest) and is 0
// for an unsupported one.
func (a Algorithm) strength() int {
	switch a.Base() {
	case MD5:
		return 1
	case SHA256:
		return 2
	case SHA512_256:
		return 3
	}
	return 0
}

// appendHex appends the lowercase hex digest of data with a's hash to dst.
// a must be supported.
func (a Algorithm) appendHex(dst, data []byte) []byte {
	switch a.Base() {
	case MD5:
		sum := md5.Sum(data)
		return hex.AppendEncode(dst, sum[:])
	case SHA256:
		sum := sha256.Sum256(data)
		return hex.AppendEncode(dst, sum[:])
	default:
		sum := sha512.Sum512_256(data)
		return hex.AppendEncode(dst, sum[:])
	}
}

// hexLen is the length of a's digests in hex.
func (a Algorithm) hexLen() int {
	if a.Base() == MD5 {
		return 2 * md5.Size
	}
	return 2 * sha256.Size // SHA-256 and SHA-512/256 both give 32 bytes.
}

// A QOP is a quality of protection. Parsing lowercases qop values.
type QOP string

// The qop values of RFC 7616. QOPNone is the absence of qop: the RFC 2069
// computation, without cnonce and nonce count.
const (
	QOPNone    QOP = ""
	QOPAuth    QOP = "auth"
	QOPAuthInt QOP = "auth-int"
)

// HA1 returns the hex digest H(username ":" realm ":" password) with the hash
// of alg (the "-sess" suffix is ignored: a session HA1 is derived from this
// one per nonce). Store it instead of the password in Client.HA1 or in a
// server's user table: it is only valid for that realm and that hash.
func HA1(alg Algorithm, username, realm, password string) (string, error) {
	if !alg.Supported() {
		return "", fmt.Errorf("%w: algorithm %q", ErrUnsupported, string(alg))
	}
	return hashHex(alg, username, ":", realm, ":", password), nil
}

// hashHex returns the lowercase hex digest of the concatenated parts.
func hashHex(alg Algorithm, parts ...string) string {
	var buf [256]byte
	data := buf[:0]
	for _, p := range parts {
		data = append(data, p...)
	}
	var out [64]byte
	return string(alg.appendHex(out[:0], data))
}

// userhash returns H(username ":" realm), RFC 7616 §3.4.4.
func userhash(alg Algorithm, username, realm string) string {
	return hashHex(alg, username, ":", realm)
}

// formatNC formats a nonce count as 8 lowercase hex digits.
func formatNC(nc uint32) string {
	var b [8]byte
	return string(appendNC(b[:0], nc))
}

// appendNC appends nc as 8 lowercase hex digits.
func appendNC(dst []byte, nc uint32) []byte {
	const digits = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, digits[nc>>uint(shift)&0xf])
	}
	return dst
}

// respInput is everything a response digest depends on.
type respInput struct {
	alg    Algorithm
	ha1    string // lowercase hex; for -sess, already the session HA1
	nonce  string
	cnonce string
	nc     uint32
	qop    QOP
	method string
	uri    string
	body   []byte
}

// sessionHA1 returns the HA1 to use: for a -sess algorithm,
// H(HA1 ":" nonce ":" cnonce), else ha1 itself.
func sessionHA1(alg Algorithm, ha1, nonce, cnonce string) string {
	if !alg.Sess() {
		return ha1
	}
	return hashHex(alg, ha1, ":", nonce, ":", cnonce)
}

// response computes the request-digest of RFC 7616 §3.4.1 (and RFC 2069 when
// in.qop is QOPNone). in.ha1 must already be the session HA1 for -sess.
func response(in respInput) string {
	alg := in.alg
	var ha2 string
	if in.qop == QOPAuthInt {
		var out [64]byte
		ha2 = hashHex(alg, in.method, ":", in.uri, ":", string(alg.appendHex(out[:0], in.body)))
	} else {
		ha2 = hashHex(alg, in.method, ":", in.uri)
	}
	if in.qop == QOPNone {
		return hashHex(alg, in.ha1, ":", in.nonce, ":", ha2)
	}
	var nc [8]byte
	return hashHex(alg, in.ha1, ":", in.nonce, ":", string(appendNC(nc[:0], in.nc)), ":", in.cnonce, ":", string(in.qop), ":", ha2)
}
