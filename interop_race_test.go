//go:build race

package ringo_test

// raceEnabled: the race detector slows everything several times over, so
// the load test registers fewer UAs.
const raceEnabled = true
