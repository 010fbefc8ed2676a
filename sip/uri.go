package sip

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// URI is a SIP, SIPS or tel URI, or any other absolute URI.
//
// For sip and sips the parts are split out: User and Password are stored
// unescaped ("%61lice" is "alice"), Host is lower-cased and keeps the
// brackets of an IPv6 reference, Port is 0 when absent, Params and Headers
// keep their values as written, except that a header value's characters
// that RFC 3261 does not allow there unescaped, such as the '@', ';' and
// '=' that sloppy UAs write in "?Replaces=abc@host;to-tag=1", are stored
// (and so written) %-escaped: "?Replaces=abc%40host%3Bto-tag%3D1". For tel the number is in User and its
// parameters in Params. For any other scheme everything after the colon is
// in Opaque.
type URI struct {
	Scheme   string // lower case: "sip", "sips", "tel", ...
	User     string
	Password string
	Host     string
	Port     int
	Params   Params // ;name=value
	Headers  Params // ?name=value&name=value
	Opaque   string // the rest of a URI of another scheme
}

// IsSIP reports whether the URI is a sip or sips URI.
func (u *URI) IsSIP() bool { return u.Scheme == "sip" || u.Scheme == "sips" }

// HostPort returns host[:port].
func (u *URI) HostPort() string {
	if u.Port == 0 {
		return u.Host
	}
	return u.Host + ":" + strconv.Itoa(u.Port)
}

// Clone returns a deep copy.
func (u URI) Clone() URI {
	u.Params = u.Params.Clone()
	u.Headers = u.Headers.Clone()
	return u
}

// AOR returns the address of record: scheme, user and host, without port,
// parameters or headers, as JsSIP's toAor does.
func (u *URI) AOR() string {
	a := URI{Scheme: u.Scheme, User: u.User, Host: u.Host, Opaque: u.Opaque}
	return a.String()
}

// ParseURI parses an absolute URI. It accepts sip, sips and tel URIs with
// their full grammar and any other scheme as scheme ":" opaque text.
func ParseURI(s string) (URI, error) {
	var u URI
	var colon int
	// Fast path for the schemes nearly every URI has, written as usual.
	switch {
	case strings.HasPrefix(s, "sip:"):
		u.Scheme, colon = "sip", 3
	case strings.HasPrefix(s, "sips:"):
		u.Scheme, colon = "sips", 4
	default:
		colon = strings.IndexByte(s, ':')
		if colon <= 0 {
			return u, errors.New("URI has no scheme")
		}
		for i := 0; i < colon; i++ {
			c := s[i]
			if !(isAlpha(c) || i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')) {
				return u, errorf("bad character %q in URI scheme", c)
			}
		}
		u.Scheme = lowerASCII(s[:colon])
	}
	rest := s[colon+1:]
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; uriBadChars[c] {
			return u, errorf("bad character %q in URI at %d", c, colon+1+i)
		}
	}
	switch u.Scheme {
	case "sip", "sips":
		return u, u.parseSIP(rest)
	case "tel":
		return u, u.parseTel(rest)
	}
	if rest == "" {
		return u, errors.New("empty URI after scheme")
	}
	u.Opaque = rest
	return u, nil
}

// MustParseURI is ParseURI for URIs known to be good; it panics on error.
// Use it for constants in programs and tests, never on input.
func MustParseURI(s string) URI {
	u, err := ParseURI(s)
	if err != nil {
		panic("sip: MustParseURI(" + strconv.Quote(s) + "): " + err.Error())
	}
	return u
}

func (u *URI) parseSIP(s string) error {
	// The userinfo ends at the first '@': a user or password may not hold
	// one unescaped, while a user may hold '?' ("sip:a?b=c@host" is user
	// "a?b=c", RFC 4475 §3.1.1.12). A user-less URI with an unescaped '@'
	// in its headers ("sip:host?Replaces=a@b", which only sloppy UAs
	// write) therefore reads as a user; the grammar decides, not a guess.
	at := strings.IndexByte(s, '@')
	if at >= 0 {
		userinfo := s[:at]
		user, password := userinfo, ""
		hasPassword := false
		if c := strings.IndexByte(userinfo, ':'); c >= 0 {
			user, password, hasPassword = userinfo[:c], userinfo[c+1:], true
		}
		if user == "" {
			return errors.New("empty user part before '@'")
		}
		var err error
		if u.User, err = unescape(user); err != nil {
			return errorf("user: %w", err)
		}
		if hasPassword {
			if u.Password, err = unescape(password); err != nil {
				return errorf("password: %w", err)
			}
		}
		s = s[at+1:]
	}
	return u.parseHostPart(s)
}

// parseHostPart parses host[:port][;params][?headers]. Parameters end at
// the first '?', so the headers may hold ';' and '@' (which sloppy UAs
// write unescaped in a Replaces header).
func (u *URI) parseHostPart(s string) error {
	if q := strings.IndexByte(s, '?'); q >= 0 {
		hs, err := parseURIParams(s[q+1:], '&')
		if err != nil {
			return errorf("URI headers: %w", err)
		}
		for i := range hs {
			hs[i].Value = escapeHeaderValue(hs[i].Value)
		}
		u.Headers = hs
		s = s[:q]
	}
	hostport := s
	if semi := strings.IndexByte(s, ';'); semi >= 0 {
		ps, err := parseURIParams(s[semi+1:], ';')
		if err != nil {
			return errorf("URI parameters: %w", err)
		}
		u.Params = ps
		hostport = s[:semi]
	}
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return err
	}
	u.Host, u.Port = lowerASCII(host), port
	return nil
}

// escapeHeaderValue %-escapes the characters that a URI header value may
// not hold as they are (RFC 3261 §25.1 hvalue: unreserved, escaped and
// "[]/?:+$"), such as the '@', ';' and '=' of a sloppy
// "?Replaces=abc@host;to-tag=1". Escapes already there are kept.
func escapeHeaderValue(v string) string {
	for i := 0; i < len(v); i++ {
		if !isHeaderValueChar(v[i]) {
			return string(appendEscaped([]byte(v[:i]), v[i:], isHeaderValueChar))
		}
	}
	return v
}

// isHeaderValueChar: unreserved / hnv-unreserved, and '%' of an escape.
func isHeaderValueChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("-_.!~*'()[]/?:+$%", c) >= 0
}

func (u *URI) parseTel(s string) error {
	number := s
	if semi := strings.IndexByte(s, ';'); semi >= 0 {
		ps, err := parseURIParams(s[semi+1:], ';')
		if err != nil {
			return errorf("tel parameters: %w", err)
		}
		u.Params = ps
		number = s[:semi]
	}
	if number == "" {
		return errors.New("tel URI without a number")
	}
	var err error
	u.User, err = unescape(number)
	return err
}

// splitHostPort splits host[:port], accepting IPv6 references in brackets.
func splitHostPort(s string) (host string, port int, err error) {
	host = s
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, errors.New("IPv6 reference without ']'")
		}
		host = s[:end+1]
		s = s[end+1:]
		if s != "" && s[0] != ':' {
			return "", 0, errorf("unexpected %q after IPv6 reference", s)
		}
	} else if c := strings.IndexByte(s, ':'); c >= 0 {
		host = s[:c]
		s = s[c:]
	} else {
		s = ""
	}
	if err := checkHost(host); err != nil {
		return "", 0, err
	}
	if s != "" {
		p := s[1:]
		if p == "" || len(p) > 5 {
			return "", 0, errorf("bad port %q", p)
		}
		for i := 0; i < len(p); i++ {
			if !isDigit(p[i]) {
				return "", 0, errorf("bad port %q", p)
			}
			port = port*10 + int(p[i]-'0')
		}
		if port > 65535 {
			return "", 0, errorf("port %d out of range", port)
		}
	}
	return host, port, nil
}

// HostType says what kind of host a string is.
type HostType int

// Host types.
const (
	HostDomain HostType = iota + 1
	HostIPv4
	HostIPv6
)

func (t HostType) String() string {
	switch t {
	case HostDomain:
		return "domain"
	case HostIPv4:
		return "IPv4"
	case HostIPv6:
		return "IPv6"
	}
	return "invalid"
}

// ParseHost reports whether s is a valid host (domain name, IPv4 address or
// bracketed IPv6 reference) and which kind it is.
func ParseHost(s string) (HostType, error) {
	if s == "" {
		return 0, errors.New("empty host")
	}
	if s[0] == '[' {
		if len(s) < 3 || s[len(s)-1] != ']' {
			return 0, errorf("bad IPv6 reference %q", s)
		}
		a, err := netip.ParseAddr(s[1 : len(s)-1])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return 0, errorf("bad IPv6 reference %q", s)
		}
		return HostIPv6, nil
	}
	numeric := true
	labels := 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if i == start && i != len(s) {
				return 0, errorf("empty label in host %q", s)
			}
			labels++
			start = i + 1
			continue
		}
		switch c := s[i]; hostChars[c] {
		case hostDigit:
		case hostOther:
			numeric = false
		default:
			return 0, errorf("bad character %q in host %q", c, s)
		}
	}
	if numeric {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			return HostIPv4, nil
		}
		return 0, errorf("bad IPv4 address %q", s)
	}
	return HostDomain, nil
}

// Classes of the characters a host name may hold, besides '.'.
const (
	hostBad   = iota // not allowed in a host name
	hostDigit        // 0-9
	hostOther        // letters, '-' and '_'
)

// hostChars gives the class of each byte in a host name.
var hostChars = func() (t [256]byte) {
	for c := range t {
		switch b := byte(c); {
		case isDigit(b):
			t[c] = hostDigit
		case isAlpha(b) || b == '-' || b == '_':
			t[c] = hostOther
		}
	}
	return t
}()

// uriBadChars marks the bytes that may not appear anywhere in a URI: white
// space and controls, DEL, '<', '>' and '"'.
var uriBadChars = func() (t [256]bool) {
	for c := range t {
		t[c] = c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"'
	}
	return t
}()

func checkHost(s string) error {
	_, err := ParseHost(s)
	return err
}

// parseURIParams parses "a=1;b" (sep ';') or "h=v&i=w" (sep '&'), without
// the leading separator.
func parseURIParams(s string, sep byte) (Params, error) {
	ps := make(Params, 0, countByte(s, sep)+1)
	for s != "" || len(ps) == 0 {
		var item string
		if i := strings.IndexByte(s, sep); i >= 0 {
			item, s = s[:i], s[i+1:]
			if s == "" {
				return nil, errEmptyParam
			}
		} else {
			item, s = s, ""
		}
		if item == "" {
			return nil, errEmptyParam
		}
		p := Param{Name: item}
		if eq := strings.IndexByte(item, '='); eq >= 0 {
			p.Name, p.Value = item[:eq], item[eq+1:]
			if p.Value == "" && sep == ';' {
				return nil, errorf("parameter %q has an empty value", p.Name)
			}
		}
		if p.Name == "" {
			return nil, errEmptyParam
		}
		for i := 0; i < len(p.Name); i++ {
			if !isTokenChar(p.Name[i]) && !strings.ContainsRune("[]/:&+$", rune(p.Name[i])) {
				return nil, errorf("bad character %q in parameter name %q", p.Name[i], p.Name)
			}
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// String returns the URI in wire form.
func (u URI) String() string {
	return string(u.AppendTo(make([]byte, 0, 16+len(u.User)+len(u.Host)+len(u.Opaque)+8*len(u.Params))))
}

// AppendTo appends the URI in wire form to b.
func (u *URI) AppendTo(b []byte) []byte {
	if u.Scheme == "" && u.Host == "" && u.Opaque == "" {
		return b
	}
	b = append(b, u.Scheme...)
	b = append(b, ':')
	switch {
	case u.Opaque != "":
		return append(b, u.Opaque...)
	case u.Scheme == "tel":
		b = appendEscaped(b, u.User, isUserChar)
		return u.Params.appendTo(b, ';')
	}
	if u.User != "" {
		b = appendEscaped(b, u.User, isUserChar)
		if u.Password != "" {
			b = append(b, ':')
			b = appendEscaped(b, u.Password, isPasswordChar)
		}
		b = append(b, '@')
	}
	b = append(b, u.Host...)
	if u.Port != 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(u.Port), 10)
	}
	b = u.Params.appendTo(b, ';')
	return u.Headers.appendTo(b, '?')
}

// Equal compares two URIs as RFC 3261 §19.1.4 says for sip and sips:
// scheme, user and password exactly (after unescaping), host
// case-insensitively, port only if both agree on having one; the user,
// ttl, method, maddr and transport parameters must match if either URI has
// them, other parameters only if both have them; headers must match both
// ways. Other schemes compare by their text, ignoring scheme case.
//
// In parameter and header values an escaped character equals the plain
// one ("%61" is "a") unless it is a reserved character (";/?:@&=+$,"):
// "a%2Bb" and "a+b" differ. User and Password are held unescaped, so
// there "%2B" and "+" compare equal: the one departure from §19.1.4.
func (u URI) Equal(v URI) bool {
	if u.Scheme != v.Scheme {
		return false
	}
	if !u.IsSIP() {
		if u.Scheme == "tel" {
			return telNumber(u.User) == telNumber(v.User) && telParamsEqual(u.Params, v.Params)
		}
		return u.Opaque == v.Opaque
	}
	if u.User != v.User || u.Password != v.Password || !strings.EqualFold(u.Host, v.Host) || u.Port != v.Port {
		return false
	}
	for _, name := range [...]string{"user", "ttl", "method", "maddr", "transport"} {
		a, aok := u.Params.Get(name)
		b, bok := v.Params.Get(name)
		if aok != bok || !paramValueEqual(a, b) {
			return false
		}
	}
	for _, p := range u.Params {
		if w, ok := v.Params.Get(p.Name); ok && !paramValueEqual(p.Value, w) {
			return false
		}
	}
	return len(u.Headers) == len(v.Headers) && headersEqual(u.Headers, v.Headers)
}

// headersEqual reports whether every header of a is in b with an equal
// value and the other way round.
func headersEqual(a, b Params) bool {
	for _, list := range [2][2]Params{{a, b}, {b, a}} {
		for _, p := range list[0] {
			w, ok := list[1].Get(p.Name)
			if !ok || unescapeUnreserved(p.Value) != unescapeUnreserved(w) {
				return false
			}
		}
	}
	return true
}

// telParamsEqual compares tel URI parameters both ways, their values
// case-insensitively after unescaping (RFC 3966 §4; §19.1.4 of RFC 3261 is
// for sip and sips).
func telParamsEqual(a, b Params) bool {
	for _, list := range [2][2]Params{{a, b}, {b, a}} {
		for _, p := range list[0] {
			w, ok := list[1].Get(p.Name)
			if !ok || !strings.EqualFold(unescapeLax(p.Value), unescapeLax(w)) {
				return false
			}
		}
	}
	return true
}

func paramValueEqual(a, b string) bool {
	return strings.EqualFold(unescapeUnreserved(a), unescapeUnreserved(b))
}

// unescapeUnreserved puts s in the form that RFC 3261 §19.1.4 compares:
// an escaped character other than a reserved one is equivalent to the
// character itself and is unescaped, while an escaped reserved character
// (";/?:@&=+$,") is not the same as the plain one and stays escaped, with
// its hex digits in upper case. A bad escape is kept as written.
func unescapeUnreserved(s string) string {
	n := strings.IndexByte(s, '%')
	if n < 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s))
	b = append(b, s[:n]...)
	for i := n; i < len(s); i++ {
		if s[i] != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			b = append(b, s[i])
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if strings.IndexByte(";/?:@&=+$,", c) >= 0 {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
		i += 2
	}
	return string(b)
}

func telNumber(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("-.()", r) {
			return -1
		}
		return r
	}, s)
}

// unescape resolves %XX escapes. It fails on a '%' not followed by two hex
// digits.
func unescape(s string) (string, error) {
	n := strings.IndexByte(s, '%')
	if n < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:n]...)
	for i := n; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", errorf("bad %%-escape %q", s[i:min(i+3, len(s))])
		}
		b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	return string(b), nil
}

// unescapeLax is unescape that keeps a bad escape as written.
func unescapeLax(s string) string {
	if u, err := unescape(s); err == nil {
		return u
	}
	return s
}

// Escape %-escapes the characters of s that a SIP URI's user part may not
// hold as they are.
func Escape(s string) string { return string(appendEscaped(nil, s, isUserChar)) }

func appendEscaped(b []byte, s string, ok func(byte) bool) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ok(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// isUserChar: unreserved / user-unreserved (RFC 3261 §25.1).
func isUserChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0
}

// isPasswordChar: unreserved / "&" / "=" / "+" / "$" / ",".
func isPasswordChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("-_.!~*'()&=+$,", c) >= 0
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// lowerASCII lower-cases ASCII letters, allocating only if s has upper-case
// ones.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
