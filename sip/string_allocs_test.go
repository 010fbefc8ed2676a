package sip

import (
	"strings"
	"testing"
)

// TestStringAllocs checks that Via.String and Address.String of usual
// length allocate only the string, and that longer values, which outgrow
// the stack buffer, are written whole.
func TestStringAllocs(t *testing.T) {
	via := Via{Transport: "WS", Host: "df7jal23ls0d.invalid", Port: 5060}
	via.Params.Set("branch", NewBranch())
	via.Params.Set("rport", "")
	addr := Address{DisplayName: "Alice", URI: URI{Scheme: "sip", User: "alice", Host: "example.com"}}
	addr.Params.Set("tag", NewTag())
	for name, f := range map[string]func() string{"Via": via.String, "Address": addr.String} {
		if n := testing.AllocsPerRun(100, func() { _ = f() }); n != 1 && !raceEnabled {
			t.Errorf("%s.String: %v allocations, want 1", name, n)
		}
	}
	if got, want := via.String(), "SIP/2.0/WS df7jal23ls0d.invalid:5060;branch="+via.Branch()+";rport"; got != want {
		t.Errorf("Via.String = %q, want %q", got, want)
	}

	long := strings.Repeat("x", 300)
	via.Params.Set("received", long)
	if got := via.String(); !strings.HasSuffix(got, ";received="+long) || !strings.HasPrefix(got, "SIP/2.0/WS df7jal23ls0d.invalid:5060;branch=") {
		t.Errorf("long Via.String = %q", got)
	}
	addr.URI.User = long
	if got, want := addr.String(), `"Alice" <sip:`+long+"@example.com>;tag="+addr.Tag(); got != want {
		t.Errorf("long Address.String = %q, want %q", got, want)
	}
}

// TestNewBranchAllocs checks that a branch costs one allocation and has
// the magic cookie and 24 base32 digits.
func TestNewBranchAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = NewBranch() }); n != 1 && !raceEnabled {
		t.Errorf("NewBranch: %v allocations, want 1", n)
	}
	b := NewBranch()
	if !strings.HasPrefix(b, MagicCookie) || len(b) != len(MagicCookie)+24 || strings.Trim(b[len(MagicCookie):], "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Errorf("NewBranch = %q", b)
	}
	if NewBranch() == b {
		t.Error("two branches alike")
	}
}
