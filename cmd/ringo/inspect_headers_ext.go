package main

import (
	"strings"

	"github.com/ringo-sip/ringo/sip"
)

// This file holds the parts of the typed parsers for the headers of SIP
// extensions, media types and authentication.

// tokenList is a list of tokens (option tags, methods, event packages).
// It prints as "INVITE, ACK, BYE" in the tree and as an array in JSON.
type tokenList []string

func (l tokenList) String() string { return strings.Join(l, ", ") }

// tokens is the typed parser of a header that holds a list of tokens.
func tokens(get func(*sip.Header) ([]string, error)) typedParser {
	return func(h *sip.Header) (any, error) {
		ts, err := get(h)
		var fs fields
		fs.add("tokens", tokenList(append([]string{}, ts...)))
		return fs, err
	}
}

// mediaTypeFields breaks a media type into its parts.
func mediaTypeFields(m sip.MediaType) fields {
	var fs fields
	fs.add("type", m.Type)
	fs.add("subtype", m.Subtype)
	addParams(&fs, m.Params)
	return fs
}

// reasonFields breaks a Reason value into its parts.
func reasonFields(r sip.Reason) fields {
	var fs fields
	fs.add("protocol", r.Protocol)
	if r.Cause != 0 {
		fs.add("cause", r.Cause)
	}
	fs.addNonEmpty("text", r.Text)
	addParams(&fs, r.Params)
	return fs
}

// auths is the typed parser of a challenge or credentials header. Each
// line holds one challenge or one set of credentials.
func auths(get func(*sip.Header) ([]sip.Auth, error)) typedParser {
	return func(h *sip.Header) (any, error) {
		as, err := get(h)
		if err != nil || len(as) == 0 {
			return nil, err
		}
		a := as[0]
		var fs fields
		fs.add("scheme", a.Scheme)
		fs.addNonEmpty("token", a.Token)
		if len(a.Params) > 0 {
			fs.add("auth_params", authParams(a.Params))
		}
		return fs, nil
	}
}

// authParams lists auth-params with quoted values unquoted, one a line in
// the tree ("realm: atlanta.example.com") and as an object in JSON. A
// parameter given twice keeps its first value.
func authParams(ps sip.Params) fields {
	var fs fields
	for _, p := range ps {
		if !fs.has(p.Name) {
			fs.add(p.Name, sip.Unquote(p.Value))
		}
	}
	return fs
}

// addParams adds the parameters of ps other than those named in skip
// (known ones, shown as fields of their own) as "params", if there are
// any.
func addParams(fs *fields, ps sip.Params, skip ...string) {
	var rest sip.Params
	for _, p := range ps {
		known := false
		for _, s := range skip {
			if strings.EqualFold(p.Name, s) {
				known = true
			}
		}
		if !known {
			rest = append(rest, p)
		}
	}
	if len(rest) > 0 {
		fs.add("params", params(rest))
	}
}
