package sip

import (
	"errors"
	"strconv"
)

// This file holds the typed accessors for the headers that every
// transaction and dialog needs. They parse the value when called; errors
// are *ParseError values that name the header and its offset.

// CSeq is the value of the CSeq header.
type CSeq struct {
	Seq    uint32
	Method string
}

// String returns "seq METHOD".
func (c CSeq) String() string { return strconv.FormatUint(uint64(c.Seq), 10) + " " + c.Method }

// ParseCSeq parses a CSeq value: a 32-bit unsigned sequence number, white
// space, and a method token.
func ParseCSeq(s string) (CSeq, error) {
	var c CSeq
	s = trimLWS(s)
	seq, n, err := parseUint32(s)
	if err != nil {
		return c, errorf("sequence number: %w", err)
	}
	s = s[n:]
	rest := trimLWS(s)
	if len(rest) == len(s) {
		return c, errors.New("no white space between number and method")
	}
	if m := tokenLen(rest); m == 0 || m != len(rest) {
		return c, errorf("bad method %q", rest)
	}
	c.Seq, c.Method = seq, rest
	return c, nil
}

// parseUint32 reads the decimal digits at the start of s; leading zeros
// are allowed, values above 2^32-1 are an error.
func parseUint32(s string) (uint32, int, error) {
	var v uint64
	n := 0
	for n < len(s) && isDigit(s[n]) {
		v = v*10 + uint64(s[n]-'0')
		if v > 1<<32-1 {
			return 0, n, errors.New("number larger than 2^32-1")
		}
		n++
	}
	if n == 0 {
		return 0, 0, errors.New("not a number")
	}
	return uint32(v), n, nil
}

// parseUintValue parses a whole value as a 32-bit unsigned decimal number.
func parseUintValue(s string) (uint32, error) {
	s = trimLWS(s)
	v, n, err := parseUint32(s)
	if err != nil {
		return 0, err
	}
	if n != len(s) {
		return 0, errorf("unexpected %q after number", truncate(s[n:]))
	}
	return v, nil
}

// Via returns every Via value, top first.
func (h *Header) Via() ([]Via, error) {
	var out []Via
	for _, f := range h.fields {
		if !nameMatches(f.Name, "Via") {
			continue
		}
		vs, err := ParseVia(f.Value)
		if err != nil {
			return nil, fieldError(f, err)
		}
		out = append(out, vs...)
	}
	if out == nil {
		return nil, &ParseError{Header: "Via", Offset: -1, Err: ErrMissingHeader}
	}
	return out, nil
}

// TopVia returns the first Via value.
func (h *Header) TopVia() (Via, error) {
	f, ok := h.field("Via")
	if !ok {
		return Via{}, &ParseError{Header: "Via", Offset: -1, Err: ErrMissingHeader}
	}
	v, rest, err := parseVia(f.Value)
	if err == nil && rest != "" && rest[0] != ',' {
		err = errorf("unexpected %q after Via value", truncate(rest))
	}
	if err != nil {
		return v, fieldError(f, err)
	}
	return v, nil
}

// From returns the From address.
func (h *Header) From() (Address, error) { return h.address("From") }

// To returns the To address.
func (h *Header) To() (Address, error) { return h.address("To") }

func (h *Header) address(name string) (Address, error) {
	f, ok := h.field(name)
	if !ok {
		return Address{}, &ParseError{Header: name, Offset: -1, Err: ErrMissingHeader}
	}
	a, err := ParseAddress(f.Value)
	if err != nil {
		return a, fieldError(f, err)
	}
	return a, nil
}

// Addresses returns every address of a header that holds a list of them:
// Contact, Route, Record-Route, Path, Service-Route, ... An absent header
// gives an empty list and no error.
func (h *Header) Addresses(name string) ([]Address, error) {
	var out []Address
	for _, f := range h.fields {
		if !nameMatches(f.Name, name) {
			continue
		}
		as, err := ParseAddressList(f.Value)
		if err != nil {
			return nil, fieldError(f, err)
		}
		out = append(out, as...)
	}
	return out, nil
}

// Contact returns every Contact value.
func (h *Header) Contact() ([]Address, error) { return h.Addresses("Contact") }

// Route returns every Route value, in order.
func (h *Header) Route() ([]Address, error) { return h.Addresses("Route") }

// RecordRoute returns every Record-Route value, in order.
func (h *Header) RecordRoute() ([]Address, error) { return h.Addresses("Record-Route") }

// CallID returns the Call-ID, or "".
func (h *Header) CallID() string { return h.Get("Call-ID") }

// CSeq returns the CSeq value.
func (h *Header) CSeq() (CSeq, error) {
	f, ok := h.field("CSeq")
	if !ok {
		return CSeq{}, &ParseError{Header: "CSeq", Offset: -1, Err: ErrMissingHeader}
	}
	c, err := ParseCSeq(f.Value)
	if err != nil {
		return c, fieldError(f, err)
	}
	return c, nil
}

// uint32Header parses a header whose value is one unsigned number.
func (h *Header) uint32Header(name string) (uint32, error) {
	f, ok := h.field(name)
	if !ok {
		return 0, &ParseError{Header: name, Offset: -1, Err: ErrMissingHeader}
	}
	v, err := parseUintValue(f.Value)
	if err != nil {
		return 0, fieldError(f, err)
	}
	return v, nil
}

// MaxForwards returns the Max-Forwards value. An absent header gives an
// error that wraps ErrMissingHeader.
func (h *Header) MaxForwards() (int, error) {
	v, err := h.uint32Header("Max-Forwards")
	if err == nil && v > 255 {
		f, _ := h.field("Max-Forwards")
		return 0, fieldError(f, errorf("%d is larger than 255", v))
	}
	return int(v), err
}

// ContentLength returns the Content-Length value. An absent header gives
// an error that wraps ErrMissingHeader.
func (h *Header) ContentLength() (int, error) {
	v, err := h.uint32Header("Content-Length")
	return int(v), err
}

// Expires returns the Expires value in seconds.
func (h *Header) Expires() (uint32, error) { return h.uint32Header("Expires") }

// MinExpires returns the Min-Expires value in seconds.
func (h *Header) MinExpires() (uint32, error) { return h.uint32Header("Min-Expires") }
