package sip

import "errors"

// MediaType is a media type with parameters, the value of Content-Type and
// of each element of Accept: "application/sdp",
// "multipart/mixed;boundary=x", or in Accept a range such as "text/*".
type MediaType struct {
	// Type and Subtype are as written; compare them case-insensitively
	// (Is and Match do).
	Type    string
	Subtype string
	// Params are the parameters as written (charset, boundary, q, ...).
	Params Params
}

// Is reports whether m is the media type typeSubtype ("application/sdp"),
// ignoring case and parameters.
func (m MediaType) Is(typeSubtype string) bool {
	return len(typeSubtype) == len(m.Type)+1+len(m.Subtype) &&
		typeSubtype[len(m.Type)] == '/' &&
		equalFold(typeSubtype[:len(m.Type)], m.Type) &&
		equalFold(typeSubtype[len(m.Type)+1:], m.Subtype)
}

// Match reports whether the media range m (as Accept writes it, "*" for
// any type or subtype) covers the media type t, ignoring case and
// parameters.
func (m MediaType) Match(t MediaType) bool {
	if m.Type == "*" {
		return true
	}
	if !equalFold(m.Type, t.Type) {
		return false
	}
	return m.Subtype == "*" || equalFold(m.Subtype, t.Subtype)
}

// String returns the value in wire form: "application/sdp" with any
// parameters.
func (m MediaType) String() string {
	b := make([]byte, 0, len(m.Type)+len(m.Subtype)+1+16*len(m.Params))
	b = append(b, m.Type...)
	b = append(b, '/')
	b = append(b, m.Subtype...)
	return string(m.Params.appendTo(b, ';'))
}

// ParseMediaType parses a media type such as "text/plain;charset=UTF-8".
// White space is allowed around "/" and ";".
func ParseMediaType(s string) (MediaType, error) { return parseWhole(s, parseMediaType) }

func parseMediaType(s string) (MediaType, string, error) {
	var m MediaType
	n := tokenLen(s)
	if n == 0 {
		if s == "" {
			return m, s, errors.New("empty media type")
		}
		return m, s, errorf("bad character %q in media type", s[0])
	}
	m.Type = s[:n]
	s = trimLWS(s[n:])
	if s == "" || s[0] != '/' {
		return m, s, errorf("media type %q has no subtype", m.Type)
	}
	s = trimLWS(s[1:])
	if n = tokenLen(s); n == 0 {
		return m, s, errorf("media type %q has an empty subtype", m.Type)
	}
	m.Subtype = s[:n]
	ps, rest, err := parseHeaderParams(s[n:])
	m.Params = ps
	return m, rest, err
}

// ContentType returns the Content-Type value (full name or "c").
func (h *Header) ContentType() (MediaType, error) {
	return parseFirst(h, "Content-Type", ParseMediaType)
}

// Accept returns the media ranges of every Accept line, in order. An
// absent or empty Accept gives an empty list; RFC 3261 §20.1 reads an
// absent one as "application/sdp".
func (h *Header) Accept() ([]MediaType, error) {
	return parseEvery(h, "Accept", parseMediaType)
}

// ContentDisposition is the value of the Content-Disposition header (RFC
// 3261 §20.11): "session", "render", "icon", "alert" or an extension,
// with parameters such as handling.
type ContentDisposition struct {
	// Type is as written; compare it case-insensitively.
	Type   string
	Params Params
}

// Handling returns the handling parameter in lower case ("required",
// "optional"), or "".
func (d ContentDisposition) Handling() string { return lowerASCII(d.Params.Value("handling")) }

// String returns the value in wire form.
func (d ContentDisposition) String() string {
	return string(d.Params.appendTo([]byte(d.Type), ';'))
}

// ParseContentDisposition parses a Content-Disposition value such as
// "session;handling=required".
func ParseContentDisposition(s string) (ContentDisposition, error) {
	return parseWhole(s, func(s string) (ContentDisposition, string, error) {
		t, ps, rest, err := tokenThenParams(s, "disposition type")
		return ContentDisposition{Type: t, Params: ps}, rest, err
	})
}

// ContentDisposition returns the Content-Disposition value.
func (h *Header) ContentDisposition() (ContentDisposition, error) {
	return parseFirst(h, "Content-Disposition", ParseContentDisposition)
}
