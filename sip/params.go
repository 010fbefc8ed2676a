package sip

import (
	"errors"
	"strings"
)

// Param is one ";name=value" parameter of a URI or a header value. A
// parameter written without "=value" (";lr") has an empty Value. Values are
// kept as written: a quoted-string keeps its quotes (use Unquote), a URI
// parameter keeps its %-escapes.
type Param struct {
	Name  string
	Value string
}

// Params is an ordered list of parameters. Names match case-insensitively.
type Params []Param

// Get returns the value of the named parameter and whether it is present.
func (p Params) Get(name string) (string, bool) {
	for _, x := range p {
		if equalFold(x.Name, name) {
			return x.Value, true
		}
	}
	return "", false
}

// Value returns the value of the named parameter, or "" if it is absent.
func (p Params) Value(name string) string {
	v, _ := p.Get(name)
	return v
}

// Has reports whether the named parameter is present.
func (p Params) Has(name string) bool {
	_, ok := p.Get(name)
	return ok
}

// Set sets the named parameter to value (empty for a flag parameter),
// replacing an existing one in place or appending it.
func (p *Params) Set(name, value string) {
	for i, x := range *p {
		if equalFold(x.Name, name) {
			(*p)[i].Value = value
			return
		}
	}
	*p = append(*p, Param{Name: name, Value: value})
}

// Del removes the named parameter and returns its value and whether it was
// present.
func (p *Params) Del(name string) (string, bool) {
	for i, x := range *p {
		if equalFold(x.Name, name) {
			*p = append((*p)[:i], (*p)[i+1:]...)
			return x.Value, true
		}
	}
	return "", false
}

// Clone returns a copy that shares nothing with p.
func (p Params) Clone() Params {
	if p == nil {
		return nil
	}
	return append(Params(nil), p...)
}

// appendTo writes each parameter as sep name [= value].
func (p Params) appendTo(b []byte, sep byte) []byte {
	for i, x := range p {
		if sep != ';' && i == 0 {
			b = append(b, sep)
		} else if sep != ';' {
			b = append(b, '&')
		} else {
			b = append(b, ';')
		}
		b = append(b, x.Name...)
		// URI headers are always hname "=" hvalue, even with an empty value.
		if x.Value != "" || sep != ';' {
			b = append(b, '=')
			b = append(b, x.Value...)
		}
	}
	return b
}

// String returns the parameters as ";a=1;b".
func (p Params) String() string { return string(p.appendTo(nil, ';')) }

var errEmptyParam = errors.New("empty parameter")

// parseHeaderParams parses header parameters: *(LWS ";" LWS name [LWS "="
// LWS value]) from the start of s, stopping at the end or before a comma
// outside quotes. It returns the parameters and the unparsed rest.
func parseHeaderParams(s string) (Params, string, error) {
	s = trimLWS(s)
	if s == "" || s[0] != ';' {
		return nil, s, nil
	}
	ps := make(Params, 0, countByte(s, ';'))
	for len(s) > 0 && s[0] == ';' {
		s = trimLWS(s[1:])
		n := tokenLen(s)
		if n == 0 {
			if s == "" || s[0] == ';' || s[0] == ',' {
				return nil, s, errEmptyParam
			}
			return nil, s, errorf("bad character %q in parameter name", s[0])
		}
		p := Param{Name: s[:n]}
		s = trimLWS(s[n:])
		if len(s) > 0 && s[0] == '=' {
			s = trimLWS(s[1:])
			var err error
			p.Value, s, err = paramValue(s)
			if err != nil {
				return nil, s, err
			}
			if p.Value == "" {
				return nil, s, errorf("parameter %q has an empty value", p.Name)
			}
			s = trimLWS(s)
		}
		ps = append(ps, p)
	}
	return ps, s, nil
}

// paramValue reads a gen-value: a quoted-string (kept with its quotes), an
// IPv6 reference, or a run of token and host characters.
func paramValue(s string) (value, rest string, err error) {
	if s == "" {
		return "", s, nil
	}
	if s[0] == '"' {
		n, err := quotedLen(s)
		if err != nil {
			return "", s, err
		}
		return s[:n], s[n:], nil
	}
	i := 0
	for i < len(s) && isParamValueChar(s[i]) {
		i++
	}
	return s[:i], s[i:], nil
}

// quotedLen returns the length of the quoted-string at the start of s,
// quotes included.
func quotedLen(s string) (int, error) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errors.New("unterminated quoted string")
}

// Unquote returns the content of a quoted-string with its quoted-pairs
// resolved; a value that is not quoted is returned unchanged.
func Unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b = append(b, s[i])
	}
	return string(b)
}

// Quote returns s as a quoted-string, escaping '"' and '\'.
func Quote(s string) string {
	if !strings.ContainsAny(s, "\"\\") {
		return `"` + s + `"`
	}
	return string(appendQuoted(make([]byte, 0, len(s)+4), s))
}

// appendQuoted appends s to b as Quote writes it.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func countByte(s string, c byte) int { return strings.Count(s, string(c)) }

// tokenLen returns the length of the RFC 3261 token at the start of s.
func tokenLen(s string) int {
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return i
}

// isTokenChar reports whether c may appear in an RFC 3261 token:
// alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
func isTokenChar(c byte) bool {
	return tokenChars[c]
}

// isParamValueChar accepts token characters and the extra characters that
// hosts and IPv6 references bring into gen-value (":", "[", "]").
func isParamValueChar(c byte) bool {
	return tokenChars[c] || c == ':' || c == '[' || c == ']'
}

var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-.!%*_+`'~" {
		t[c] = true
	}
	return t
}()
