package sip

import (
	"bytes"
	"errors"
	"strings"
)

// Default limits of a zero Parser.
const (
	DefaultMaxMessageSize = 64 << 10
	DefaultMaxHeaders     = 256
	DefaultMaxLineLength  = 8 << 10
)

// Parser parses SIP messages within limits. The zero value uses the
// default limits; Parse is Parser{}.Parse.
type Parser struct {
	// MaxMessageSize is the largest message accepted, in bytes.
	MaxMessageSize int
	// MaxHeaders is the largest number of header lines accepted.
	MaxHeaders int
	// MaxLineLength is the longest line accepted, in bytes, folding
	// continuation lines counted separately.
	MaxLineLength int
}

func (p Parser) limits() (size, headers, line int) {
	size, headers, line = p.MaxMessageSize, p.MaxHeaders, p.MaxLineLength
	if size <= 0 {
		size = DefaultMaxMessageSize
	}
	if headers <= 0 {
		headers = DefaultMaxHeaders
	}
	if line <= 0 {
		line = DefaultMaxLineLength
	}
	return size, headers, line
}

// Parse parses one whole message, as a UDP datagram or a WebSocket frame
// carries it, with the default limits. See Parser.Parse.
func Parse(data []byte) (Message, error) { return Parser{}.Parse(data) }

// Parse parses one whole message: a datagram or a WebSocket frame.
//
// Empty lines before the start line are skipped. The body is as long as
// Content-Length says; bytes after it are ignored, as RFC 3261 §18.3 says
// for datagrams. Without Content-Length the body is the rest of the data.
// Line folding is undone, header values are trimmed, compact names are
// kept as written.
//
// Errors are *ParseError values naming the header and the offset. When the
// header fields could be read, ParseError.Partial holds the message so that
// a server can still answer 400.
func (p Parser) Parse(data []byte) (Message, error) {
	maxSize, maxHeaders, maxLine := p.limits()
	if len(data) > maxSize {
		return nil, &ParseError{Header: "message", Offset: maxSize, Err: ErrMessageTooLarge}
	}
	// The header is copied into one string that the fields are slices of,
	// and the body (below) into a slice of its own; bytes after the body
	// are not copied.
	nLines, headerEnd := scanHeader(data)
	s := string(data[:headerEnd])
	pos := 0
	for pos < len(s) && (s[pos] == '\r' || s[pos] == '\n') {
		pos++
	}
	if pos == len(s) {
		return nil, &ParseError{Header: "message", Offset: pos, Err: ErrIncomplete}
	}

	// Start line.
	startOff := pos
	eol := strings.IndexByte(s[pos:], '\n')
	if eol < 0 {
		return nil, &ParseError{Header: "start line", Offset: pos, Err: ErrIncomplete}
	}
	if eol > maxLine {
		return nil, &ParseError{Header: "start line", Offset: pos, Err: ErrLineTooLong}
	}
	startLine := strings.TrimSuffix(s[pos:pos+eol], "\r")
	pos += eol + 1

	// Header fields.
	fields := make([]Field, 0, min(nLines, maxHeaders))
	bodyStart := len(s)
	for pos < len(s) {
		lineStart := pos
		eol := strings.IndexByte(s[pos:], '\n')
		if eol < 0 {
			eol = len(s) - pos
		}
		if eol > maxLine {
			return nil, &ParseError{Header: "header line", Offset: pos, Err: ErrLineTooLong}
		}
		line := s[pos : pos+eol]
		pos += eol + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if line == "" {
			bodyStart = min(pos, len(s))
			break
		}
		// Continuation lines (starting with SP or HT) fold into this one.
		folded := false
		for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
			eol := strings.IndexByte(s[pos:], '\n')
			if eol < 0 {
				eol = len(s) - pos
			}
			if eol > maxLine {
				return nil, &ParseError{Header: "header line", Offset: pos, Err: ErrLineTooLong}
			}
			pos += eol + 1
			folded = true
		}
		if folded {
			line = unfold(s[lineStart:min(pos, len(s))])
		}
		if len(fields) == maxHeaders {
			return nil, &ParseError{Header: "message", Offset: lineStart, Err: ErrTooManyHeaders}
		}
		// Nearly every line is token ":" value; anything else takes the
		// general path, which also finds the error to report.
		colon := tokenLen(line)
		name := line[:colon]
		if colon == 0 || colon == len(line) || line[colon] != ':' {
			colon = strings.IndexByte(line, ':')
			if colon < 0 {
				return nil, &ParseError{Header: "header line", Offset: lineStart, Err: errorf("no ':' in %q", truncate(line))}
			}
			name = trimLWS(line[:colon])
			if name == "" || tokenLen(name) != len(name) {
				return nil, &ParseError{Header: "header line", Offset: lineStart, Err: errorf("bad header name %q", truncate(name))}
			}
		}
		fields = append(fields, Field{Name: name, Value: trimLWS(line[colon+1:]), offset: lineStart})
	}

	var msg Message
	var startErr error
	var header Header
	header.fields = fields
	if strings.HasPrefix(startLine, "SIP/") {
		resp := &Response{}
		resp.header = header
		startErr = resp.parseStatusLine(startLine)
		msg = resp
	} else {
		req := &Request{}
		req.header = header
		startErr = req.parseRequestLine(startLine)
		msg = req
	}
	if startErr != nil {
		kind := "request line"
		if _, ok := msg.(*Response); ok {
			kind = "status line"
		}
		return nil, &ParseError{Header: kind, Offset: startOff, Err: startErr, Partial: msg}
	}

	// Body, as long as Content-Length says.
	body := data[bodyStart:]
	var lengthField Field
	length := -1
	for _, f := range fields {
		// Only "Content-Length" and "l" can match, in any case.
		if len(f.Name) != len("Content-Length") && len(f.Name) != 1 || !nameMatches(f.Name, "Content-Length") {
			continue
		}
		n, err := parseUintValue(f.Value)
		if err != nil || n > uint32(maxSize) {
			if err == nil {
				err = errorf("%d is larger than the message size limit", n)
			}
			return nil, &ParseError{Header: f.Name, Offset: f.offset, Err: errorf("%w: %v", ErrBadContentLength, err), Partial: msg}
		}
		if length >= 0 && int(n) != length {
			return nil, &ParseError{Header: f.Name, Offset: f.offset, Err: errorf("%w: %d after %d", ErrBadContentLength, n, length), Partial: msg}
		}
		length, lengthField = int(n), f
	}
	if length >= 0 {
		if length > len(body) {
			return nil, &ParseError{Header: lengthField.Name, Offset: lengthField.offset,
				Err: errorf("%w: Content-Length %d but %d bytes of body", ErrIncomplete, length, len(body)), Partial: msg}
		}
		body = body[:length]
	}
	if len(body) > 0 {
		b := bytes.Clone(body)
		switch m := msg.(type) {
		case *Request:
			m.body = b
		case *Response:
			m.body = b
		}
	}
	return msg, nil
}

// scanHeader finds where the header of a message ends: just after the
// empty line that follows the start line and the header fields, or at the
// end of data if there is none. lines counts the lines between the start
// line and the empty line, which is room enough for the header fields.
// Empty lines before the start line are skipped, as Parse does.
func scanHeader(data []byte) (lines, end int) {
	pos := 0
	for pos < len(data) && (data[pos] == '\r' || data[pos] == '\n') {
		pos++
	}
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return 0, len(data)
	}
	pos += i + 1
	for {
		rest := data[pos:]
		switch {
		case len(rest) == 0:
			return lines, len(data)
		case rest[0] == '\n':
			return lines, pos + 1
		case rest[0] == '\r' && len(rest) > 1 && rest[1] == '\n':
			return lines, pos + 2
		}
		lines++
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return lines, len(data)
		}
		pos += i + 1
	}
}

// unfold joins a header line with its continuation lines: each line break
// with the white space around it becomes one space.
func unfold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			b.WriteString(strings.TrimRight(s, "\r"))
			return b.String()
		}
		b.WriteString(strings.TrimRight(s[:i], "\r \t"))
		s = strings.TrimLeft(s[i+1:], " \t")
		if s != "" && s[0] != '\r' && s[0] != '\n' {
			b.WriteByte(' ')
		}
	}
}

// parseRequestLine parses "Method SP Request-URI SP SIP-Version". Runs of
// spaces between the parts and trailing spaces are tolerated (RFC 4475
// §3.1.2.9, §3.1.2.10); they are not reproduced when the request is written.
func (r *Request) parseRequestLine(line string) error {
	var parts [3]string
	n := 0
	for rest := line; ; {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		if n == 3 {
			return errorf("more than three parts (white space inside the Request-URI?) at %q", truncate(rest))
		}
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		parts[n], rest = rest[:end], rest[end:]
		n++
	}
	if n < 3 {
		return errors.New("want method, Request-URI and SIP version")
	}
	if tokenLen(parts[0]) != len(parts[0]) {
		return errorf("bad method %q", parts[0])
	}
	r.Method = parts[0]
	if !strings.HasPrefix(parts[2], "SIP/") || len(parts[2]) < 7 {
		return errorf("bad SIP version %q", parts[2])
	}
	r.Proto = parts[2]
	u, err := ParseURI(parts[1])
	if err != nil {
		return errorf("Request-URI: %w", err)
	}
	r.URI = u
	return nil
}

// parseStatusLine parses "SIP-Version SP Status-Code SP Reason-Phrase".
func (r *Response) parseStatusLine(line string) error {
	sp := strings.IndexByte(line, ' ')
	if sp < 0 {
		return errors.New("no status code")
	}
	r.Proto = line[:sp]
	rest := strings.TrimLeft(line[sp+1:], " ")
	n := 0
	for n < len(rest) && isDigit(rest[n]) {
		n++
	}
	if n != 3 || n < len(rest) && rest[n] != ' ' {
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		return errorf("bad status code %q", truncate(rest[:end]))
	}
	r.StatusCode = int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
	if r.StatusCode < 100 {
		return errorf("status code %d below 100", r.StatusCode)
	}
	if n < len(rest) {
		r.Reason = rest[n+1:]
	}
	return nil
}
