//go:build !race

package sip

// raceEnabled: see race_test.go.
const raceEnabled = false
