package sip

import "strings"

// A Field is one header line: its name as written and its value, with line
// folding replaced by a single space and surrounding white space removed.
type Field struct {
	Name  string
	Value string

	// offset is where the field starts in the parsed message, or -1 for a
	// field added by hand.
	offset int
}

// Offset returns the byte offset of the field in the message it was parsed
// from, or -1 if the field was not parsed from the wire.
func (f Field) Offset() int { return f.offset }

// Header is the ordered list of a message's header fields. Names are
// matched case-insensitively and compact forms ("i", "v", "m", ...) match
// their full names. Fields are kept in the order they were parsed or added,
// and unknown fields are kept verbatim.
//
// The zero value is an empty header, ready to use.
type Header struct {
	fields []Field
}

// compactForms maps each RFC 3261 §7.3.3 (and later RFCs') compact header
// name to the full name.
var compactForms = [26]string{
	'a' - 'a': "Accept-Contact",
	'b' - 'a': "Referred-By",
	'c' - 'a': "Content-Type",
	'd' - 'a': "Request-Disposition",
	'e' - 'a': "Content-Encoding",
	'f' - 'a': "From",
	'i' - 'a': "Call-ID",
	'j' - 'a': "Reject-Contact",
	'k' - 'a': "Supported",
	'l' - 'a': "Content-Length",
	'm' - 'a': "Contact",
	'n' - 'a': "Identity-Info",
	'o' - 'a': "Event",
	'r' - 'a': "Refer-To",
	's' - 'a': "Subject",
	't' - 'a': "To",
	'u' - 'a': "Allow-Events",
	'v' - 'a': "Via",
	'x' - 'a': "Session-Expires",
	'y' - 'a': "Identity",
}

// canonicalNames lists the spelling Ringo writes for well-known headers
// whose canonical form is not plain title case.
var canonicalNames = map[string]string{
	"call-id":          "Call-ID",
	"cseq":             "CSeq",
	"www-authenticate": "WWW-Authenticate",
	"rseq":             "RSeq",
	"rack":             "RAck",
	"min-se":           "Min-SE",
	"mime-version":     "MIME-Version",
	"sip-etag":         "SIP-ETag",
	"sip-if-match":     "SIP-If-Match",
}

// CanonicalName returns the full, conventionally capitalised form of a
// header name: "i" and "call-id" give "Call-ID", "content-length" gives
// "Content-Length". Unknown names are title-cased word by word.
func CanonicalName(name string) string {
	if len(name) == 1 {
		if full := compactName(name[0]); full != "" {
			return full
		}
	}
	if c, ok := canonicalNames[strings.ToLower(name)]; ok {
		return c
	}
	b := []byte(name)
	upper := true
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
		upper = c == '-'
	}
	return string(b)
}

// compactName returns the full name for a compact header letter, or "".
func compactName(c byte) string {
	c |= 0x20
	if c < 'a' || c > 'z' {
		return ""
	}
	return compactForms[c-'a']
}

// nameMatches reports whether the field name f stands for the header name
// want. Both may be full or compact, in any case.
func nameMatches(f, want string) bool {
	if len(f) == len(want) {
		if equalFold(f, want) {
			return true
		}
		if len(f) != 1 {
			return false
		}
	}
	if len(f) == 1 {
		if full := compactName(f[0]); full != "" {
			if len(want) == 1 {
				return full == compactName(want[0])
			}
			return equalFold(full, want)
		}
		return false
	}
	if len(want) == 1 {
		if full := compactName(want[0]); full != "" {
			return equalFold(full, f)
		}
	}
	return false
}

// equalFold is strings.EqualFold for ASCII, which is all header names and
// tokens may hold; it avoids Unicode folding work on the hot path.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Get returns the first value of the named header (full or compact name,
// any case), or "" if the message has none. For a header line holding
// several comma-separated values, Get returns the first of them.
func (h *Header) Get(name string) string {
	for _, f := range h.fields {
		if nameMatches(f.Name, name) {
			if isSingleValued(name) {
				return f.Value
			}
			v, _ := nextValue(f.Value)
			return v
		}
	}
	return ""
}

// Values returns every value of the named header in order, splitting lines
// that hold several comma-separated values. Headers whose grammar allows
// commas inside one value (WWW-Authenticate, Date, User-Agent, ...) are
// not split.
func (h *Header) Values(name string) []string {
	var out []string
	single := isSingleValued(name)
	for _, f := range h.fields {
		if !nameMatches(f.Name, name) {
			continue
		}
		if single {
			out = append(out, f.Value)
			continue
		}
		for rest := f.Value; rest != ""; {
			var v string
			v, rest = nextValue(rest)
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// Has reports whether the message has the named header.
func (h *Header) Has(name string) bool {
	return h.index(name) >= 0
}

// Count returns how many lines of the named header the message has.
func (h *Header) Count(name string) int {
	n := 0
	for _, f := range h.fields {
		if nameMatches(f.Name, name) {
			n++
		}
	}
	return n
}

// Fields returns the header fields in order. The slice is the header's own:
// use Add, Set and Del to change it.
func (h *Header) Fields() []Field { return h.fields }

// Len returns the number of header lines.
func (h *Header) Len() int { return len(h.fields) }

// Add appends a header line.
func (h *Header) Add(name, value string) {
	h.fields = append(h.fields, Field{Name: name, Value: value, offset: -1})
}

// Prepend inserts a header line before all others, as a proxy does with
// its Via and a client with Route.
func (h *Header) Prepend(name, value string) {
	h.fields = append(h.fields, Field{})
	copy(h.fields[1:], h.fields)
	h.fields[0] = Field{Name: name, Value: value, offset: -1}
}

// Set replaces every line of the named header with one line holding value,
// at the position of the first line it replaces (or at the end).
func (h *Header) Set(name, value string) {
	i := h.index(name)
	if i < 0 {
		h.Add(name, value)
		return
	}
	h.fields[i] = Field{Name: h.fields[i].Name, Value: value, offset: -1}
	h.delFrom(name, i+1)
}

// Del removes every line of the named header.
func (h *Header) Del(name string) { h.delFrom(name, 0) }

// RemoveFirst removes the first value of the named header: the first
// comma-separated value if its line holds several, else the whole line. A
// proxy pops its Via this way. It reports whether there was a value.
func (h *Header) RemoveFirst(name string) bool {
	i := h.index(name)
	if i < 0 {
		return false
	}
	if !isSingleValued(name) {
		_, rest := nextValue(h.fields[i].Value)
		if rest = strings.TrimSpace(rest); rest != "" {
			h.fields[i].Value = rest
			h.fields[i].offset = -1
			return true
		}
	}
	h.fields = append(h.fields[:i], h.fields[i+1:]...)
	return true
}

func (h *Header) delFrom(name string, start int) {
	out := h.fields[:start]
	for _, f := range h.fields[start:] {
		if !nameMatches(f.Name, name) {
			out = append(out, f)
		}
	}
	clear(h.fields[len(out):])
	h.fields = out
}

func (h *Header) index(name string) int {
	for i, f := range h.fields {
		if nameMatches(f.Name, name) {
			return i
		}
	}
	return -1
}

// field returns the first field of the named header.
func (h *Header) field(name string) (Field, bool) {
	if i := h.index(name); i >= 0 {
		return h.fields[i], true
	}
	return Field{}, false
}

// Clone returns a deep copy of the header.
func (h *Header) Clone() Header {
	return Header{fields: append([]Field(nil), h.fields...)}
}

// isSingleValued reports whether a header's grammar lets one value contain
// commas outside quotes and angle brackets, so that its lines must never be
// split at commas.
func isSingleValued(name string) bool {
	if len(name) == 1 {
		name = compactName(name[0])
		return name == "Call-ID" || name == "Subject" || name == "Identity" || name == "Identity-Info"
	}
	switch len(name) {
	case 4:
		return equalFold(name, "Date")
	case 6:
		return equalFold(name, "Server")
	case 7:
		return equalFold(name, "Call-ID") || equalFold(name, "Subject")
	case 8:
		return equalFold(name, "Identity")
	case 9:
		return equalFold(name, "Timestamp")
	case 10:
		return equalFold(name, "User-Agent")
	case 11:
		return equalFold(name, "Retry-After")
	case 12:
		return equalFold(name, "Organization")
	case 13:
		return equalFold(name, "Authorization") || equalFold(name, "Identity-Info")
	case 16:
		return equalFold(name, "WWW-Authenticate")
	case 18:
		return equalFold(name, "Proxy-Authenticate")
	case 19:
		return equalFold(name, "Proxy-Authorization") || equalFold(name, "Authentication-Info") ||
			equalFold(name, "Content-Disposition")
	}
	return false
}

// nextValue splits off the first comma-separated value of a header line,
// honouring quoted strings and angle brackets. It returns the value without
// surrounding white space and the rest after the comma.
func nextValue(s string) (value, rest string) {
	inQuote, inAngle := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case c == ',' && !inAngle:
			return trimLWS(s[:i]), s[i+1:]
		}
	}
	return trimLWS(s), ""
}

// trimLWS removes spaces and tabs at both ends.
func trimLWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
