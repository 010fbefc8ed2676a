package digest

import (
	"fmt"
	"strings"
)

// rawParam is one auth-param as found in a header value.
type rawParam struct {
	name   string
	value  string
	quoted bool
	off    int // byte offset of the name
}

// syntaxError returns an error wrapping ErrSyntax.
func syntaxError(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrSyntax, off, fmt.Sprintf(format, args...))
}

// paramError returns an error wrapping ErrSyntax that names a parameter.
func paramError(p rawParam, format string, args ...any) error {
	return fmt.Errorf("%w: parameter %q at offset %d: %s", ErrSyntax, p.name, p.off, fmt.Sprintf(format, args...))
}

// isTchar reports whether c may appear in a parameter name or scheme: the
// token characters of RFC 7230 (a superset of RFC 3261's).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isSIPTokenChar reports whether c is a token character of RFC 3261, the
// stricter of the two grammars; values made only of them are written
// unquoted.
func isSIPTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-.!%*_+`'~", c) >= 0
}

// isToken reports whether s is a non-empty RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isSIPTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isValueChar reports whether c may appear in an unquoted value. This is
// liberal: besides token characters it takes the characters that servers
// put in unquoted nonces and opaques (base64's "/" "+" "=", ":" and so on),
// stopping only at white space, "," and the quoting characters.
func isValueChar(c byte) bool {
	return c > ' ' && c < 0x7f && c != ',' && c != '"' && c != '\\'
}

// skipLWS skips linear white space (SP, HTAB, and line folding: a CRLF or LF
// followed by SP or HTAB) from s[i:] and returns the new offset. A line break
// at the very end of s is skipped too.
func skipLWS(s string, i int) (int, error) {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t':
			i++
		case '\r', '\n':
			j := i + 1
			if s[i] == '\r' && j < len(s) && s[j] == '\n' {
				j++
			}
			if j == len(s) {
				return j, nil
			}
			if s[j] != ' ' && s[j] != '\t' {
				return i, syntaxError(i, "line break not followed by white space")
			}
			i = j
		default:
			return i, nil
		}
	}
	return i, nil
}

// parseQuoted reads the quoted-string value of parameter name starting at
// s[i] == '"' and returns its unescaped content and the offset after the
// closing quote. Line folding inside it is removed (the white space after
// the line break is kept).
func parseQuoted(s, name string, i int) (string, int, error) {
	syntaxError := func(off int, format string, args ...any) error {
		return fmt.Errorf("%w: parameter %q: offset %d: %s", ErrSyntax, name, off, fmt.Sprintf(format, args...))
	}
	start := i
	i++
	var b strings.Builder
	plain := true // no escapes or folds so far: the content is s[start+1:i]
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			if plain {
				return s[start+1 : i], i + 1, nil
			}
			return b.String(), i + 1, nil
		case c == '\\':
			if i+1 >= len(s) {
				return "", i, syntaxError(i, "quoted string ends with a backslash")
			}
			if n := s[i+1]; n == '\r' || n == '\n' {
				return "", i, syntaxError(i, "backslash before a line break in a quoted string")
			}
			if plain {
				b.WriteString(s[start+1 : i])
				plain = false
			}
			b.WriteByte(s[i+1])
			i += 2
		case c == '\r' || c == '\n':
			j := i + 1
			if c == '\r' && j < len(s) && s[j] == '\n' {
				j++
			}
			if j >= len(s) || (s[j] != ' ' && s[j] != '\t') {
				return "", i, syntaxError(i, "line break not followed by white space in a quoted string")
			}
			if plain {
				b.WriteString(s[start+1 : i])
				plain = false
			}
			i = j
		case c < ' ' && c != '\t' || c == 0x7f:
			return "", i, syntaxError(i, "control character %#02x in a quoted string", c)
		default:
			if !plain {
				b.WriteByte(c)
			}
			i++
		}
	}
	return "", i, syntaxError(start, "unterminated quoted string")
}

// parseAuth parses a header value whose scheme must be Digest and returns
// its parameters. The scheme is checked before the parameters, so that
// another scheme's syntax (Basic's token68) gives ErrScheme.
func parseAuth(s string) ([]rawParam, error) {
	i, err := skipLWS(s, 0)
	if err != nil {
		return nil, err
	}
	start := i
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	scheme := s[start:i]
	if scheme == "" {
		if i == len(s) {
			return nil, syntaxError(i, "empty value, want an authentication scheme")
		}
		return nil, syntaxError(i, "unexpected %q, want an authentication scheme", s[i])
	}
	if !strings.EqualFold(scheme, "Digest") {
		return nil, fmt.Errorf("%w: scheme %q", ErrScheme, scheme)
	}
	if i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' {
		return nil, syntaxError(i, "unexpected %q after scheme %q", s[i], scheme)
	}
	var params []rawParam
	for {
		// Skip white space and empty list elements.
		for {
			if i, err = skipLWS(s, i); err != nil {
				return nil, err
			}
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			break
		}
		if i == len(s) {
			return params, nil
		}
		p := rawParam{off: i}
		for i < len(s) && isTchar(s[i]) {
			i++
		}
		p.name = s[p.off:i]
		if p.name == "" {
			return nil, syntaxError(i, "unexpected %q, want a parameter name", s[i])
		}
		if i, err = skipLWS(s, i); err != nil {
			return nil, err
		}
		if i == len(s) || s[i] != '=' {
			return nil, paramError(p, "no \"=\" after the name")
		}
		if i, err = skipLWS(s, i+1); err != nil {
			return nil, err
		}
		if i < len(s) && s[i] == '"' {
			if p.value, i, err = parseQuoted(s, p.name, i); err != nil {
				return nil, err
			}
			p.quoted = true
		} else {
			v := i
			for i < len(s) && isValueChar(s[i]) {
				i++
			}
			if v == i {
				if i == len(s) {
					return nil, paramError(p, "no value")
				}
				return nil, paramError(p, "unexpected %q, want a token or a quoted string", s[i])
			}
			p.value = s[v:i]
		}
		params = append(params, p)
		if i, err = skipLWS(s, i); err != nil {
			return nil, err
		}
		if i < len(s) && s[i] != ',' {
			return nil, paramError(p, "unexpected %q after the value, want \",\"", s[i])
		}
	}
}

// writeQuoted appends v to b as a quoted-string. It escapes '"', '\\' and
// control characters other than HTAB, and replaces CR and LF, which a
// quoted-string cannot carry, with spaces so that the result can never break
// the header line.
func writeQuoted(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\r' || c == '\n':
			b.WriteByte(' ')
		case c == '"' || c == '\\' || (c < ' ' && c != '\t') || c == 0x7f:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// writeTokenOrQuoted appends v bare if it is a token, quoted otherwise.
func writeTokenOrQuoted(b *strings.Builder, v string) {
	if isToken(v) {
		b.WriteString(v)
		return
	}
	writeQuoted(b, v)
}

// writeParam appends ", name=" (or "name=" first) and the value.
func writeParam(b *strings.Builder, name, value string, quoted bool) {
	if b.Len() > len("Digest ") {
		b.WriteString(", ")
	}
	b.WriteString(name)
	b.WriteByte('=')
	if quoted {
		writeQuoted(b, value)
	} else {
		writeTokenOrQuoted(b, value)
	}
}

// A Param is a parameter the package does not interpret, kept in the order
// received.
type Param struct {
	// Name is the parameter name as received.
	Name string
	// Value is the value, unquoted and unescaped.
	Value string
	// Quoted reports whether the value is written as a quoted-string. It is
	// true when the value was received quoted and whenever the value is not
	// a token.
	Quoted bool
}

// unknownParam converts a rawParam into a Param.
func unknownParam(p rawParam) Param {
	return Param{Name: p.name, Value: p.value, Quoted: p.quoted || !isToken(p.value)}
}

// writeParams appends the unknown parameters, leaving out those that cannot
// be written or would repeat one in known (parsing never produces them).
func writeParams(b *strings.Builder, ps []Param, known []string) {
	for _, p := range ps {
		if !isTokenName(p.Name) || knownName(known, p.Name) != "" {
			continue
		}
		writeParam(b, p.Name, p.Value, p.Quoted)
	}
}

// isTokenName reports whether s is a non-empty RFC 7230 token.
func isTokenName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}
