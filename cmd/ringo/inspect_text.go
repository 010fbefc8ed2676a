package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// indentStep is how far each level of the tree is indented.
const indentStep = "  "

// writeText writes the report as an indented tree:
//
//	request: INVITE sip:bob@example.com SIP/2.0
//	  method: INVITE
//	  ...
//	headers: 2
//	  v (Via): SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1
//	    - protocol: SIP/2.0
//	      transport: UDP
//	      ...
//	  X-Unknown: kept verbatim
//	body: 0 bytes
//	  kind: none
//
// A compact header name is followed by its full name ("v (Via)"); a
// typed-parse error is shown under its header on a line starting with "!".
func writeText(w io.Writer, rep *report) {
	var b strings.Builder
	if rep.Error != nil {
		fmt.Fprintf(&b, "error: %s\n", rep.Error.Message)
		if rep.Partial {
			b.WriteString("partial: the start line and headers as far as they could be read\n")
		}
	}
	switch {
	case rep.Request != nil:
		writeMember(&b, "", "", "request", rep.Request)
	case rep.Response != nil:
		writeMember(&b, "", "", "response", rep.Response)
	}
	if rep.Request != nil || rep.Response != nil {
		fmt.Fprintf(&b, "headers: %d\n", len(rep.Headers))
	}
	for _, h := range rep.Headers {
		writeHeader(&b, h)
	}
	if rep.Body != nil {
		n, _ := rep.Body[0].value.(int)
		fmt.Fprintf(&b, "body: %d bytes\n", n)
		writeMembers(&b, indentStep, rep.Body[1:])
	}
	if rep.HeaderErrors > 0 {
		fmt.Fprintf(&b, "header errors: %d\n", rep.HeaderErrors)
	}
	io.WriteString(w, b.String())
}

// writeHeader writes one header line and its typed value or error.
func writeHeader(b *strings.Builder, h headerReport) {
	in := indentStep
	b.WriteString(in)
	b.WriteString(clean(h.Name))
	if !strings.EqualFold(h.Canonical, h.Name) {
		b.WriteString(" (" + h.Canonical + ")")
	}
	b.WriteString(": " + clean(h.Value) + "\n")
	in += indentStep
	if h.Error != nil {
		b.WriteString(in + "! " + h.Error.Message + "\n")
	}
	switch t := h.Typed.(type) {
	case fields:
		writeMembers(b, in, t)
	case []fields:
		writeItems(b, in, t)
	}
}

// writeMembers writes each member of fs that is not inline, at indent in.
func writeMembers(b *strings.Builder, in string, fs fields) {
	for _, f := range fs {
		if !f.inline {
			writeMember(b, in, in, f.name, f.value)
		}
	}
}

// writeItems writes a list of objects as "- " items at indent in.
func writeItems(b *strings.Builder, in string, items []fields) {
	for _, item := range items {
		lead := in + "- "
		for _, f := range item {
			if f.inline {
				continue
			}
			writeMember(b, lead, in+indentStep, f.name, f.value)
			lead = in + indentStep
		}
		if lead == in+"- " {
			b.WriteString(lead + "{}\n")
		}
	}
}

// writeMember writes "name: value" after lead, and any nested lines at
// indent in plus one step.
func writeMember(b *strings.Builder, lead, in, name string, v any) {
	b.WriteString(lead + name + ":")
	switch v := v.(type) {
	case fields:
		for _, f := range v {
			if f.inline {
				b.WriteString(" " + scalar(f.value))
				break
			}
		}
		b.WriteString("\n")
		writeMembers(b, in+indentStep, v)
	case []fields:
		if len(v) == 0 {
			b.WriteString(" (none)\n")
			return
		}
		b.WriteString("\n")
		writeItems(b, in+indentStep, v)
	case []string:
		if len(v) == 0 {
			b.WriteString(" (none)\n")
			return
		}
		b.WriteString("\n")
		for _, s := range v {
			b.WriteString(in + indentStep + "- " + clean(s) + "\n")
		}
	default:
		b.WriteString(" " + scalar(v) + "\n")
	}
}

// scalar formats a single value for the tree.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return clean(v)
	case fmt.Stringer:
		return clean(v.String())
	}
	return fmt.Sprint(v)
}

// clean returns s as it can be shown on one line of a terminal: unchanged
// when it is printable UTF-8, else (and when it is empty or has white
// space at either end) as a Go-quoted string.
func clean(s string) string {
	if s == "" || !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for i, r := range s {
		if !unicode.IsPrint(r) && r != ' ' || (r == ' ' || r == '\t') && (i == 0 || i == len(s)-1) {
			return strconv.Quote(s)
		}
	}
	return s
}
