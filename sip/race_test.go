//go:build race

package sip

// raceEnabled: the race detector makes some values escape that otherwise
// stay on the stack, so allocation counts are checked without it only.
const raceEnabled = true
