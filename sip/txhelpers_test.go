package sip

import "testing"

func TestReplaceFirst(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SIP/2.0/UDP a", "SIP/2.0/UDP x;branch=1"},
		{"SIP/2.0/UDP a , SIP/2.0/TCP b", "SIP/2.0/UDP x;branch=1, SIP/2.0/TCP b"},
		{"SIP/2.0/UDP a;p=\"q,r\", SIP/2.0/TCP b,SIP/2.0/TCP c", "SIP/2.0/UDP x;branch=1, SIP/2.0/TCP b,SIP/2.0/TCP c"},
	} {
		var h Header
		h.Add("From", "<sip:a@b>")
		h.Add("v", tc.in)
		h.Add("Via", "SIP/2.0/UDP z")
		if !h.ReplaceFirst("Via", "SIP/2.0/UDP x;branch=1") {
			t.Fatal("Via not found")
		}
		if got := h.Fields()[1]; got.Value != tc.want || got.Name != "v" || got.Offset() != -1 {
			t.Errorf("%q: got %+v, want %q", tc.in, got, tc.want)
		}
		if h.Fields()[2].Value != "SIP/2.0/UDP z" {
			t.Errorf("second line changed: %q", h.Fields()[2].Value)
		}
	}
	var h Header
	h.Add("Call-ID", "a,b")
	h.ReplaceFirst("call-id", "c")
	if h.CallID() != "c" {
		t.Errorf("single-valued header: %q", h.CallID())
	}
	if h.ReplaceFirst("Via", "x") {
		t.Error("absent header reported present")
	}
}
