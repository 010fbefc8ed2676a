package sip

import (
	"strconv"
	"strings"
)

// Version is the only SIP version Ringo speaks.
const Version = "SIP/2.0"

// Message is a SIP request or response: *Request or *Response.
type Message interface {
	// Header returns the message's header fields, for reading and editing.
	Header() *Header
	// Body returns the message body; nil if it has none.
	Body() []byte
	// SetBody replaces the body. A non-empty contentType sets Content-Type;
	// an empty body with an empty contentType removes Content-Type.
	SetBody(contentType string, body []byte)
	// StartLine returns the request or status line without its CRLF.
	StartLine() string
	// AppendTo appends the wire form of the message to b.
	AppendTo(b []byte) []byte
	// Bytes returns the wire form, with a Content-Length that matches the body.
	Bytes() []byte
	// String returns the wire form as a string.
	String() string

	isMessage()
}

// message is what requests and responses share.
type message struct {
	header Header
	body   []byte
}

func (m *message) Header() *Header { return &m.header }
func (m *message) Body() []byte    { return m.body }
func (*message) isMessage()        {}

func (m *message) SetBody(contentType string, body []byte) {
	m.body = body
	switch {
	case contentType != "":
		m.header.Set("Content-Type", contentType)
	case len(body) == 0:
		m.header.Del("Content-Type")
	}
}

// appendHeaderAndBody writes the header fields, a Content-Length that
// matches the body (rewriting a wrong one, adding a missing one), the blank
// line and the body.
func (m *message) appendHeaderAndBody(b []byte) []byte {
	wroteLength := false
	for _, f := range m.header.fields {
		b = append(b, f.Name...)
		b = append(b, ": "...)
		if nameMatches(f.Name, "Content-Length") {
			if wroteLength {
				// A second Content-Length can only disagree or repeat: drop it.
				b = b[:len(b)-len(f.Name)-2]
				continue
			}
			wroteLength = true
			b = strconv.AppendInt(b, int64(len(m.body)), 10)
		} else {
			b = append(b, f.Value...)
		}
		b = append(b, "\r\n"...)
	}
	if !wroteLength {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(m.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, m.body...)
}

func (m *message) size() int {
	n := len(m.body) + 2 + len("Content-Length: 65536\r\n")
	for _, f := range m.header.fields {
		n += len(f.Name) + len(f.Value) + 4
	}
	return n
}

// Request is a SIP request.
type Request struct {
	// Method is the request method as written: "INVITE", "REGISTER", or an
	// extension method token. Methods are case-sensitive.
	Method string
	// URI is the Request-URI.
	URI URI
	// Proto is the SIP version of the request line, normally "SIP/2.0".
	// CheckRequest rejects any other with 505.
	Proto string

	message
}

// NewRequest returns a request with the given method and Request-URI and no
// header fields. The caller adds Via, From, To, Call-ID, CSeq and
// Max-Forwards (or lets the transaction and dialog layers do so).
func NewRequest(method string, uri URI) *Request {
	r := &Request{Method: method, URI: uri, Proto: Version}
	// Room for the header fields of a usual request, which would
	// otherwise grow the slice four times.
	r.header.fields = make([]Field, 0, 8)
	return r
}

// StartLine returns "METHOD uri SIP/2.0".
func (r *Request) StartLine() string {
	b := r.appendStartLine(nil)
	return string(b[:len(b)-2])
}

func (r *Request) appendStartLine(b []byte) []byte {
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = r.URI.AppendTo(b)
	b = append(b, ' ')
	if r.Proto == "" {
		b = append(b, Version...)
	} else {
		b = append(b, r.Proto...)
	}
	return append(b, "\r\n"...)
}

// AppendTo appends the wire form of the request to b.
func (r *Request) AppendTo(b []byte) []byte {
	return r.appendHeaderAndBody(r.appendStartLine(b))
}

// Bytes returns the wire form of the request.
func (r *Request) Bytes() []byte {
	return r.AppendTo(make([]byte, 0, r.size()+len(r.Method)+len(r.URI.Opaque)+len(r.URI.Host)+len(r.URI.User)+48))
}

// String returns the wire form of the request.
func (r *Request) String() string { return string(r.Bytes()) }

// Clone returns a deep copy of the request (the body is shared, since it
// is never modified in place).
func (r *Request) Clone() *Request {
	c := *r
	c.URI = r.URI.Clone()
	c.header = r.header.Clone()
	return &c
}

// Response is a SIP response.
type Response struct {
	// StatusCode is the three-digit status code, 100 to 699.
	StatusCode int
	// Reason is the reason phrase; it may be empty.
	Reason string
	// Proto is the SIP version of the status line, normally "SIP/2.0".
	Proto string

	message
}

// StartLine returns "SIP/2.0 code reason".
func (r *Response) StartLine() string {
	return strings.TrimSuffix(string(r.appendStartLine(nil)), "\r\n")
}

func (r *Response) appendStartLine(b []byte) []byte {
	if r.Proto == "" {
		b = append(b, Version...)
	} else {
		b = append(b, r.Proto...)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(r.StatusCode), 10)
	b = append(b, ' ')
	b = append(b, r.Reason...)
	return append(b, "\r\n"...)
}

// AppendTo appends the wire form of the response to b.
func (r *Response) AppendTo(b []byte) []byte {
	return r.appendHeaderAndBody(r.appendStartLine(b))
}

// Bytes returns the wire form of the response.
func (r *Response) Bytes() []byte {
	return r.AppendTo(make([]byte, 0, r.size()+len(r.Reason)+16))
}

// String returns the wire form of the response.
func (r *Response) String() string { return string(r.Bytes()) }

// Clone returns a deep copy of the response (the body is shared).
func (r *Response) Clone() *Response {
	c := *r
	c.header = r.header.Clone()
	return &c
}

// IsProvisional reports whether the status code is 1xx.
func (r *Response) IsProvisional() bool { return r.StatusCode < 200 }

// IsSuccess reports whether the status code is 2xx.
func (r *Response) IsSuccess() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// NewResponse builds a response to req as RFC 3261 §8.2.6 says: the Via
// lines, From, To, Call-ID, CSeq and (for 100) Timestamp are copied, and a
// random To tag is added when the request's To has none and the code is
// above 100. Use SetToTag to give a dialog's own tag instead. An empty
// reason gives the standard phrase for the code.
func NewResponse(req *Request, code int, reason string) *Response {
	if reason == "" {
		reason = StatusText(code)
	}
	resp := &Response{StatusCode: code, Reason: reason, Proto: Version}
	h := &resp.header
	h.fields = make([]Field, 0, 8)
	for _, f := range req.header.fields {
		switch {
		case nameMatches(f.Name, "Via"), nameMatches(f.Name, "From"),
			nameMatches(f.Name, "Call-ID"), nameMatches(f.Name, "CSeq"),
			nameMatches(f.Name, "To"),
			code == 100 && nameMatches(f.Name, "Timestamp"):
			h.fields = append(h.fields, Field{Name: f.Name, Value: f.Value, offset: -1})
		}
	}
	if code > 100 {
		if to, err := resp.header.To(); err == nil && to.Tag() == "" {
			resp.SetToTag(NewTag())
		}
	}
	return resp
}

// SetToTag sets the tag parameter of the To header, replacing any tag it
// had. It does nothing if the message has no parseable To.
func (m *message) SetToTag(tag string) {
	i := m.header.index("To")
	if i < 0 {
		return
	}
	to, err := ParseAddress(m.header.fields[i].Value)
	if err != nil {
		return
	}
	to.Params.Set("tag", tag)
	m.header.fields[i].Value = to.String()
	m.header.fields[i].offset = -1
}
