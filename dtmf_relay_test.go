package ringo

import (
	"testing"
	"time"
)

// TestParseDTMFRelay reads application/dtmf-relay bodies of INFO: names
// and values in any case and spacing, a duration that is not a positive
// number of milliseconds leaves the 100 ms default.
func TestParseDTMFRelay(t *testing.T) {
	for _, tc := range []struct {
		body string
		tone rune
		dur  time.Duration
		ok   bool
	}{
		{"Signal=5\r\nDuration=100\r\n", '5', 100 * time.Millisecond, true},
		{"signal = # \nduration= 250", '#', 250 * time.Millisecond, true},
		{"Signal=a\r\n", 'A', 100 * time.Millisecond, true}, // the default
		{"Signal=1\r\nDuration=+80\r\n", '1', 80 * time.Millisecond, true},
		{"Signal=1\r\nDuration=-5\r\n", '1', 100 * time.Millisecond, true},
		{"Signal=1\r\nDuration=10ms\r\n", '1', 100 * time.Millisecond, true},
		{"Signal=12\r\nDuration=100\r\n", 0, 100 * time.Millisecond, false},
		{"Signal=X", 0, 100 * time.Millisecond, false},
		{"", 0, 100 * time.Millisecond, false},
	} {
		tone, dur, ok := parseDTMFRelay(tc.body)
		if tone != tc.tone || dur != tc.dur || ok != tc.ok {
			t.Errorf("parseDTMFRelay(%q) = %q, %v, %v; want %q, %v, %v", tc.body, tone, dur, ok, tc.tone, tc.dur, tc.ok)
		}
	}
}
