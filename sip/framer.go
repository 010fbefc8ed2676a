package sip

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// RFC 5626 §3.5.1 keep-alives on a stream: a client pings with a double
// CRLF, the server answers with a single CRLF.
const (
	KeepAlivePing = "\r\n\r\n"
	KeepAlivePong = "\r\n"
)

// Framer cuts whole messages out of a byte stream (TCP, TLS), where each
// message's length is known only from its Content-Length header.
type Framer struct {
	r      *bufio.Reader
	parser Parser
	maxSize,
	maxLine int
}

// NewFramer returns a Framer that reads from r with the limits of p.
func NewFramer(r io.Reader, p Parser) *Framer {
	size, _, line := p.limits()
	return &Framer{r: bufio.NewReaderSize(r, max(16<<10, line+2)), parser: p, maxSize: size, maxLine: line}
}

// Next returns the bytes of the next whole message, or exactly
// KeepAlivePing or KeepAlivePong for a keep-alive between messages.
//
// A message without a Content-Length, or with a bad one, is an error that
// wraps ErrBadContentLength: on a stream the end of the message cannot be
// found, so the connection must be closed. A message larger than the
// limit wraps ErrMessageTooLarge. At the end of the stream Next returns
// io.EOF, or io.ErrUnexpectedEOF inside a message.
func (f *Framer) Next() ([]byte, error) {
	// Keep-alives: CRLFs between messages.
	if b, err := f.r.Peek(1); err != nil {
		return nil, err
	} else if b[0] == '\r' || b[0] == '\n' {
		return f.keepAlive()
	}

	// Read lines up to the empty line that ends the header, noting
	// Content-Length on the way.
	var msg []byte
	length := -1
	for {
		line, err := f.readLine(len(msg))
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		msg = append(msg, line...)
		if len(msg) > f.maxSize {
			return nil, &ParseError{Header: "message", Offset: f.maxSize, Err: ErrMessageTooLarge}
		}
		content := bytes.TrimRight(line, "\r\n")
		if len(content) == 0 {
			break
		}
		if n, ok, err := contentLengthOf(content); err != nil {
			return nil, &ParseError{Header: "Content-Length", Offset: len(msg) - len(line), Err: err}
		} else if ok {
			if length >= 0 && n != length {
				return nil, &ParseError{Header: "Content-Length", Offset: len(msg) - len(line),
					Err: errorf("%w: %d after %d", ErrBadContentLength, n, length)}
			}
			length = n
		}
	}
	if length < 0 {
		return nil, &ParseError{Header: "Content-Length", Offset: -1,
			Err: errorf("%w: missing on a stream transport", ErrBadContentLength)}
	}
	if len(msg)+length > f.maxSize {
		return nil, &ParseError{Header: "message", Offset: f.maxSize, Err: ErrMessageTooLarge}
	}
	start := len(msg)
	msg = append(msg, make([]byte, length)...)
	if _, err := io.ReadFull(f.r, msg[start:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return msg, nil
}

// keepAlive consumes a run of CRLFs. A double CRLF is a ping; a single one
// is a pong. Only bytes already received are looked at after the first
// CRLF, so a pong is returned without waiting for more data.
func (f *Framer) keepAlive() ([]byte, error) {
	n := 0
	for {
		b, err := f.r.Peek(1)
		if err != nil || (b[0] != '\r' && b[0] != '\n') {
			break
		}
		f.r.ReadByte()
		if b[0] == '\n' {
			n++
		}
		if n == 2 {
			return []byte(KeepAlivePing), nil
		}
		if n == 1 && f.r.Buffered() == 0 {
			break
		}
	}
	if n == 0 {
		// A lone CR at the end of the stream.
		return nil, io.ErrUnexpectedEOF
	}
	return []byte(KeepAlivePong), nil
}

// readLine reads one line including its LF, within the line limit.
func (f *Framer) readLine(offset int) ([]byte, error) {
	line, err := f.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) || len(line) > f.maxLine {
		return nil, &ParseError{Header: "header line", Offset: offset, Err: ErrLineTooLong}
	}
	if err != nil {
		return nil, err
	}
	return line, nil
}

// contentLengthOf reports the value of a Content-Length (or "l") header
// line, and whether the line is one.
func contentLengthOf(line []byte) (int, bool, error) {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 || line[0] == ' ' || line[0] == '\t' {
		return 0, false, nil
	}
	name := trimLWS(string(line[:colon]))
	if !nameMatches(name, "Content-Length") {
		return 0, false, nil
	}
	v, err := parseUintValue(string(line[colon+1:]))
	if err != nil {
		return 0, true, errorf("%w: %v", ErrBadContentLength, err)
	}
	return int(v), true, nil
}
