package ringo

import (
	"errors"
	"strconv"

	"github.com/ringo-sip/ringo/sip"
)

// Cause is why a request, a registration or (later) a call failed or
// ended, with the names JsSIP gives them. A Cause is an error, so that
// callers can branch with errors.Is(err, ringo.CauseBusy).
type Cause string

func (c Cause) Error() string { return string(c) }

// Causes, as JsSIP's JsSIP.C.causes.
const (
	CauseConnectionError     Cause = "Connection Error"
	CauseRequestTimeout      Cause = "Request Timeout"
	CauseSIPFailureCode      Cause = "SIP Failure Code"
	CauseInternalError       Cause = "Internal Error"
	CauseBusy                Cause = "Busy"
	CauseRejected            Cause = "Rejected"
	CauseRedirected          Cause = "Redirected"
	CauseUnavailable         Cause = "Unavailable"
	CauseNotFound            Cause = "Not Found"
	CauseAddressIncomplete   Cause = "Address Incomplete"
	CauseIncompatibleSDP     Cause = "Incompatible SDP"
	CauseMissingSDP          Cause = "Missing SDP"
	CauseAuthenticationError Cause = "Authentication Error"
	CauseBye                 Cause = "Terminated"
	CauseWebRTCError         Cause = "WebRTC Error"
	CauseCanceled            Cause = "Canceled"
	CauseNoAnswer            Cause = "No Answer"
	CauseExpires             Cause = "Expires"
	CauseNoACK               Cause = "No ACK"
	CauseDialogError         Cause = "Dialog Error"
	CauseBadMediaDescription Cause = "Bad Media Description"
	CauseRTPTimeout          Cause = "RTP Timeout"
)

// CauseForStatus maps a failure status code to its cause, as JsSIP's
// SIP_ERROR_CAUSES table does; codes it does not list give
// CauseSIPFailureCode.
func CauseForStatus(code int) Cause {
	switch code {
	case 300, 301, 302, 305, 380:
		return CauseRedirected
	case 486, 600:
		return CauseBusy
	case 403, 603:
		return CauseRejected
	case 404, 604:
		return CauseNotFound
	case 480, 410, 408, 430:
		return CauseUnavailable
	case 484, 424:
		return CauseAddressIncomplete
	case 488, 606:
		return CauseIncompatibleSDP
	case 401, 407:
		return CauseAuthenticationError
	}
	return CauseSIPFailureCode
}

// Error is a request that failed: a failure response, a timeout, a
// transport error or a refused authentication. errors.Is(err, cause) is
// true for its Cause.
type Error struct {
	// Cause is the JsSIP cause.
	Cause Cause
	// StatusCode and Reason are those of the failure response, or 0 and
	// "" when there was none.
	StatusCode int
	Reason     string
	// Response is the failure response, or nil.
	Response *sip.Response
	// Err is the underlying error when there was no response (a timeout, a
	// transport error), or nil.
	Err error
}

func (e *Error) Error() string {
	s := "ringo: " + string(e.Cause)
	if e.StatusCode != 0 {
		s += " (" + strconv.Itoa(e.StatusCode) + " " + e.Reason + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is this error's Cause.
func (e *Error) Is(target error) bool {
	c, ok := target.(Cause)
	return ok && c == e.Cause
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// responseError is the Error for a failure response.
func responseError(resp *sip.Response) *Error {
	return &Error{Cause: CauseForStatus(resp.StatusCode), StatusCode: resp.StatusCode, Reason: resp.Reason, Response: resp}
}

// Errors of the UA itself.
var (
	// ErrNotStarted: a method that needs a running UA was called before
	// Start or after Stop.
	ErrNotStarted = errors.New("ringo: UA not started")
	// ErrStopped: the UA stopped while the call was waiting.
	ErrStopped = errors.New("ringo: UA stopped")
)
