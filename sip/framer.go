package sip

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync/atomic"
)

// RFC 5626 §3.5.1 keep-alives on a stream: a client pings with a double
// CRLF, the server answers with a single CRLF.
const (
	KeepAlivePing = "\r\n\r\n"
	KeepAlivePong = "\r\n"
)

// Framer cuts whole messages out of a byte stream (TCP, TLS), where each
// message's length is known only from its Content-Length header.
//
// Keep-alives. Between messages a stream may carry CRLFs: RFC 5626
// §3.5.1 pings (a double CRLF, sent by the client of a flow) and pongs (a
// single CRLF, the server's answer), and RFC 3261 §7.5 CRLFs before a
// message, which are ignored. Bytes alone cannot tell a ping that arrives
// in two reads ("\r\n", then "\r\n") from two pongs, so the Framer is told
// which to expect: after [Framer.ExpectPong] (this side has sent a ping)
// the next CRLF is that ping's pong and Next returns it at once; otherwise
// a CRLF is taken as the start of a ping, and Next waits for what follows
// it:
//
//   - a second CRLF, in the same read or a later one: a ping;
//   - the start of a message: the CRLF is ignored (RFC 3261 §7.5; an
//     unsolicited pong needs no action either) and Next returns the
//     message;
//   - the end of the stream: the CRLF is ignored and Next returns io.EOF.
//
// So a server, which only expects pings, answers every ping however it is
// split, and a client, which only expects pongs, sees each pong as soon as
// it arrives. A peer that sends single CRLFs as its own keep-alive may
// have two of them taken for a ping and answered with a CRLF, which such a
// peer ignores.
type Framer struct {
	r      *bufio.Reader
	parser Parser
	maxSize,
	maxLine int
	// pongDue is set by ExpectPong and cleared when the pong is read.
	pongDue atomic.Bool
}

// NewFramer returns a Framer that reads from r with the limits of p.
func NewFramer(r io.Reader, p Parser) *Framer {
	size, _, line := p.limits()
	return &Framer{r: bufio.NewReaderSize(r, max(16<<10, line+2)), parser: p, maxSize: size, maxLine: line}
}

// ExpectPong tells f that this side has sent a ping, so that the next CRLF
// on the stream is its pong: Next returns KeepAlivePong for it at once,
// without waiting to see whether a second CRLF follows. Call it before
// writing the ping. It is safe to call while another goroutine is in Next.
func (f *Framer) ExpectPong() { f.pongDue.Store(true) }

// Next returns the bytes of the next whole message, or exactly
// KeepAlivePing or KeepAlivePong for a keep-alive between messages (see
// [Framer] for which CRLFs are which).
//
// A message without a Content-Length, or with a bad one, is an error that
// wraps ErrBadContentLength: on a stream the end of the message cannot be
// found, so the connection must be closed. A message larger than the
// limit wraps ErrMessageTooLarge. At the end of the stream Next returns
// io.EOF, or io.ErrUnexpectedEOF inside a message.
func (f *Framer) Next() ([]byte, error) {
	// Keep-alives: CRLFs between messages.
	for {
		b, err := f.r.Peek(1)
		if err != nil {
			return nil, err
		}
		if b[0] != '\r' && b[0] != '\n' {
			break
		}
		if ka, err := f.keepAlive(); err != nil || ka != nil {
			return ka, err
		}
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

// keepAlive reads a keep-alive that starts at the next byte, a CR or LF.
// It returns KeepAlivePing or KeepAlivePong, or nil and no error for a
// CRLF that is ignored because a message follows it.
func (f *Framer) keepAlive() ([]byte, error) {
	if err := f.lineEnd(); err != nil {
		return nil, err
	}
	if f.pongDue.CompareAndSwap(true, false) {
		return []byte(KeepAlivePong), nil
	}
	// The first half of a ping, unless what follows says otherwise; this
	// may wait for the next read.
	b, err := f.r.Peek(1)
	if err != nil {
		return nil, err // at io.EOF the lone CRLF is ignored
	}
	if b[0] != '\r' && b[0] != '\n' {
		return nil, nil // a CRLF before a message
	}
	if err := f.lineEnd(); err != nil {
		return nil, err
	}
	if f.pongDue.CompareAndSwap(true, false) {
		// This side pinged while the first CRLF waited for a second:
		// the first was stray, the second is the pong.
		return []byte(KeepAlivePong), nil
	}
	return []byte(KeepAlivePing), nil
}

// lineEnd consumes one line end between messages: CRs up to an LF, or
// leniently, CRs alone when something else follows them. A CR at the end
// of the stream is io.ErrUnexpectedEOF.
func (f *Framer) lineEnd() error {
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if b == '\n' {
			return nil
		}
		// A CR: an LF should follow.
		next, err := f.r.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if next[0] != '\r' && next[0] != '\n' {
			return nil
		}
	}
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
