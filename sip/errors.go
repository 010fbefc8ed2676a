package sip

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors that callers branch on. Parse errors wrap them, so test with
// errors.Is.
var (
	// ErrMessageTooLarge: the message is larger than the parser's limit.
	ErrMessageTooLarge = errors.New("message too large")
	// ErrTooManyHeaders: the message has more header lines than the limit.
	ErrTooManyHeaders = errors.New("too many header lines")
	// ErrLineTooLong: a header line is longer than the limit.
	ErrLineTooLong = errors.New("line too long")
	// ErrIncomplete: the message ends before its header ends or before
	// the body that Content-Length announces.
	ErrIncomplete = errors.New("message incomplete")
	// ErrBadContentLength: Content-Length is missing where a stream needs
	// it, negative, not a number, or given twice with different values.
	ErrBadContentLength = errors.New("bad Content-Length")
	// ErrMissingHeader: a header the message must have is absent.
	ErrMissingHeader = errors.New("missing header")
)

// ParseError is an error in a message or one of its header values. It
// names the header (or "request line", "status line") and the byte offset
// in the message where the faulty part starts.
type ParseError struct {
	// Header is the header name as the message wrote it, or "request
	// line", "status line", "message" or "body".
	Header string
	// Offset is the byte offset of the faulty line or value in the
	// message, or -1 for a header that was not parsed from the wire.
	Offset int
	// Err is the underlying problem.
	Err error
	// Partial is the message as far as it could be read when the start
	// line and the header fields were readable: enough for a server to
	// answer a bad request with 400 instead of dropping it. It is nil when
	// not even that much could be read.
	Partial Message
}

func (e *ParseError) Error() string {
	if e.Err == ErrMissingHeader {
		return "sip: missing " + e.Header + " header"
	}
	if e.Offset < 0 {
		return "sip: bad " + e.Header + ": " + e.Err.Error()
	}
	return "sip: bad " + e.Header + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// fieldError wraps err as a ParseError that points at field f.
func fieldError(f Field, err error) error {
	return &ParseError{Header: f.Name, Offset: f.offset, Err: err}
}
