package main

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ringo-sip/ringo/sip"
)

// A typedParser parses the value of one header field with the sip
// package's typed parser for that header and returns its parts: a fields,
// or a []fields for headers that carry a list.
type typedParser func(h *sip.Header) (any, error)

// typedParsers maps canonical header names (sip.CanonicalName) to their
// typed parser. Headers not listed are shown verbatim.
var typedParsers = map[string]typedParser{
	"Via": func(h *sip.Header) (any, error) {
		vs, err := h.Via()
		return list(vs, viaFields), err
	},
	"From": func(h *sip.Header) (any, error) {
		a, err := h.From()
		return addressFields(a), err
	},
	"To": func(h *sip.Header) (any, error) {
		a, err := h.To()
		return addressFields(a), err
	},
	"Contact":       addressList("Contact"),
	"Route":         addressList("Route"),
	"Record-Route":  addressList("Record-Route"),
	"Path":          addressList("Path"),
	"Service-Route": addressList("Service-Route"),
	"CSeq": func(h *sip.Header) (any, error) {
		c, err := h.CSeq()
		var fs fields
		fs.add("seq", c.Seq)
		fs.add("method", c.Method)
		return fs, err
	},
	"Max-Forwards": func(h *sip.Header) (any, error) {
		return number(h.MaxForwards())
	},
	"Content-Length": func(h *sip.Header) (any, error) {
		return number(h.ContentLength())
	},
	"Expires": func(h *sip.Header) (any, error) {
		return number(h.Expires())
	},
	"Min-Expires": func(h *sip.Header) (any, error) {
		return number(h.MinExpires())
	},

	// Media types and bodies.
	"Content-Type": func(h *sip.Header) (any, error) {
		m, err := h.ContentType()
		return mediaTypeFields(m), err
	},
	"Accept": func(h *sip.Header) (any, error) {
		ms, err := h.Accept()
		return list(ms, mediaTypeFields), err
	},
	"Content-Disposition": func(h *sip.Header) (any, error) {
		d, err := h.ContentDisposition()
		var fs fields
		fs.add("type", d.Type)
		fs.addNonEmpty("handling", d.Handling())
		addParams(&fs, d.Params, "handling")
		return fs, err
	},

	// Option tags, methods and event packages.
	"Require":       tokens((*sip.Header).Require),
	"Proxy-Require": tokens((*sip.Header).ProxyRequire),
	"Supported":     tokens((*sip.Header).Supported),
	"Unsupported":   tokens((*sip.Header).Unsupported),
	"Allow":         tokens((*sip.Header).Allow),
	"Allow-Events":  tokens((*sip.Header).AllowEvents),

	// Events (RFC 6665).
	"Event": func(h *sip.Header) (any, error) {
		e, err := h.Event()
		var fs fields
		fs.add("type", e.Type)
		fs.addNonEmpty("id", e.ID())
		addParams(&fs, e.Params, "id")
		return fs, err
	},
	"Subscription-State": func(h *sip.Header) (any, error) {
		s, err := h.SubscriptionState()
		var fs fields
		fs.add("state", s.State)
		if n, ok := s.Expires(); ok {
			fs.add("expires", n)
		}
		fs.addNonEmpty("reason", s.Reason())
		if n, ok := s.RetryAfter(); ok {
			fs.add("retry_after", n)
		}
		addParams(&fs, s.Params, "expires", "reason", "retry-after")
		return fs, err
	},

	// Session timers (RFC 4028) and reliable provisional responses (RFC 3262).
	"Session-Expires": func(h *sip.Header) (any, error) {
		se, err := h.SessionExpires()
		var fs fields
		fs.add("delta", se.Delta)
		fs.addNonEmpty("refresher", se.Refresher)
		addParams(&fs, se.Params)
		return fs, err
	},
	"Min-SE": func(h *sip.Header) (any, error) {
		return number(h.MinSE())
	},
	"RSeq": func(h *sip.Header) (any, error) {
		return number(h.RSeq())
	},
	"RAck": func(h *sip.Header) (any, error) {
		r, err := h.RAck()
		var fs fields
		fs.add("rseq", r.RSeq)
		fs.add("cseq", r.CSeq)
		fs.add("method", r.Method)
		return fs, err
	},

	// Transfer (RFC 3515, 3892, 3891) and Reason (RFC 3326).
	"Refer-To": func(h *sip.Header) (any, error) {
		a, err := h.ReferTo()
		return addressFields(a), err
	},
	"Referred-By": func(h *sip.Header) (any, error) {
		a, err := h.ReferredBy()
		return addressFields(a), err
	},
	"Replaces": func(h *sip.Header) (any, error) {
		r, err := h.Replaces()
		var fs fields
		fs.add("call_id", r.CallID)
		fs.add("to_tag", r.ToTag)
		fs.add("from_tag", r.FromTag)
		if r.EarlyOnly {
			fs.add("early_only", true)
		}
		addParams(&fs, r.Params)
		return fs, err
	},
	"Reason": func(h *sip.Header) (any, error) {
		rs, err := h.Reason()
		return list(rs, reasonFields), err
	},

	// Authentication (RFC 3261 §22, RFC 7616).
	"WWW-Authenticate":    auths((*sip.Header).WWWAuthenticate),
	"Proxy-Authenticate":  auths((*sip.Header).ProxyAuthenticate),
	"Authorization":       auths((*sip.Header).Authorization),
	"Proxy-Authorization": auths((*sip.Header).ProxyAuthorization),
	"Authentication-Info": func(h *sip.Header) (any, error) {
		ps, err := h.AuthenticationInfo()
		var fs fields
		fs.add("auth_params", authParams(ps))
		return fs, err
	},
}

// inspectHeader reports on one header field, parsing its value when the
// header has a typed parser.
func inspectHeader(f sip.Field) headerReport {
	r := headerReport{
		Name:      f.Name,
		Canonical: sip.CanonicalName(f.Name),
		Offset:    f.Offset(),
		Value:     f.Value,
	}
	parse := typedParsers[r.Canonical]
	if parse == nil {
		return r
	}
	// The typed accessors of sip.Header read the first field of a name
	// (or all of them, for lists); giving each one a header that holds
	// only this field parses exactly this field, with the library's own
	// rules.
	var one sip.Header
	one.Add(f.Name, f.Value)
	typed, err := parse(&one)
	if err != nil {
		r.Error = newErrorReport(fieldError(f, err))
		return r
	}
	r.Typed = typed
	return r
}

// fieldError re-targets an error from parsing f on its own so that it
// names f's offset in the whole message, as sip's own errors do.
func fieldError(f sip.Field, err error) error {
	var pe *sip.ParseError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &sip.ParseError{Header: f.Name, Offset: f.Offset(), Err: err}
}

// list applies fn to each element of vs.
func list[T any](vs []T, fn func(T) fields) []fields {
	out := make([]fields, len(vs))
	for i, v := range vs {
		out[i] = fn(v)
	}
	return out
}

// number is the typed value of a header that holds one number.
func number[T int | uint32](v T, err error) (any, error) {
	var fs fields
	fs.add("value", v)
	return fs, err
}

// addressList is the typed parser of a header that holds a list of
// name-addrs.
func addressList(name string) typedParser {
	return func(h *sip.Header) (any, error) {
		as, err := h.Addresses(name)
		return list(as, addressFields), err
	}
}

// viaFields breaks a Via value into its parts.
func viaFields(v sip.Via) fields {
	var fs fields
	fs.add("protocol", v.Protocol+"/"+v.Version)
	fs.add("transport", v.Transport)
	fs.add("host", v.Host)
	if v.Port != 0 {
		fs.add("port", v.Port)
	}
	rest := sip.Params(nil)
	for _, p := range v.Params {
		name := strings.ToLower(p.Name)
		switch {
		case fs.has(name):
			rest = append(rest, p)
		case name == "branch" || name == "received" || name == "maddr":
			fs.add(name, p.Value)
		case name == "rport" && p.Value == "":
			fs.add(name, rport(0))
		case name == "rport" || name == "ttl":
			if n, err := strconv.Atoi(p.Value); err == nil && n >= 0 {
				fs.add(name, n)
			} else {
				rest = append(rest, p)
			}
		default:
			rest = append(rest, p)
		}
	}
	if len(rest) > 0 {
		fs.add("params", params(rest))
	}
	return fs
}

// addressFields breaks a name-addr into its parts: display name, URI, and
// the tag, expires and q parameters (the last two when valid); other
// header parameters are listed as params.
func addressFields(a sip.Address) fields {
	var fs fields
	if a.Wildcard {
		fs.add("wildcard", true)
	} else {
		fs.addNonEmpty("display_name", a.DisplayName)
		fs.add("uri", uriFields(a.URI))
	}
	rest := sip.Params(nil)
	for _, p := range a.Params {
		name := strings.ToLower(p.Name)
		switch {
		case fs.has(name):
			rest = append(rest, p)
		case name == "tag":
			fs.add(name, p.Value)
		case name == "expires":
			if n, ok := a.Expires(); ok {
				fs.add(name, n)
			} else {
				rest = append(rest, p)
			}
		case name == "q":
			if q, ok := a.Q(); ok {
				fs.add(name, q)
			} else {
				rest = append(rest, p)
			}
		default:
			rest = append(rest, p)
		}
	}
	if len(rest) > 0 {
		fs.add("params", params(rest))
	}
	return fs
}

// rport is the value of a Via rport parameter: a port, or 0 for an rport
// without a value, which asks the server to fill it in (RFC 3581). JSON
// shows the number; the tree says what 0 means.
type rport int

func (p rport) String() string {
	if p == 0 {
		return "(no value: asks for the source port)"
	}
	return strconv.Itoa(int(p))
}
