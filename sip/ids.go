package sip

import "crypto/rand"

// MagicCookie starts every RFC 3261 branch parameter (§8.1.1.7).
const MagicCookie = "z9hG4bK"

// tokenAlphabet has 32 characters in one case, so identifiers survive
// elements that fold case, and each carries 5 bits.
const tokenAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// appendToken appends n (at most 32) random characters of tokenAlphabet,
// 5 bits of crypto/rand entropy each.
func appendToken(dst []byte, n int) []byte {
	var raw [32]byte
	rand.Read(raw[:n]) // crypto/rand.Read never returns an error since Go 1.24.
	for _, c := range raw[:n] {
		dst = append(dst, tokenAlphabet[c&31])
	}
	return dst
}

// NewTag returns a random From/To tag with 80 bits of entropy.
func NewTag() string {
	var b [16]byte
	return string(appendToken(b[:0], 16))
}

// NewBranch returns a random Via branch that starts with the RFC 3261 magic
// cookie, with 120 bits of entropy.
func NewBranch() string {
	var b [len(MagicCookie) + 24]byte
	return string(appendToken(append(b[:0], MagicCookie...), 24))
}

// NewCallID returns a random Call-ID with 120 bits of entropy.
func NewCallID() string {
	var b [24]byte
	return string(appendToken(b[:0], 24))
}
