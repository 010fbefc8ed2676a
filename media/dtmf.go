package media

import (
	"fmt"
	"strings"
)

// DTMFEventCode returns the RFC 4733 §3.2 event code of a DTMF tone: 0-9
// for the digits, 10 for *, 11 for #, 12-15 for A-D. Lower-case a-d are
// accepted.
func DTMFEventCode(tone rune) (code uint8, ok bool) {
	switch {
	case tone >= '0' && tone <= '9':
		return uint8(tone - '0'), true
	case tone == '*':
		return 10, true
	case tone == '#':
		return 11, true
	case tone >= 'A' && tone <= 'D':
		return uint8(tone-'A') + 12, true
	case tone >= 'a' && tone <= 'd':
		return uint8(tone-'a') + 12, true
	}
	return 0, false
}

// DTMFTone returns the tone of an RFC 4733 event code 0-15.
func DTMFTone(code uint8) (tone rune, ok bool) {
	switch {
	case code <= 9:
		return rune('0' + code), true
	case code == 10:
		return '*', true
	case code == 11:
		return '#', true
	case code <= 15:
		return rune('A' + code - 12), true
	}
	return 0, false
}

// ValidateDTMF checks that tones is a non-empty string of DTMF tones and
// ',' pauses, and returns it normalized to upper case. The error wraps
// ErrInvalidDTMF and names the first bad character.
func ValidateDTMF(tones string) (string, error) {
	if tones == "" {
		return "", fmt.Errorf("%w: empty string", ErrInvalidDTMF)
	}
	for i, r := range tones {
		if _, ok := DTMFEventCode(r); !ok && r != ',' {
			return "", fmt.Errorf("%w: %q at index %d", ErrInvalidDTMF, r, i)
		}
	}
	return strings.ToUpper(tones), nil
}
