package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ringo-sip/ringo/sip"
)

// report is everything inspect tells about one message. The -json output
// is this struct; the tree is written from it by writeText, so both show
// the same facts.
type report struct {
	// OK is false when the message or any of its headers failed to parse.
	OK bool `json:"ok"`
	// Error is set when the message as a whole did not parse.
	Error *errorReport `json:"error,omitempty"`
	// Partial is set when the start line and headers below are what
	// could be read of a message that did not parse.
	Partial bool `json:"partial,omitempty"`
	// Request or Response holds the start line and its parts.
	Request  fields `json:"request,omitempty"`
	Response fields `json:"response,omitempty"`
	// Headers lists the header fields in message order.
	Headers []headerReport `json:"headers,omitempty"`
	// HeaderErrors counts the headers whose typed value did not parse.
	HeaderErrors int `json:"header_errors"`
	// Body summarises the body; absent for a partial message.
	Body fields `json:"body,omitempty"`
}

// headerReport is one header field.
type headerReport struct {
	// Name is the name as the message wrote it ("v", "MaX-fOrWaRdS").
	Name string `json:"name"`
	// Canonical is the full, conventionally spelled name ("Via").
	Canonical string `json:"canonical"`
	// Offset is the byte offset of the field in the message.
	Offset int `json:"offset"`
	// Value is the value with line folding undone.
	Value string `json:"value"`
	// Typed holds the parsed value for headers that have a typed parser:
	// an object, or an array of objects for headers that carry a list
	// (Via, Contact, Route, ...).
	Typed any `json:"typed,omitempty"`
	// Error is set when the typed parser rejected the value.
	Error *errorReport `json:"error,omitempty"`
}

// errorReport is a parse error: the message, and the header and byte
// offset it names.
type errorReport struct {
	Message string `json:"message"`
	Header  string `json:"header,omitempty"`
	Offset  int    `json:"offset"`
}

func newErrorReport(err error) *errorReport {
	r := &errorReport{Message: err.Error(), Offset: -1}
	var pe *sip.ParseError
	if errors.As(err, &pe) {
		r.Header, r.Offset = pe.Header, pe.Offset
	}
	return r
}

// inspectMessage parses data and reports on it.
func inspectMessage(data []byte) *report {
	rep := &report{OK: true}
	msg, err := sip.Parse(data)
	if err != nil {
		rep.OK = false
		rep.Error = newErrorReport(err)
		var pe *sip.ParseError
		if !errors.As(err, &pe) || pe.Partial == nil || pe.Header == "request line" || pe.Header == "status line" {
			return rep
		}
		msg = pe.Partial
		rep.Partial = true
	}
	switch m := msg.(type) {
	case *sip.Request:
		rep.Request = requestFields(m)
	case *sip.Response:
		rep.Response = responseFields(m)
	}
	for _, f := range msg.Header().Fields() {
		h := inspectHeader(f)
		if h.Error != nil {
			rep.HeaderErrors++
			rep.OK = false
		} else if rep.Error != nil && rep.Error.Offset == f.Offset() && rep.Error.Header == f.Name {
			// The whole-message error is about this field: show it here too.
			h.Error = rep.Error
		}
		rep.Headers = append(rep.Headers, h)
	}
	if !rep.Partial {
		rep.Body = bodyFields(msg)
	}
	return rep
}

func requestFields(r *sip.Request) fields {
	var fs fields
	fs.addInline("start_line", r.StartLine())
	fs.add("method", r.Method)
	fs.add("uri", uriFields(r.URI))
	fs.add("version", r.Proto)
	return fs
}

func responseFields(r *sip.Response) fields {
	var fs fields
	fs.addInline("start_line", r.StartLine())
	fs.add("version", r.Proto)
	fs.add("status_code", r.StatusCode)
	fs.add("reason", r.Reason)
	fs.add("class", statusClass(r.StatusCode))
	return fs
}

// statusClass names the class of a status code (RFC 3261 §7.2).
func statusClass(code int) string {
	switch code / 100 {
	case 1:
		return "provisional"
	case 2:
		return "success"
	case 3:
		return "redirection"
	case 4:
		return "client error"
	case 5:
		return "server error"
	case 6:
		return "global failure"
	}
	return "unknown"
}

// uriFields breaks a URI into its parts. Empty parts are left out.
func uriFields(u sip.URI) fields {
	var fs fields
	fs.addInline("text", u.String())
	fs.add("scheme", u.Scheme)
	if u.Scheme == "tel" {
		fs.addNonEmpty("number", u.User)
	} else {
		fs.addNonEmpty("user", u.User)
	}
	fs.addNonEmpty("password", u.Password)
	fs.addNonEmpty("host", u.Host)
	if u.Port != 0 {
		fs.add("port", u.Port)
	}
	if len(u.Params) > 0 {
		fs.add("params", params(u.Params))
	}
	if len(u.Headers) > 0 {
		fs.add("headers", params(u.Headers))
	}
	fs.addNonEmpty("opaque", u.Opaque)
	return fs
}

// fields is an ordered set of named values: the parts of a start line, a
// URI, a typed header value or a body summary. A value is a string, a
// number, a bool, a params, a []string, a nested fields or a []fields. It
// prints as indented "name: value" lines in the tree and as a JSON object
// whose members keep the order.
type fields []field

type field struct {
	name  string
	value any
	// inline marks a member that the tree shows on its parent's line
	// ("uri: sip:alice@example.com") instead of on a line of its own.
	inline bool
}

func (fs *fields) add(name string, v any) { *fs = append(*fs, field{name: name, value: v}) }

func (fs *fields) addInline(name string, v any) {
	*fs = append(*fs, field{name: name, value: v, inline: true})
}

func (fs *fields) addNonEmpty(name, v string) {
	if v != "" {
		fs.add(name, v)
	}
}

// has reports whether fs has a member with the name.
func (fs fields) has(name string) bool {
	for _, f := range fs {
		if f.name == name {
			return true
		}
	}
	return false
}

// MarshalJSON writes the fields as one object, members in order.
func (fs fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeJSON(&b, f.name); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := writeJSON(&b, f.value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON appends v to b as compact JSON without HTML escaping, so
// that "<sip:...>" stays readable.
func writeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// params is a parameter list: ";name=value" pairs of a URI or header
// value, as written. It prints as "lr;transport=tcp" in the tree and as
// an array of {"name", "value"} objects in JSON.
type params sip.Params

func (ps params) String() string {
	return strings.TrimPrefix(sip.Params(ps).String(), ";")
}

// MarshalJSON writes the parameters as an array, in order.
func (ps params) MarshalJSON() ([]byte, error) {
	type param struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	out := make([]param, len(ps))
	for i, p := range ps {
		out[i] = param{p.Name, p.Value}
	}
	var b bytes.Buffer
	err := writeJSON(&b, out)
	return b.Bytes(), err
}
