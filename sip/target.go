package sip

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// NormalizeTarget turns what a user dials into a SIP URI, as JsSIP's
// Utils.normalizeTarget does:
//
//   - the text after the last "@" is the host[:port][;params], else
//     domain is used ("alice" gives "sip:alice@" + domain);
//   - a leading "sip:", "sips:" or "tel:" (any case) is removed, so the
//     result is always a sip URI;
//   - a user part that is only a telephone number (digits, an optional
//     leading "+", and the visual separators "-", ".", "(", ")") loses
//     its separators: "tel:(+34)-944-43-89" gives "sip:+349444389@...";
//   - the user part is %-unescaped and escaped again, leaving only
//     unreserved characters and ":", "+", "?", "/" as they are, so "iñaki"
//     becomes "i%C3%B1aki" and an "@" inside the user "%40"; a ":" in it
//     starts a password.
//
// The result is parsed as a URI, so a bad host or empty parameters give
// an error, as does an empty target, an empty domain when the target
// names none, or a user part with a bad %-escape or invalid UTF-8.
func NormalizeTarget(target, domain string) (URI, error) {
	if target == "" {
		return URI{}, errors.New("sip: empty target")
	}
	user, host := target, domain
	if at := strings.LastIndexByte(target, '@'); at >= 0 {
		user, host = target[:at], target[at+1:]
	} else if domain == "" {
		return URI{}, errorf("sip: target %q names no domain and none is given", target)
	}
	user = stripTargetScheme(user)
	if isTelNumber(user) {
		user = strings.Map(func(r rune) rune {
			if r == '-' || r == '.' || r == '(' || r == ')' {
				return -1
			}
			return r
		}, user)
	}
	escaped, err := escapeTargetUser(user)
	if err != nil {
		return URI{}, errorf("sip: target %q: %w", target, err)
	}
	u, err := ParseURI("sip:" + escaped + "@" + host)
	if err != nil {
		return URI{}, errorf("sip: target %q: %w", target, err)
	}
	return u, nil
}

// stripTargetScheme removes a leading "sip:", "sips:" or "tel:", in any
// case.
func stripTargetScheme(s string) string {
	for _, scheme := range [...]string{"sip:", "sips:", "tel:"} {
		if len(s) >= len(scheme) && equalFold(s[:len(scheme)], scheme) {
			return s[len(scheme):]
		}
	}
	return s
}

// isTelNumber reports whether s is a telephone number with visual
// separators: *( "-" / "." / "(" / ")" ) [ "+" ] 1*( DIGIT / "-" / "." /
// "(" / ")" ), the pattern JsSIP uses.
func isTelNumber(s string) bool {
	isSep := func(c byte) bool { return c == '-' || c == '.' || c == '(' || c == ')' }
	i := 0
	for i < len(s) && isSep(s[i]) {
		i++
	}
	// Without a "+" the leading separators belong to the number itself.
	if i < len(s) && s[i] == '+' {
		i++
	} else {
		i = 0
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if !isDigit(s[i]) && !isSep(s[i]) {
			return false
		}
	}
	return true
}

// escapeTargetUser does what JsSIP's escapeUser does:
// encodeURIComponent(decodeURIComponent(user)) with ":", "+", "?" and "/"
// left unescaped.
func escapeTargetUser(user string) (string, error) {
	raw, err := unescape(user)
	if err != nil {
		return "", err
	}
	if !utf8.ValidString(raw) {
		return "", errors.New("user part is not valid UTF-8 once unescaped")
	}
	return string(appendEscaped(make([]byte, 0, len(raw)+8), raw, func(c byte) bool {
		return isAlpha(c) || isDigit(c) || strings.IndexByte("-_.!~*'():+?/", c) >= 0
	})), nil
}
