//go:build !js

package webrtc

import (
	"runtime"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media/audio"
)

// BenchmarkCallSetup measures a call's media set-up on 127.0.0.1: from
// CreateOffer to both sessions connected (ICE and DTLS), then to the first
// audio frame received.
func BenchmarkCallSetup(b *testing.B) {
	var connected, firstAudio time.Duration
	for b.Loop() {
		got := make(chan struct{}, 1)
		sink := audio.SinkFunc(func([]int16) error {
			select {
			case got <- struct{}{}:
			default:
			}
			return nil
		})
		x := newSession(b, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5)})
		y := newSession(b, testConfig(), SessionOptions{AudioSink: sink})
		start := time.Now()
		connect(b, x, y)
		connected += time.Since(start)
		<-got
		firstAudio += time.Since(start)
		x.Close()
		y.Close()
	}
	b.ReportMetric(float64(connected.Milliseconds())/float64(b.N), "ms-to-connected")
	b.ReportMetric(float64(firstAudio.Milliseconds())/float64(b.N), "ms-to-first-audio")
}

// BenchmarkSessionMemory measures the heap and goroutines that one
// connected session with audio flowing both ways holds.
func BenchmarkSessionMemory(b *testing.B) {
	const pairs = 10
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		var all []*Session
		for range pairs {
			x := newSession(b, testConfig(), SessionOptions{AudioSource: audio.NewTone(440, 0.5), AudioSink: &frameCounter{}})
			y := newSession(b, testConfig(), SessionOptions{AudioSource: audio.NewTone(600, 0.5), AudioSink: &frameCounter{}})
			connect(b, x, y)
			all = append(all, x, y)
		}
		time.Sleep(time.Second)
		runtime.GC()
		runtime.ReadMemStats(&after)
		g1 := runtime.NumGoroutine()
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(2*pairs)/1024, "KiB-heap/session")
		b.ReportMetric(float64(g1-g0)/(2*pairs), "goroutines/session")
		for _, s := range all {
			s.Close()
		}
	}
}
