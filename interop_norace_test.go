//go:build !race

package ringo_test

// raceEnabled: see interop_race_test.go.
const raceEnabled = false
