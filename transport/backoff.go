package transport

import "time"

// backoffBounds returns the range a reconnection delay is drawn from after
// the n-th consecutive failed round (n >= 1): from min up to
// min·2^(n-1), capped at max. With JsSIP's defaults (2 s, 30 s) that is
// 2 s, then 2–4 s, 2–8 s, 2–16 s, and 2–30 s from the fifth round on, the
// ranges JsSIP's own formula gives.
func backoffBounds(n int, min, max time.Duration) (lo, hi time.Duration) {
	hi = min
	for i := 1; i < n && hi < max; i++ {
		hi *= 2
	}
	if hi > max {
		hi = max
	}
	return min, hi
}

// backoff draws the delay after the n-th failed round uniformly from
// backoffBounds; randN(k) must return a number in [0, k).
func backoff(n int, min, max time.Duration, randN func(int64) int64) time.Duration {
	lo, hi := backoffBounds(n, min, max)
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(randN(int64(hi-lo)+1))
}
