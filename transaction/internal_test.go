package transaction

import "testing"

func TestTagOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<sip:a@b>;tag=x1", "x1"},
		{`"Bob; tag=no" <sip:a@b;tag=uri>;foo=bar ; TAG = t2;x`, "t2"},
		{"sip:a@b;user=phone;tag=t3", "t3"},
		{"sip:+16505552222@ss1.example.net;user=phone", ""},
		{"<sip:a@b>;tagx=1;tag=2", "2"},
		{"<sip:a@b>", ""},
		{"<sip:a@b>;tag=", ""},
	} {
		if got := tagOf(tc.in); got != tc.want {
			t.Errorf("tagOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
