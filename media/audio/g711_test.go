package audio

import "testing"

func TestULawTable(t *testing.T) {
	// Reference points of G.711 μ-law.
	tests := []struct {
		code byte
		pcm  int16
	}{
		{0xFF, 0}, {0x7F, 0}, {0x80, 32124}, {0x00, -32124},
		{0xFE, 8}, {0x7E, -8}, {0xF0, 120}, {0xEF, 132}, {0xDF, 396}, {0x8F, 16764}, {0xA0, 7932},
	}
	for _, tt := range tests {
		if got := ULawToLinear(tt.code); got != tt.pcm {
			t.Errorf("ULawToLinear(%#02x) = %d, want %d", tt.code, got, tt.pcm)
		}
	}
	enc := []struct {
		pcm  int16
		code byte
	}{{0, 0xFF}, {-1, 0x7F}, {32767, 0x80}, {-32768, 0x00}, {8, 0xFE}, {132, 0xEF}, {-132, 0x6F}}
	for _, tt := range enc {
		if got := LinearToULaw(tt.pcm); got != tt.code {
			t.Errorf("LinearToULaw(%d) = %#02x, want %#02x", tt.pcm, got, tt.code)
		}
	}
}

func TestALawTable(t *testing.T) {
	tests := []struct {
		code byte
		pcm  int16
	}{
		{0xD5, 8}, {0x55, -8}, {0xAA, 32256}, {0x2A, -32256},
		{0xD4, 24}, {0xC5, 264}, {0xF5, 528}, {0xE5, 1056}, {0x80, 5504},
	}
	for _, tt := range tests {
		if got := ALawToLinear(tt.code); got != tt.pcm {
			t.Errorf("ALawToLinear(%#02x) = %d, want %d", tt.code, got, tt.pcm)
		}
	}
	enc := []struct {
		pcm  int16
		code byte
	}{{0, 0xD5}, {-1, 0x55}, {32767, 0xAA}, {-32768, 0x2A}, {264, 0xC5}}
	for _, tt := range enc {
		if got := LinearToALaw(tt.pcm); got != tt.code {
			t.Errorf("LinearToALaw(%d) = %#02x, want %#02x", tt.pcm, got, tt.code)
		}
	}
}

// Every code decodes to a value that encodes back to the same code (μ-law's
// negative zero 0x7F aside), and every linear value survives a round trip
// within its quantization step.
func TestG711RoundTrip(t *testing.T) {
	for c := 0; c < 256; c++ {
		code := byte(c)
		if got := LinearToALaw(ALawToLinear(code)); got != code {
			t.Errorf("A-law %#02x -> %d -> %#02x", code, ALawToLinear(code), got)
		}
		if code == 0x7F {
			continue
		}
		if got := LinearToULaw(ULawToLinear(code)); got != code {
			t.Errorf("μ-law %#02x -> %d -> %#02x", code, ULawToLinear(code), got)
		}
	}
	for s := -32768; s <= 32767; s++ {
		x := int16(s)
		mag := max(s, -s)
		// Step sizes grow with the segment: a relative error of 1/16 at
		// most plus the smallest step.
		limit := mag/16 + 16
		if d := int(ULawToLinear(LinearToULaw(x))) - s; max(d, -d) > limit && mag < ulawClip {
			t.Fatalf("μ-law %d -> %d", s, ULawToLinear(LinearToULaw(x)))
		}
		if d := int(ALawToLinear(LinearToALaw(x))) - s; max(d, -d) > limit {
			t.Fatalf("A-law %d -> %d", s, ALawToLinear(LinearToALaw(x)))
		}
	}
}

func TestG711Slices(t *testing.T) {
	pcm := []int16{0, 1000, -1000, 32000}
	u := EncodeULaw(nil, pcm)
	a := EncodeALaw(nil, pcm)
	if u[0] != ULawSilence || a[0] != ALawSilence || len(u) != 4 || len(a) != 4 {
		t.Fatalf("encode: %x %x", u, a)
	}
	du := DecodeULaw(nil, u)
	da := DecodeALaw(nil, a)
	for i := range pcm {
		if du[i] != ULawToLinear(u[i]) || da[i] != ALawToLinear(a[i]) {
			t.Errorf("sample %d", i)
		}
	}
}
