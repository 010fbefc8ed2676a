package transaction

import (
	"errors"
	"fmt"
)

// Errors that callers branch on; test with errors.Is.
var (
	// ErrTimeout: a transaction timer ran out (Timer B, F or H, or Timer
	// L with no ACK for a 2xx). The *Error that wraps it names the timer.
	ErrTimeout = errors.New("transaction: timed out")
	// ErrNoACK: an INVITE server transaction's final response was never
	// acknowledged: Timer H for a non-2xx, Timer L for a 2xx (RFC 3261
	// §13.3.1.4 says the session should then be ended with a BYE). It
	// wraps ErrTimeout.
	ErrNoACK = fmt.Errorf("%w: no ACK for the final response", ErrTimeout)
	// ErrTransport: the Sender failed to send a request, a response or an
	// ACK. The *Error that wraps it also wraps the Sender's error.
	ErrTransport = errors.New("transaction: transport error")
	// ErrClosed: the Layer was closed.
	ErrClosed = errors.New("transaction: layer closed")
	// ErrTerminated: the transaction is already terminated.
	ErrTerminated = errors.New("transaction: terminated")
	// ErrFinalSent: a response was passed to a server transaction that
	// has already sent a final response (except another 2xx for an
	// INVITE in the Accepted state, which RFC 6026 allows).
	ErrFinalSent = errors.New("transaction: final response already sent")
	// ErrTooLate: Cancel was called on an INVITE client transaction that
	// already has a final response.
	ErrTooLate = errors.New("transaction: final response already received")
)

// Error is a transaction failure reported to the transaction user: a
// timeout or a transport error (RFC 3261 §17.1.4, §17.2.4).
//
// StatusCode is the response that RFC 3261 §8.1.3.1 tells a UAC to act as
// if it had received: 408 (Request Timeout) for a timeout, 503 (Service
// Unavailable) for a transport error. The layer does not fabricate those
// responses: the failure arrives as an *Error, distinct from any response
// the peer really sent, so logs and end causes can tell them apart.
type Error struct {
	// StatusCode is 408 for a timeout and 503 for a transport error.
	StatusCode int
	// Timer names the timer that expired: "B", "F", "H" or "L"; empty
	// for a transport error.
	Timer string
	// Err is ErrTimeout or ErrNoACK for a timeout; for a transport error
	// it wraps both ErrTransport and the Sender's error.
	Err error
}

// Error returns a description such as
// "transaction: Timer B expired: transaction: timed out (408)".
func (e *Error) Error() string {
	if e.Timer != "" {
		return fmt.Sprintf("transaction: Timer %s expired: %v (%d)", e.Timer, e.Err, e.StatusCode)
	}
	return fmt.Sprintf("%v (%d)", e.Err, e.StatusCode)
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

func timeoutError(timer string, err error) *Error {
	return &Error{StatusCode: 408, Timer: timer, Err: err}
}

func transportError(err error) *Error {
	return &Error{StatusCode: 503, Err: fmt.Errorf("%w: %w", ErrTransport, err)}
}
