package sip

import (
	"crypto/rand"
	"encoding/base32"
)

// MagicCookie starts every RFC 3261 branch parameter (§8.1.1.7).
const MagicCookie = "z9hG4bK"

// lowerBase32 is a case-insensitive-safe alphabet, so identifiers survive
// elements that fold case.
var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomToken returns n random bytes from crypto/rand as lower-case base32.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24.
	return lowerBase32.EncodeToString(b)
}

// NewTag returns a random From/To tag with 80 bits of entropy.
func NewTag() string { return randomToken(10) }

// NewBranch returns a random Via branch that starts with the RFC 3261 magic
// cookie, with 120 bits of entropy.
func NewBranch() string {
	var raw [15]byte
	var b [len(MagicCookie) + 24]byte // 15 bytes are 24 base32 digits
	rand.Read(raw[:])
	copy(b[:], MagicCookie)
	lowerBase32.Encode(b[len(MagicCookie):], raw[:])
	return string(b[:])
}

// NewCallID returns a random Call-ID with 120 bits of entropy.
func NewCallID() string { return randomToken(15) }
