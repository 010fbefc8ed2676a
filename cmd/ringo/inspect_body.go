package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"strings"
	"unicode/utf8"

	"github.com/ringo-sip/ringo/sip"
)

// Body kinds, as the "kind" member of a body summary says.
const (
	bodyNone      = "none"      // no body
	bodySDP       = "sdp"       // a session description: its m= lines are listed
	bodyMultipart = "multipart" // a multipart/* body: its parts are summarised
	bodyText      = "text"      // printable UTF-8: its first line is shown
	bodyBinary    = "binary"    // anything else: only its length is shown
)

// maxPartDepth bounds how deeply multipart bodies inside multipart bodies
// are opened.
const maxPartDepth = 3

// bodyFields summarises the message body: its length, content type, kind
// and, by kind, the SDP m= lines, the first line of text or the parts.
func bodyFields(msg sip.Message) fields {
	return bodySummary(msg.Header().Get("Content-Type"), msg.Body(), 0)
}

func bodySummary(contentType string, body []byte, depth int) fields {
	var fs fields
	fs.add("length", len(body))
	fs.addNonEmpty("content_type", contentType)
	mt, err := sip.ParseMediaType(contentType)
	known := err == nil
	boundary := sip.Unquote(mt.Params.Value("boundary"))
	switch {
	case len(body) == 0:
		fs.add("kind", bodyNone)
	case known && mt.Is("application/sdp") || contentType == "" && bytes.HasPrefix(body, []byte("v=0")):
		fs.add("kind", bodySDP)
		fs.add("media", sdpMediaLines(body))
	case known && strings.EqualFold(mt.Type, "multipart") && boundary != "" && depth < maxPartDepth:
		fs.add("kind", bodyMultipart)
		parts, err := multipartParts(body, boundary, depth)
		fs.add("parts", parts)
		if err != nil {
			fs.add("parts_error", err.Error())
		}
	case isText(body):
		fs.add("kind", bodyText)
		fs.add("first_line", firstLine(body))
	default:
		fs.add("kind", bodyBinary)
	}
	return fs
}

// sdpMediaLines returns the m= lines of an SDP body, in order.
func sdpMediaLines(body []byte) []string {
	lines := []string{}
	for line := range strings.Lines(string(body)) {
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "m=") {
			lines = append(lines, line)
		}
	}
	return lines
}

// multipartParts summarises each part of a multipart body. It returns the
// parts it could read and the error that stopped it, if any.
func multipartParts(body []byte, boundary string, depth int) ([]fields, error) {
	parts := []fields{}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return parts, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return parts, err
		}
		parts = append(parts, bodySummary(p.Header.Get("Content-Type"), data, depth+1))
	}
}

// isText reports whether body is UTF-8 without control characters other
// than tab, CR and LF.
func isText(body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	for _, c := range body {
		if c < ' ' && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

// maxFirstLine is how much of a text body's first line is shown.
const maxFirstLine = 120

// firstLine returns the first line of a text body, cut at maxFirstLine
// runes.
func firstLine(body []byte) string {
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.TrimRight(line, "\r")
	if utf8.RuneCountInString(line) > maxFirstLine {
		line = string([]rune(line)[:maxFirstLine]) + "..."
	}
	return line
}
