package sip

import (
	"errors"
	"strings"
)

// RequestError is a request that must be answered with an error response
// instead of being processed (RFC 3261 §8.2, §16.3).
type RequestError struct {
	// StatusCode is the response code the request must get: 400, 416,
	// 483 or 505.
	StatusCode int
	// Err is the problem; its text goes into the reason phrase.
	Err error
	// Request is the rejected request as far as it could be read.
	Request *Request
}

func (e *RequestError) Error() string {
	return "sip: " + strings.TrimPrefix(e.Err.Error(), "sip: ") + " (answer " + StatusText(e.StatusCode) + ")"
}

func (e *RequestError) Unwrap() error { return e.Err }

// Response builds the error response for the request: the status code, and
// a reason phrase with the standard text followed by the problem. It
// returns nil for an ACK, which is never answered, or for a request without
// a Via, since a response cannot be routed without one. The headers that a
// response copies and the request lacks stay absent (RFC 4475 §3.3.1 still
// wants a 400 then).
func (e *RequestError) Response() *Response {
	req := e.Request
	if req == nil || req.Method == "ACK" {
		return nil
	}
	if !req.header.Has("Via") {
		return nil
	}
	detail := strings.TrimPrefix(e.Err.Error(), "sip: ")
	detail = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, detail)
	if len(detail) > 120 {
		detail = detail[:120]
	}
	return NewResponse(req, e.StatusCode, StatusText(e.StatusCode)+" ("+detail+")")
}

// ResponseFor returns the error response for a request that Parse or
// CheckRequest rejected, or nil if there is nothing to answer: err is not
// about a request, the request is an ACK, or it has no Via. A server sends it and goes on.
func ResponseFor(err error) *Response {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Response()
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		if req, ok := pe.Partial.(*Request); ok {
			code := 400
			if req.Proto != "" && req.Proto != Version {
				code = 505
			}
			return (&RequestError{StatusCode: code, Err: err, Request: req}).Response()
		}
	}
	return nil
}

// CheckRequest reports whether a user agent server may process req, as
// RFC 3261 §8.2 says. It returns nil, or a *RequestError with the status
// code to answer:
//
//   - 505 for a SIP version other than 2.0;
//   - 416 for a Request-URI scheme other than sip, sips or tel;
//   - 400 for a missing or malformed Via, From, To, Call-ID or CSeq, a
//     header that may appear once given twice, a CSeq method that differs
//     from the request method, a CSeq number of 2^31 or more, a malformed
//     Max-Forwards, Contact, Route or Record-Route, or a Request-URI that
//     carries headers.
//
// Checks that depend on what the user agent supports (405, 415, 420) are
// the user agent's.
func CheckRequest(req *Request) error {
	return checkRequest(req, false)
}

// CheckProxyRequest is CheckRequest for a proxy (RFC 3261 §16.3): it also
// rejects a request whose Max-Forwards is 0 with 483, except OPTIONS,
// which the proxy may answer itself.
func CheckProxyRequest(req *Request) error {
	return checkRequest(req, true)
}

func checkRequest(req *Request, proxy bool) error {
	reject := func(code int, err error) error {
		return &RequestError{StatusCode: code, Err: err, Request: req}
	}
	if req.Proto != Version {
		return reject(505, errorf("unsupported SIP version %q", req.Proto))
	}
	h := &req.header
	for _, name := range [...]string{"Via", "From", "To", "Call-ID", "CSeq"} {
		if !h.Has(name) {
			return reject(400, &ParseError{Header: name, Offset: -1, Err: ErrMissingHeader})
		}
	}
	for _, name := range [...]string{"From", "To", "Call-ID", "CSeq", "Max-Forwards"} {
		if err := checkSingle(h, name); err != nil {
			return reject(400, err)
		}
	}
	if _, err := h.Via(); err != nil {
		return reject(400, err)
	}
	if _, err := h.From(); err != nil {
		return reject(400, err)
	}
	if _, err := h.To(); err != nil {
		return reject(400, err)
	}
	cseq, err := h.CSeq()
	if err != nil {
		return reject(400, err)
	}
	if cseq.Seq >= 1<<31 {
		f, _ := h.field("CSeq")
		return reject(400, fieldError(f, errorf("sequence number %d is not below 2^31", cseq.Seq)))
	}
	if cseq.Method != req.Method {
		f, _ := h.field("CSeq")
		return reject(400, fieldError(f, errorf("method %q does not match the request method %q", cseq.Method, req.Method)))
	}
	if h.Has("Max-Forwards") {
		mf, err := h.uint32Header("Max-Forwards")
		if err != nil {
			return reject(400, err)
		}
		// RFC 4475 §3.1.2.4: a value above 255 may be taken as absent.
		if proxy && mf == 0 && req.Method != "OPTIONS" {
			return reject(483, errors.New("Max-Forwards is 0"))
		}
	}
	for _, name := range [...]string{"Contact", "Route", "Record-Route"} {
		if _, err := h.Addresses(name); err != nil {
			return reject(400, err)
		}
	}
	switch req.URI.Scheme {
	case "sip", "sips", "tel":
	default:
		return reject(416, errorf("unsupported Request-URI scheme %q", req.URI.Scheme))
	}
	if len(req.URI.Headers) > 0 {
		return reject(400, errors.New("Request-URI carries headers"))
	}
	return nil
}

// CheckResponse reports whether a response is well-formed enough to be
// matched to a transaction: it must have parseable Via, From, To, Call-ID
// and CSeq headers. A client discards a response that fails (RFC 4475
// §3.1.2.5).
func CheckResponse(resp *Response) error {
	h := &resp.header
	if _, err := h.TopVia(); err != nil {
		return err
	}
	if !h.Has("Call-ID") {
		return &ParseError{Header: "Call-ID", Offset: -1, Err: ErrMissingHeader}
	}
	if _, err := h.From(); err != nil {
		return err
	}
	if _, err := h.To(); err != nil {
		return err
	}
	_, err := h.CSeq()
	return err
}

// checkSingle fails if a header that may hold one value appears on
// several lines or holds several values.
func checkSingle(h *Header, name string) error {
	var first Field
	n := 0
	for _, f := range h.fields {
		if !nameMatches(f.Name, name) {
			continue
		}
		if n == 0 {
			first = f
		}
		n++
		if !isSingleValued(name) {
			if _, rest := nextValue(f.Value); strings.TrimSpace(rest) != "" {
				n++
			}
		}
	}
	if n > 1 {
		return fieldError(first, errorf("%s may have one value, has %d", CanonicalName(name), n))
	}
	return nil
}
