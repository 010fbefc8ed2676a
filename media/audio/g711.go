package audio

// G.711 (ITU-T G.711, 1988) companding, written from the standard: μ-law
// (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8). A code is one
// byte per sample; linear samples are 16-bit.

const (
	ulawBias = 0x84  // added to the magnitude before the segment search
	ulawClip = 32635 // largest magnitude μ-law encodes without overflow
)

// LinearToULaw encodes one 16-bit linear sample as μ-law.
func LinearToULaw(sample int16) byte {
	s := int(sample)
	sign := 0
	if s < 0 {
		s = -s
		sign = 0x80
	}
	s = min(s, ulawClip) + ulawBias
	// The segment (exponent) is the position of the highest set bit above
	// bit 7: 0 for magnitudes below 0x100, 7 for those at 0x4000 and up.
	exp := 7
	for mask := 0x4000; exp > 0 && s&mask == 0; mask >>= 1 {
		exp--
	}
	mantissa := (s >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mantissa)
}

// ULawToLinear decodes one μ-law code to a 16-bit linear sample.
func ULawToLinear(code byte) int16 {
	u := ^code
	exp := int(u>>4) & 0x07
	mantissa := int(u & 0x0F)
	s := ((mantissa<<3)+ulawBias)<<exp - ulawBias
	if u&0x80 != 0 {
		return int16(-s)
	}
	return int16(s)
}

// LinearToALaw encodes one 16-bit linear sample as A-law.
func LinearToALaw(sample int16) byte {
	s := int(sample) >> 3 // A-law works on 13-bit magnitudes
	mask := byte(0xD5)    // sign bit set for positive values, even bits inverted
	if s < 0 {
		mask = 0x55
		s = -s - 1
	}
	// Segment ends of the 13-bit magnitude: 0x1F, 0x3F, ..., 0xFFF.
	seg := 0
	for end := 0x1F; seg < 8 && s > end; end = end<<1 | 1 {
		seg++
	}
	if seg >= 8 {
		return 0x7F ^ mask
	}
	var a int
	if seg < 2 {
		a = (s >> 1) & 0x0F
	} else {
		a = (s >> seg) & 0x0F
	}
	return byte(seg<<4|a) ^ mask
}

// ALawToLinear decodes one A-law code to a 16-bit linear sample.
func ALawToLinear(code byte) int16 {
	a := code ^ 0x55
	t := int(a&0x0F)<<4 + 8 // the middle of the quantization step
	seg := int(a&0x70) >> 4
	if seg > 0 {
		t = (t + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// EncodeULaw appends the μ-law codes of pcm to dst and returns the result.
func EncodeULaw(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, LinearToULaw(s))
	}
	return dst
}

// DecodeULaw appends the linear samples of μ-law codes to dst and returns
// the result.
func DecodeULaw(dst []int16, codes []byte) []int16 {
	for _, c := range codes {
		dst = append(dst, ULawToLinear(c))
	}
	return dst
}

// EncodeALaw appends the A-law codes of pcm to dst and returns the result.
func EncodeALaw(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, LinearToALaw(s))
	}
	return dst
}

// DecodeALaw appends the linear samples of A-law codes to dst and returns
// the result.
func DecodeALaw(dst []int16, codes []byte) []int16 {
	for _, c := range codes {
		dst = append(dst, ALawToLinear(c))
	}
	return dst
}

// Silence codes: what a zero sample encodes to.
const (
	ULawSilence byte = 0xFF
	ALawSilence byte = 0xD5
)
