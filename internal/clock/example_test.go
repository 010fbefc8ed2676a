package clock_test

import (
	"fmt"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
)

// A retransmission timer that doubles its interval, as Timer A of an RFC 3261
// INVITE client transaction does, stepped through without sleeping.
func ExampleFake() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)

	interval := 500 * time.Millisecond
	var timerA clock.Timer
	timerA = clk.AfterFunc(interval, func() {
		fmt.Println("retransmit at", clk.Now().Sub(start))
		interval *= 2
		timerA.Reset(interval)
	})

	clk.Advance(4 * time.Second)
	next, _ := clk.Next()
	fmt.Println("next retransmission in", next)

	timerA.Stop() // a response arrived
	fmt.Println("pending timers:", clk.Pending())
	// Output:
	// retransmit at 500ms
	// retransmit at 1.5s
	// retransmit at 3.5s
	// next retransmission in 3.5s
	// pending timers: 0
}
