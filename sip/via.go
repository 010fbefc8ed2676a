package sip

import (
	"errors"
	"strconv"
	"strings"
)

// Via is one Via header value: the protocol, the transport, the sent-by
// address and the parameters (branch, received, rport, maddr, ttl, ...).
type Via struct {
	Protocol  string // "SIP"
	Version   string // "2.0"
	Transport string // "UDP", "TCP", "TLS", "WS", "WSS", ... as written
	Host      string // sent-by host; IPv6 references keep their brackets
	Port      int    // sent-by port; 0 if absent
	Params    Params
}

// Branch returns the branch parameter, or "".
func (v *Via) Branch() string { return v.Params.Value("branch") }

// Received returns the received parameter, or "".
func (v *Via) Received() string { return v.Params.Value("received") }

// RPort returns the rport parameter's port and whether the parameter is
// present; a present rport without a value (a request asking for it, RFC
// 3581) gives 0, true.
func (v *Via) RPort() (port int, ok bool) {
	s, ok := v.Params.Get("rport")
	if !ok {
		return 0, false
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 || p > 65535 {
		return 0, true
	}
	return p, true
}

// MAddr returns the maddr parameter, or "".
func (v *Via) MAddr() string { return v.Params.Value("maddr") }

// TTL returns the ttl parameter and whether it is present and valid.
func (v *Via) TTL() (int, bool) {
	s, ok := v.Params.Get("ttl")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return 0, false
	}
	return n, true
}

// SentBy returns host[:port] of the sent-by.
func (v *Via) SentBy() string {
	if v.Port == 0 {
		return v.Host
	}
	return v.Host + ":" + strconv.Itoa(v.Port)
}

// String returns the Via value in wire form.
func (v Via) String() string {
	var buf [stringBuf]byte
	return string(v.AppendTo(buf[:0]))
}

// AppendTo appends the Via value in wire form to b.
func (v *Via) AppendTo(b []byte) []byte {
	proto, version := v.Protocol, v.Version
	if proto == "" {
		proto, version = "SIP", "2.0"
	}
	b = append(b, proto...)
	b = append(b, '/')
	b = append(b, version...)
	b = append(b, '/')
	b = append(b, v.Transport...)
	b = append(b, ' ')
	b = append(b, v.Host...)
	if v.Port != 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(v.Port), 10)
	}
	return v.Params.appendTo(b, ';')
}

// ParseVia parses a Via header line, which may hold several
// comma-separated values.
func ParseVia(s string) ([]Via, error) {
	out := make([]Via, 0, 1)
	for {
		v, rest, err := parseVia(s)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if rest == "" {
			return out, nil
		}
		if rest[0] != ',' {
			return nil, errorf("unexpected %q after Via value", truncate(rest))
		}
		s = rest[1:]
	}
}

func parseVia(s string) (Via, string, error) {
	var v Via
	var parts [3]string
	s = trimLWS(s)
	for i := range parts {
		if i > 0 {
			if s == "" || s[0] != '/' {
				return v, s, errors.New("sent-protocol needs protocol/version/transport")
			}
			s = trimLWS(s[1:])
		}
		n := tokenLen(s)
		if n == 0 {
			return v, s, errors.New("empty part in sent-protocol")
		}
		parts[i], s = s[:n], trimLWS(s[n:])
	}
	v.Protocol, v.Version, v.Transport = parts[0], parts[1], parts[2]
	// sent-by = host [ COLON port ], with optional white space around ':'.
	end := 0
	if strings.HasPrefix(s, "[") {
		end = strings.IndexByte(s, ']') + 1
		if end == 0 {
			return v, s, errors.New("IPv6 reference without ']'")
		}
	}
	for end < len(s) && (isAlpha(s[end]) || isDigit(s[end]) || s[end] == '.' || s[end] == '-' || s[end] == '_') {
		end++
	}
	v.Host = s[:end]
	if _, err := ParseHost(v.Host); err != nil {
		return v, s, errorf("sent-by: %w", err)
	}
	s = trimLWS(s[end:])
	if len(s) > 0 && s[0] == ':' {
		s = trimLWS(s[1:])
		n := 0
		for n < len(s) && n < 6 && isDigit(s[n]) {
			v.Port = v.Port*10 + int(s[n]-'0')
			n++
		}
		if n == 0 || v.Port > 65535 {
			return v, s, errors.New("bad sent-by port")
		}
		s = s[n:]
	}
	ps, rest, err := parseHeaderParams(s)
	if err != nil {
		return v, rest, err
	}
	v.Params = ps
	return v, trimLWS(rest), nil
}
