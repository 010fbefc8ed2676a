package sip

import (
	"errors"
	"strings"
)

// Address is a name-addr or addr-spec with header parameters, the value of
// From, To, Contact, Route, Record-Route, Refer-To, Referred-By and similar
// headers.
//
// Parameters after the URI belong to the header (tag, expires, q, ...);
// parameters inside the angle brackets belong to the URI. In an addr-spec
// written without angle brackets every parameter is a header parameter
// (RFC 3261 §20).
type Address struct {
	// DisplayName is the display name, unquoted and unescaped; "" if none.
	DisplayName string
	// URI is the address.
	URI URI
	// Params are the header parameters.
	Params Params
	// Wildcard is set for the Contact value "*" of a REGISTER that
	// removes every binding; URI is then empty.
	Wildcard bool
}

// Tag returns the tag parameter, or "".
func (a *Address) Tag() string { return a.Params.Value("tag") }

// Clone returns a deep copy.
func (a Address) Clone() Address {
	a.URI = a.URI.Clone()
	a.Params = a.Params.Clone()
	return a
}

// String returns the address as a name-addr: a quoted display name if
// there is one, the URI in angle brackets, then the header parameters.
func (a Address) String() string {
	var buf [stringBuf]byte
	return string(a.AppendTo(buf[:0]))
}

// stringBuf is the size of the stack buffer that the String methods of
// typed values write into before copying into the string, so that a
// value of usual length costs one allocation, the string's.
const stringBuf = 256

// AppendTo appends the address in wire form to b.
func (a *Address) AppendTo(b []byte) []byte {
	if a.Wildcard {
		b = append(b, '*')
		return a.Params.appendTo(b, ';')
	}
	if a.DisplayName != "" {
		b = appendQuoted(b, a.DisplayName)
		b = append(b, ' ')
	}
	b = append(b, '<')
	b = a.URI.AppendTo(b)
	b = append(b, '>')
	return a.Params.appendTo(b, ';')
}

// ParseAddress parses one name-addr or addr-spec with its parameters.
func ParseAddress(s string) (Address, error) {
	a, rest, err := parseAddress(s)
	if err != nil {
		return a, err
	}
	if rest != "" {
		return a, errorf("unexpected %q after address", truncate(rest))
	}
	return a, nil
}

// ParseAddressList parses a header line that holds one or more
// comma-separated addresses, as Contact, Route and Record-Route may.
func ParseAddressList(s string) ([]Address, error) {
	out := make([]Address, 0, 1)
	for {
		a, rest, err := parseAddress(s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		if rest == "" {
			return out, nil
		}
		if rest[0] != ',' {
			return nil, errorf("unexpected %q after address", truncate(rest))
		}
		s = rest[1:]
	}
}

// parseAddress parses an address at the start of s and returns the rest,
// which is empty or starts with a comma.
func parseAddress(s string) (Address, string, error) {
	var a Address
	s = trimLWS(s)
	if s == "" {
		return a, s, errors.New("empty address")
	}
	if s[0] == '*' {
		a.Wildcard = true
		ps, rest, err := parseHeaderParams(s[1:])
		a.Params = ps
		return a, trimLWS(rest), err
	}
	var uriText string
	switch lt := angleStart(s); {
	case s[0] == '"':
		n, err := quotedLen(s)
		if err != nil {
			return a, s, errorf("display name: %w", err)
		}
		a.DisplayName = Unquote(s[:n])
		s = trimLWS(s[n:])
		if s == "" || s[0] != '<' {
			return a, s, errors.New("display name not followed by '<'")
		}
		fallthrough
	case lt >= 0:
		if s[0] != '<' {
			display := trimLWS(s[:lt])
			for i := 0; i < len(display); i++ {
				if c := display[i]; !isTokenChar(c) && c != ' ' && c != '\t' {
					return a, s, errorf("bad character %q in display name", c)
				}
			}
			a.DisplayName = collapseLWS(display)
			s = s[lt:]
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			return a, s, errors.New("'<' without '>'")
		}
		uriText = trimLWS(s[1:gt])
		s = s[gt+1:]
	default:
		// addr-spec: the URI ends at white space, a comma, or the first
		// ';' after the userinfo. It may not carry URI parameters or
		// headers.
		end := len(s)
		if i := strings.IndexAny(s, " \t,"); i >= 0 {
			end = i
		}
		from := strings.IndexByte(s[:end], '@') + 1
		if i := strings.IndexByte(s[from:end], ';'); i >= 0 {
			end = from + i
		}
		uriText = s[:end]
		s = s[end:]
		if strings.IndexByte(uriText, '?') >= 0 {
			return a, s, errors.New("URI with headers must be enclosed in '<' '>'")
		}
	}
	u, err := ParseURI(uriText)
	if err != nil {
		return a, s, err
	}
	a.URI = u
	ps, rest, err := parseHeaderParams(s)
	if err != nil {
		return a, rest, err
	}
	a.Params = ps
	return a, trimLWS(rest), nil
}

// angleStart returns the index of the '<' that starts a name-addr, or -1
// when s is an addr-spec. Only token characters and white space may stand
// before it.
func angleStart(s string) int {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			return i
		case c == ':' || c == ';' || c == ',' || c == '@':
			return -1
		}
	}
	return -1
}

// collapseLWS replaces runs of spaces and tabs by one space.
func collapseLWS(s string) string {
	if !strings.Contains(s, "  ") && !strings.ContainsRune(s, '\t') {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
