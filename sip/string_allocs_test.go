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

// TestNewIDs checks that a branch, tag or Call-ID costs one allocation
// and has the magic cookie (branch) and the expected number of random
// characters, all of the alphabet, and that no two are alike.
func TestNewIDs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		new    func() string
		prefix string
		chars  int
	}{
		{"NewBranch", NewBranch, MagicCookie, 24},
		{"NewTag", NewTag, "", 16},
		{"NewCallID", NewCallID, "", 24},
	} {
		var keep string
		if n := testing.AllocsPerRun(100, func() { keep = tc.new() }); n != 1 && !raceEnabled {
			t.Errorf("%s: %v allocations, want 1", tc.name, n)
		}
		seen := map[string]bool{keep: true}
		used := map[rune]bool{}
		for range 1000 {
			id := tc.new()
			rest, ok := strings.CutPrefix(id, tc.prefix)
			if !ok || len(rest) != tc.chars || strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz234567") != "" {
				t.Fatalf("%s = %q", tc.name, id)
			}
			if seen[id] {
				t.Fatalf("%s: %q twice", tc.name, id)
			}
			seen[id] = true
			for _, c := range rest {
				used[c] = true
			}
		}
		// 16,000 characters or more: every one of the 32 shows up.
		if len(used) != 32 {
			t.Errorf("%s used %d of the 32 characters", tc.name, len(used))
		}
	}
}
