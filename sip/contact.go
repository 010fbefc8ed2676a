package sip

import "strconv"

// This file holds the helpers a registrar and a registering client need
// on Contact values (RFC 3261 §10, RFC 5626).

// Expires returns the expires parameter of a Contact in seconds and
// whether it is present and a valid number.
func (a *Address) Expires() (uint32, bool) {
	v, ok := a.Params.Get("expires")
	if !ok {
		return 0, false
	}
	n, err := parseUintValue(v)
	return n, err == nil
}

// SetExpires sets the expires parameter.
func (a *Address) SetExpires(seconds uint32) {
	a.Params.Set("expires", strconv.FormatUint(uint64(seconds), 10))
}

// Q returns the q parameter of a Contact (a qvalue from 0 to 1, at most
// three decimals, RFC 3261 §25.1) and whether it is present and valid.
func (a *Address) Q() (float64, bool) {
	v, ok := a.Params.Get("q")
	if !ok {
		return 0, false
	}
	return parseQValue(v)
}

// parseQValue parses qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
func parseQValue(s string) (float64, bool) {
	if s == "" || s[0] != '0' && s[0] != '1' {
		return 0, false
	}
	whole := int(s[0] - '0')
	frac := 0
	if len(s) > 1 {
		if s[1] != '.' || len(s) > 5 {
			return 0, false
		}
		scale := 100
		for i := 2; i < len(s); i++ {
			if !isDigit(s[i]) {
				return 0, false
			}
			frac += int(s[i]-'0') * scale
			scale /= 10
		}
	}
	if whole == 1 && frac != 0 {
		return 0, false
	}
	return float64(whole*1000+frac) / 1000, true
}

// InstanceID returns the +sip.instance parameter of a Contact (RFC 5626
// §4.1), unquoted: "<urn:uuid:...>". It returns "" if there is none.
func (a *Address) InstanceID() string { return Unquote(a.Params.Value("+sip.instance")) }

// RegID returns the reg-id parameter of a Contact (RFC 5626 §4.2) and
// whether it is present and a valid number.
func (a *Address) RegID() (uint32, bool) {
	v, ok := a.Params.Get("reg-id")
	if !ok {
		return 0, false
	}
	n, err := parseUintValue(v)
	return n, err == nil
}

// ContactExpires returns how long the binding for contact c lasts, as RFC
// 3261 §10.2.1 and §10.3 say: its expires parameter if it has a valid one,
// else the message's Expires header if valid, else def.
func (h *Header) ContactExpires(c *Address, def uint32) uint32 {
	if n, ok := c.Expires(); ok {
		return n
	}
	if n, err := h.Expires(); err == nil {
		return n
	}
	return def
}
