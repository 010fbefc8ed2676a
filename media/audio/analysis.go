package audio

import (
	"math"
	"math/cmplx"
)

// maxAnalysis is the most samples DominantFrequency looks at.
const maxAnalysis = 1 << 16

// DominantFrequency returns the frequency, in Hz, of the strongest
// component of samples taken at rate samples per second, or 0 if there is
// none (too few samples, or silence). It windows the samples (Hann), takes
// an FFT over the next power of two (up to 65536 samples) and refines the
// peak bin by parabolic interpolation, so a one-second tone at 8 kHz is
// placed within a fraction of a hertz. DC is ignored.
func DominantFrequency(samples []int16, rate int) float64 {
	if len(samples) > maxAnalysis {
		samples = samples[:maxAnalysis]
	}
	if len(samples) < 16 || rate <= 0 {
		return 0
	}
	n := 1
	for n < len(samples) {
		n <<= 1
	}
	x := make([]complex128, n)
	mean := 0.0
	for _, s := range samples {
		mean += float64(s)
	}
	mean /= float64(len(samples))
	for i, s := range samples {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(samples)-1))
		x[i] = complex((float64(s)-mean)*w, 0)
	}
	fft(x)
	mag := make([]float64, n/2)
	peak := 1
	for k := 1; k < n/2; k++ {
		mag[k] = cmplx.Abs(x[k])
		if mag[k] > mag[peak] {
			peak = k
		}
	}
	if mag[peak] < 1e-9 {
		return 0
	}
	delta := 0.0
	if peak > 1 && peak < n/2-1 {
		// Parabola through the log magnitudes of the peak and its
		// neighbours; for a Hann window this is nearly exact.
		a, b, c := math.Log(mag[peak-1]+1e-12), math.Log(mag[peak]), math.Log(mag[peak+1]+1e-12)
		if den := a - 2*b + c; den != 0 {
			delta = 0.5 * (a - c) / den
		}
	}
	return (float64(peak) + delta) * float64(rate) / float64(n)
}

// fft transforms x in place; len(x) must be a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ { // bit-reversal permutation
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j |= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := 0; k < size/2; k++ {
				u, v := x[start+k], x[start+k+size/2]*wk
				x[start+k], x[start+k+size/2] = u+v, u-v
				wk *= w
			}
		}
	}
}

// RMS returns the root-mean-square level of samples as a fraction of full
// scale (0 for silence, about 0.707 for a full-scale sine).
func RMS(samples []int16) float64 {
	if len(samples) == 0 {
		return 0
	}
	sum := 0.0
	for _, s := range samples {
		f := float64(s) / 32768
		sum += f * f
	}
	return math.Sqrt(sum / float64(len(samples)))
}

// Active returns the number of samples in the 20 ms frames of samples
// whose RMS level is above threshold (a fraction of full scale): how long
// the recording holds sound rather than silence, in samples.
func Active(samples []int16, threshold float64) int {
	n := 0
	for i := 0; i+FrameSamples <= len(samples); i += FrameSamples {
		if RMS(samples[i:i+FrameSamples]) > threshold {
			n += FrameSamples
		}
	}
	return n
}
