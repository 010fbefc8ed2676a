package sip

import "errors"

// Auth is a challenge (WWW-Authenticate, Proxy-Authenticate) or a set of
// credentials (Authorization, Proxy-Authorization): an authentication
// scheme and its comma-separated auth-params (RFC 3261 §25.1, RFC 7235
// §2.1). The sip package only parses and writes it; package digest
// interprets it.
type Auth struct {
	// Scheme is the scheme as written: "Digest", "Bearer", ... Compare it
	// case-insensitively.
	Scheme string
	// Params are the auth-params in order. A quoted-string value keeps
	// its quotes, so that it is written back as it came; read it with
	// Value or Unquote.
	Params Params
	// Token holds token68 credentials ("Basic dXNlcjpwYXNz", RFC 7235),
	// which have no parameters. It is empty when Params is used.
	Token string
}

// Value returns the named parameter with its quotes removed and its
// quoted-pairs resolved, or "" if it is absent.
func (a Auth) Value(name string) string { return Unquote(a.Params.Value(name)) }

// String returns the value in wire form: the scheme, a space, and the
// parameters separated by ", " (or the token68).
func (a Auth) String() string {
	b := make([]byte, 0, len(a.Scheme)+len(a.Token)+24*len(a.Params))
	b = append(b, a.Scheme...)
	if a.Token != "" {
		b = append(b, ' ')
		b = append(b, a.Token...)
	}
	return string(appendAuthParams(b, a.Params, " "))
}

// appendAuthParams writes the parameters as "name=value" separated by
// ", ", the first one after first.
func appendAuthParams(b []byte, ps Params, first string) []byte {
	for i, p := range ps {
		if i == 0 {
			b = append(b, first...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, p.Name...)
		b = append(b, '=')
		b = append(b, p.Value...)
	}
	return b
}

// ParseAuth parses a challenge or credentials: an auth-scheme followed by
// comma-separated name=value parameters, values being tokens or quoted
// strings, with white space and line folding allowed around "=" and ",";
// or a scheme followed by a token68. Empty list elements are skipped.
func ParseAuth(s string) (Auth, error) {
	var a Auth
	s = trimLWS(unfoldValue(s))
	n := tokenLen(s)
	if n == 0 {
		if s == "" {
			return a, errors.New("empty value")
		}
		return a, errorf("bad character %q in auth scheme", s[0])
	}
	a.Scheme = s[:n]
	s = s[n:]
	if s == "" {
		return a, nil
	}
	if s[0] != ' ' && s[0] != '\t' {
		return a, errorf("bad character %q in auth scheme", s[0])
	}
	s = trimLWS(s)
	if t := token68Len(s); t > 0 {
		a.Token = s[:t]
		return a, nil
	}
	ps, err := parseAuthParams(s)
	if err != nil {
		return a, err
	}
	a.Params = ps
	return a, nil
}

// token68Len returns the length of s if all of s is a token68 (and not
// the start of an auth-param list), else 0.
func token68Len(s string) int {
	i := 0
	for i < len(s) && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == '-' || s[i] == '.' ||
		s[i] == '_' || s[i] == '~' || s[i] == '+' || s[i] == '/') {
		i++
	}
	if i == 0 {
		return 0
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	if trimLWS(s[i:]) != "" {
		return 0
	}
	return len(trimLWS(s))
}

// ParseAuthParams parses a comma-separated list of auth-params, as the
// Authentication-Info header holds: `nextnonce="47364c23432d2e131a5fb210812c",
// qop=auth`.
func ParseAuthParams(s string) (Params, error) {
	return parseAuthParams(trimLWS(unfoldValue(s)))
}

func parseAuthParams(s string) (Params, error) {
	ps := make(Params, 0, countByte(s, ',')+1)
	for {
		for len(s) > 0 && s[0] == ',' {
			s = trimLWS(s[1:])
		}
		if s == "" {
			break
		}
		n := tokenLen(s)
		if n == 0 {
			return nil, errorf("bad character %q in auth-param name", s[0])
		}
		p := Param{Name: s[:n]}
		s = trimLWS(s[n:])
		if s == "" || s[0] != '=' {
			return nil, errorf("auth-param %q has no value", p.Name)
		}
		s = trimLWS(s[1:])
		if s != "" && s[0] == '"' {
			q, err := quotedLen(s)
			if err != nil {
				return nil, errorf("auth-param %q: %w", p.Name, err)
			}
			p.Value, s = s[:q], s[q:]
		} else {
			v := 0
			for v < len(s) && s[v] > ' ' && s[v] != ',' && s[v] != '"' && s[v] != 0x7f {
				v++
			}
			if v == 0 {
				return nil, errorf("auth-param %q has an empty value", p.Name)
			}
			p.Value, s = s[:v], s[v:]
		}
		ps = append(ps, p)
		s = trimLWS(s)
		if s != "" && s[0] != ',' {
			return nil, errorf("unexpected %q after auth-param %q", truncate(s), p.Name)
		}
	}
	if len(ps) == 0 {
		return nil, errors.New("no auth-params")
	}
	return ps, nil
}

// auths parses every line of the named header as one Auth. An absent
// header gives an empty list.
func (h *Header) auths(name string) ([]Auth, error) {
	var out []Auth
	for _, f := range h.fields {
		if !nameMatches(f.Name, name) {
			continue
		}
		a, err := ParseAuth(f.Value)
		if err != nil {
			return nil, fieldError(f, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// WWWAuthenticate returns the challenges of a 401 response, one per
// WWW-Authenticate line. An absent header gives an empty list.
func (h *Header) WWWAuthenticate() ([]Auth, error) { return h.auths("WWW-Authenticate") }

// ProxyAuthenticate returns the challenges of a 407 response, one per
// Proxy-Authenticate line.
func (h *Header) ProxyAuthenticate() ([]Auth, error) { return h.auths("Proxy-Authenticate") }

// Authorization returns the credentials of a request, one per
// Authorization line.
func (h *Header) Authorization() ([]Auth, error) { return h.auths("Authorization") }

// ProxyAuthorization returns the credentials of a request, one per
// Proxy-Authorization line.
func (h *Header) ProxyAuthorization() ([]Auth, error) { return h.auths("Proxy-Authorization") }

// AuthenticationInfo returns the parameters of the Authentication-Info
// header (nextnonce, qop, rspauth, cnonce, nc), which has no scheme.
func (h *Header) AuthenticationInfo() (Params, error) {
	return parseFirst(h, "Authentication-Info", ParseAuthParams)
}
