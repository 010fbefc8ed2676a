// Package clock gives every timer in Ringo a source of time that tests can
// control.
//
// Code that needs the current time or a timer takes a [Clock] instead of
// calling the time package directly. Production code passes [Real], which is
// backed by the time package. Tests pass a [Fake], whose time moves only when
// the test calls [Fake.Advance]; the timers that fall due then run
// synchronously, in deadline order, on the test's goroutine. This lets a test
// step through every retransmission and timeout of a state machine without
// sleeping.
//
// Timers are created with [Clock.AfterFunc]. A callback should do little more
// than post the expiry to the goroutine that owns the state (in Ringo, the UA
// loop); it must not assume which goroutine it runs on.
package clock
