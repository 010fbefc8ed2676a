package sip

// This file holds small helpers that the transaction layer needs.

// ReplaceFirst replaces the first value of the named header: the first
// comma-separated value of its first line when that line holds several,
// else the line's whole value. It reports whether the header was present.
// A transaction layer writes a branch into the top Via this way without
// moving the Via line or re-parsing the others.
func (h *Header) ReplaceFirst(name, value string) bool {
	i := h.index(name)
	if i < 0 {
		return false
	}
	f := &h.fields[i]
	if !isSingleValued(name) {
		if _, rest := nextValue(f.Value); trimLWS(rest) != "" {
			value += ", " + trimLWS(rest)
		}
	}
	f.Value = value
	f.offset = -1
	return true
}
