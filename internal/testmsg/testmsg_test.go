package testmsg

import (
	"strconv"
	"strings"
	"testing"
)

// TestWellFormed checks what the package comment promises: CRLF line ends,
// an empty line after the header and a Content-Length equal to the body.
func TestWellFormed(t *testing.T) {
	for _, m := range All {
		head, body, ok := strings.Cut(m.Text, "\r\n\r\n")
		if !ok {
			t.Errorf("%s: no empty line after the header", m.Name)
			continue
		}
		if strings.Contains(strings.ReplaceAll(m.Text, "\r\n", ""), "\n") {
			t.Errorf("%s: a line ends in a bare LF", m.Name)
		}
		const name = "\r\nContent-Length: "
		i := strings.Index(head, name)
		if i < 0 {
			t.Errorf("%s: no Content-Length", m.Name)
			continue
		}
		value, _, _ := strings.Cut(head[i+len(name):], "\r\n")
		n, err := strconv.Atoi(value)
		if err != nil || n != len(body) {
			t.Errorf("%s: Content-Length %q, body has %d bytes", m.Name, value, len(body))
		}
	}
	if WebRTCInvite != WebRTCInviteHeader+WebRTCOffer || !strings.HasSuffix(WebRTCInviteHeader, "\r\n\r\n") {
		t.Error("WebRTCInvite is not WebRTCInviteHeader followed by WebRTCOffer")
	}
}

// TestSizes keeps the sizes the benchmarks and their documentation quote.
func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want int
	}{
		{"SmallInvite", SmallInvite, 463},
		{"WebRTCInvite", WebRTCInvite, 2393},
		{"Unauthorized401", Unauthorized401, 463},
	} {
		if len(tc.text) != tc.want {
			t.Errorf("len(%s) = %d, want %d", tc.name, len(tc.text), tc.want)
		}
	}
}
