package sip

import (
	"errors"
	"strconv"
	"strings"
)

// This file holds the typed accessors for the headers of SIP extensions
// that a user agent needs beyond RFC 3261's core: session timers (RFC
// 4028), reliable provisional responses (RFC 3262), REFER (RFC 3515, 3892,
// 3891), Reason (RFC 3326) and the option-tag and method lists. Event
// headers are in event.go, media types in mediatype.go, the Authorization
// family in auth.go and Contact helpers in contact.go.

// headerValue returns the first line of the named header, or a
// *ParseError wrapping ErrMissingHeader.
func (h *Header) headerValue(name string) (Field, error) {
	f, ok := h.field(name)
	if !ok {
		return f, &ParseError{Header: name, Offset: -1, Err: ErrMissingHeader}
	}
	return f, nil
}

// parseFirst parses the first line of the named header with parse. An
// absent header gives a *ParseError wrapping ErrMissingHeader.
func parseFirst[T any](h *Header, name string, parse func(string) (T, error)) (T, error) {
	f, err := h.headerValue(name)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := parse(f.Value)
	if err != nil {
		return v, fieldError(f, err)
	}
	return v, nil
}

// parseEvery parses each comma-separated value of every line of the named
// header with parse, which reads one value from the start of its input and
// returns the rest (empty or starting with a comma). An absent header
// gives an empty list and no error; empty list elements are skipped.
func parseEvery[T any](h *Header, name string, parse func(string) (T, string, error)) ([]T, error) {
	var out []T
	for _, f := range h.fields {
		if !nameMatches(f.Name, name) {
			continue
		}
		var err error
		if out, err = parseListInto(out, f.Value, parse); err != nil {
			return nil, fieldError(f, err)
		}
	}
	return out, nil
}

// parseListInto appends each comma-separated value of s to out.
func parseListInto[T any](out []T, s string, parse func(string) (T, string, error)) ([]T, error) {
	s = unfoldValue(s)
	for {
		s = trimLWS(s)
		for len(s) > 0 && s[0] == ',' {
			s = trimLWS(s[1:])
		}
		if s == "" {
			return out, nil
		}
		v, rest, err := parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		rest = trimLWS(rest)
		if rest != "" && rest[0] != ',' {
			return nil, errorf("unexpected %q after value", truncate(rest))
		}
		s = rest
	}
}

// parseWhole runs a one-value parser on all of s and fails if anything
// other than white space is left.
func parseWhole[T any](s string, parse func(string) (T, string, error)) (T, error) {
	v, rest, err := parse(trimLWS(unfoldValue(s)))
	if err != nil {
		return v, err
	}
	if rest = trimLWS(rest); rest != "" {
		return v, errorf("unexpected %q after value", truncate(rest))
	}
	return v, nil
}

// unfoldValue undoes line folding in a value given by hand; values taken
// from a parsed message are already unfolded.
func unfoldValue(s string) string {
	if strings.IndexByte(s, '\n') < 0 {
		return s
	}
	return unfold(s)
}

// tokenThenParams reads a token and the header parameters after it.
func tokenThenParams(s, what string) (tok string, ps Params, rest string, err error) {
	n := tokenLen(s)
	if n == 0 {
		if s == "" {
			return "", nil, s, errorf("empty %s", what)
		}
		return "", nil, s, errorf("bad character %q in %s", s[0], what)
	}
	tok = s[:n]
	ps, rest, err = parseHeaderParams(s[n:])
	return tok, ps, rest, err
}

// deltaThenParams reads delta-seconds and the header parameters after it,
// as Session-Expires and Min-SE are written.
func deltaThenParams(s string) (uint32, Params, string, error) {
	v, n, err := parseUint32(s)
	if err != nil {
		return 0, nil, s, errorf("delta-seconds: %w", err)
	}
	ps, rest, err := parseHeaderParams(s[n:])
	return v, ps, rest, err
}

// SessionExpires is the value of the Session-Expires header (RFC 4028
// §4): the session interval and which side refreshes the session.
type SessionExpires struct {
	// Delta is the session interval in seconds.
	Delta uint32
	// Refresher is "uac", "uas", or "" when the parameter is absent. It is
	// lower case whatever the message wrote.
	Refresher string
	// Params holds the parameters other than refresher, as written.
	Params Params
}

// ParseSessionExpires parses a Session-Expires value such as
// "1800;refresher=uac".
func ParseSessionExpires(s string) (SessionExpires, error) {
	return parseWhole(s, parseSessionExpires)
}

func parseSessionExpires(s string) (SessionExpires, string, error) {
	var se SessionExpires
	d, ps, rest, err := deltaThenParams(s)
	if err != nil {
		return se, rest, err
	}
	se.Delta = d
	if r, ok := ps.Del("refresher"); ok {
		r = lowerASCII(r)
		if r != "uac" && r != "uas" {
			return se, rest, errorf("refresher %q is neither uac nor uas", r)
		}
		se.Refresher = r
	}
	if len(ps) > 0 {
		se.Params = ps
	}
	return se, rest, nil
}

// String returns the value in wire form: "1800;refresher=uac".
func (se SessionExpires) String() string {
	b := strconv.AppendUint(nil, uint64(se.Delta), 10)
	if se.Refresher != "" {
		b = append(b, ";refresher="...)
		b = append(b, se.Refresher...)
	}
	return string(se.Params.appendTo(b, ';'))
}

// SessionExpires returns the Session-Expires value (full name or "x").
func (h *Header) SessionExpires() (SessionExpires, error) {
	return parseFirst(h, "Session-Expires", ParseSessionExpires)
}

// MinSE returns the Min-SE value in seconds (RFC 4028 §5); parameters are
// checked but not returned.
func (h *Header) MinSE() (uint32, error) {
	return parseFirst(h, "Min-SE", func(s string) (uint32, error) {
		return parseWhole(s, func(s string) (uint32, string, error) {
			d, _, rest, err := deltaThenParams(s)
			return d, rest, err
		})
	})
}

// RSeq returns the RSeq value of a reliable provisional response (RFC 3262
// §7.1).
func (h *Header) RSeq() (uint32, error) { return h.uint32Header("RSeq") }

// RAck is the value of the RAck header of a PRACK (RFC 3262 §7.2): the
// RSeq and the CSeq of the response it acknowledges.
type RAck struct {
	RSeq   uint32
	CSeq   uint32
	Method string
}

// ParseRAck parses a RAck value: "response-num LWS CSeq-num LWS Method".
func ParseRAck(s string) (RAck, error) {
	var r RAck
	s = trimLWS(unfoldValue(s))
	rseq, n, err := parseUint32(s)
	if err != nil {
		return r, errorf("response number: %w", err)
	}
	if n == len(s) || s[n] != ' ' && s[n] != '\t' {
		return r, errors.New("no white space after the response number")
	}
	c, err := ParseCSeq(s[n:])
	if err != nil {
		return r, err
	}
	r.RSeq, r.CSeq, r.Method = rseq, c.Seq, c.Method
	return r, nil
}

// String returns "rseq cseq METHOD".
func (r RAck) String() string {
	return strconv.FormatUint(uint64(r.RSeq), 10) + " " + strconv.FormatUint(uint64(r.CSeq), 10) + " " + r.Method
}

// RAck returns the RAck value.
func (h *Header) RAck() (RAck, error) { return parseFirst(h, "RAck", ParseRAck) }

// ReferTo returns the Refer-To address (full name or "r"), written as a
// name-addr or an addr-spec (RFC 3515 §2.1). A URI with headers, such as
// one carrying Replaces, must be in angle brackets.
func (h *Header) ReferTo() (Address, error) { return h.address("Refer-To") }

// ReferredBy returns the Referred-By address (full name or "b", RFC 3892).
func (h *Header) ReferredBy() (Address, error) { return h.address("Referred-By") }

// Replaces is the value of the Replaces header (RFC 3891 §6.1): the dialog
// that a new INVITE replaces.
type Replaces struct {
	CallID  string
	ToTag   string
	FromTag string
	// EarlyOnly is set by the early-only flag: replace only an early
	// dialog.
	EarlyOnly bool
	// Params holds the parameters other than to-tag, from-tag and
	// early-only, as written.
	Params Params
}

// ParseReplaces parses a Replaces value such as
// "425928@bobster.example.org;to-tag=7743;from-tag=6472". Both tags are
// required.
func ParseReplaces(s string) (Replaces, error) {
	var r Replaces
	s = trimLWS(unfoldValue(s))
	n := 0
	for n < len(s) && s[n] != ';' && s[n] != ' ' && s[n] != '\t' {
		if !isCallIDChar(s[n]) {
			return r, errorf("bad character %q in Call-ID", s[n])
		}
		n++
	}
	if n == 0 {
		return r, errors.New("empty Call-ID")
	}
	r.CallID = s[:n]
	ps, rest, err := parseHeaderParams(s[n:])
	if err != nil {
		return r, err
	}
	if rest = trimLWS(rest); rest != "" {
		return r, errorf("unexpected %q after value", truncate(rest))
	}
	var ok bool
	if r.ToTag, ok = ps.Del("to-tag"); !ok || r.ToTag == "" {
		return r, errors.New("no to-tag")
	}
	if r.FromTag, ok = ps.Del("from-tag"); !ok || r.FromTag == "" {
		return r, errors.New("no from-tag")
	}
	_, r.EarlyOnly = ps.Del("early-only")
	if len(ps) > 0 {
		r.Params = ps
	}
	return r, nil
}

// isCallIDChar reports whether c may appear in a Call-ID: the word
// characters of RFC 3261 §25.1 and "@".
func isCallIDChar(c byte) bool {
	return tokenChars[c] || strings.IndexByte("()<>:\\\"/[]?{}@", c) >= 0
}

// String returns the value in wire form.
func (r Replaces) String() string {
	b := make([]byte, 0, len(r.CallID)+len(r.ToTag)+len(r.FromTag)+32)
	b = append(b, r.CallID...)
	b = append(b, ";to-tag="...)
	b = append(b, r.ToTag...)
	b = append(b, ";from-tag="...)
	b = append(b, r.FromTag...)
	if r.EarlyOnly {
		b = append(b, ";early-only"...)
	}
	return string(r.Params.appendTo(b, ';'))
}

// Replaces returns the Replaces value.
func (h *Header) Replaces() (Replaces, error) { return parseFirst(h, "Replaces", ParseReplaces) }

// Reason is one value of the Reason header (RFC 3326): why a request was
// sent, as a SIP status code or a Q.850 cause.
type Reason struct {
	// Protocol is as written: "SIP", "Q.850", or another token. Compare
	// it with strings.EqualFold.
	Protocol string
	// Cause is the cause parameter, 0 when absent.
	Cause int
	// Text is the text parameter, unquoted; "" when absent.
	Text string
	// Params holds the parameters other than cause and text, as written.
	Params Params
}

// ParseReason parses one Reason value such as
// `SIP ;cause=200 ;text="Call completed elsewhere"`.
func ParseReason(s string) (Reason, error) { return parseWhole(s, parseReason) }

func parseReason(s string) (Reason, string, error) {
	var r Reason
	proto, ps, rest, err := tokenThenParams(s, "protocol")
	if err != nil {
		return r, rest, err
	}
	r.Protocol = proto
	if c, ok := ps.Del("cause"); ok {
		v, err := parseUintValue(c)
		if err != nil {
			return r, rest, errorf("cause: %w", err)
		}
		r.Cause = int(v)
	}
	if t, ok := ps.Del("text"); ok {
		r.Text = Unquote(t)
	}
	if len(ps) > 0 {
		r.Params = ps
	}
	return r, rest, nil
}

// String returns the value in wire form, with the text quoted.
func (r Reason) String() string {
	b := make([]byte, 0, len(r.Protocol)+len(r.Text)+24)
	b = append(b, r.Protocol...)
	if r.Cause != 0 {
		b = append(b, ";cause="...)
		b = strconv.AppendInt(b, int64(r.Cause), 10)
	}
	if r.Text != "" {
		b = append(b, ";text="...)
		b = append(b, Quote(r.Text)...)
	}
	return string(r.Params.appendTo(b, ';'))
}

// Reason returns every Reason value, in order. An absent header gives an
// empty list.
func (h *Header) Reason() ([]Reason, error) { return parseEvery(h, "Reason", parseReason) }

// Tokens returns the tokens of a header that holds a comma-separated list
// of them, such as Require, Supported, Unsupported, Proxy-Require, Allow
// and Allow-Events, from every line of it, in order and as written. An
// absent or empty header gives an empty list.
func (h *Header) Tokens(name string) ([]string, error) {
	return parseEvery(h, name, parseToken)
}

func parseToken(s string) (string, string, error) {
	n := tokenLen(s)
	if n == 0 {
		return "", s, errorf("bad character %q in token", s[0])
	}
	return s[:n], s[n:], nil
}

// HasToken reports whether the token list of the named header holds tok.
// Method names (Allow) and event types (Allow-Events) match exactly, as
// RFC 3261 §7.1 and RFC 6665 compare them; option tags and other tokens
// match case-insensitively. Values that are not tokens are ignored.
func (h *Header) HasToken(name, tok string) bool {
	exact := nameMatches(name, "Allow") || nameMatches(name, "Allow-Events")
	for _, f := range h.fields {
		if !nameMatches(f.Name, name) {
			continue
		}
		for rest := f.Value; rest != ""; {
			var v string
			v, rest = nextValue(rest)
			if v == tok || !exact && equalFold(v, tok) {
				return true
			}
		}
	}
	return false
}

// Require returns the option tags of the Require header.
func (h *Header) Require() ([]string, error) { return h.Tokens("Require") }

// ProxyRequire returns the option tags of the Proxy-Require header.
func (h *Header) ProxyRequire() ([]string, error) { return h.Tokens("Proxy-Require") }

// Supported returns the option tags of the Supported header (full name
// or "k").
func (h *Header) Supported() ([]string, error) { return h.Tokens("Supported") }

// Unsupported returns the option tags of the Unsupported header.
func (h *Header) Unsupported() ([]string, error) { return h.Tokens("Unsupported") }

// Allow returns the methods of the Allow header.
func (h *Header) Allow() ([]string, error) { return h.Tokens("Allow") }

// UserAgent returns the User-Agent value, or "".
func (h *Header) UserAgent() string { return h.Get("User-Agent") }

// Server returns the Server value, or "".
func (h *Header) Server() string { return h.Get("Server") }
