package bench

import (
	"testing"
	"time"
)

// BenchmarkInviteWS and TestInviteWS run whole INVITE transactions
// between two endpoints of one stack over WebSocket on 127.0.0.1: the UAC
// sends the INVITE through its transaction layer, the UAS answers 200, the
// UAC sends the ACK for the 2xx and the UAS receives it. Both endpoints
// live in the test process, so the time, bytes and allocations per
// transaction are those of both sides together, for either stack.

// inFlight is how many transactions are open at a time, so that the rate
// is the pair's throughput rather than one round trip's latency.
const inFlight = 32

// runTimeout bounds a run that has stalled.
const runTimeout = time.Minute

// pair is two endpoints of one stack, connected.
type pair interface {
	// run completes n transactions, inFlight at a time, and returns when
	// the UAS has received the n ACKs.
	run(n, inFlight int) error
	close()
}

var stacks = []struct {
	name string
	new  func() (pair, error)
}{
	{"ringo", func() (pair, error) { return newRingoPair() }},
	{"sipgo", func() (pair, error) { return newSipgoPair() }},
}

// TestInviteWS runs a few transactions through each pair.
func TestInviteWS(t *testing.T) {
	for _, s := range stacks {
		t.Run(s.name, func(t *testing.T) {
			p, err := s.new()
			if err != nil {
				t.Fatal(err)
			}
			defer p.close()
			for _, n := range []int{1, 10, 3 * inFlight} {
				if err := p.run(n, inFlight); err != nil {
					t.Fatalf("%d transactions: %v", n, err)
				}
			}
		})
	}
}

// BenchmarkInviteWS measures INVITE → 200 → ACK transactions with
// inFlight of them open at a time. tx/s is the pair's throughput; B/op
// and allocs/op are per transaction, UAC and UAS together; cpu-µs/op is
// the process's CPU time (user and system: both endpoints, the runtime,
// the kernel's share of the loopback) per transaction, which a busy
// machine disturbs less than the rate.
//
// Both stacks run with their default timers. A Ringo INVITE transaction
// stays in the Accepted state of RFC 6026 for 64*T1 (32 s) after its 2xx,
// longer than a run, so a run does not pay for ending its transactions:
// popping two timers and deleting three map entries per transaction, no
// allocation (transaction.BenchmarkTransaction measures whole lifetimes).
// sipgo ends them at once: the UAC calls Terminate after the ACK, as
// sipgo's own benchmarks do, and its server terminates a transaction over
// a reliable transport when the handler returns. A shorter T1 would let
// Ringo's end within the run, but would also retransmit the 2xx whenever
// a busy machine delays an ACK beyond T1.
func BenchmarkInviteWS(b *testing.B) {
	for _, s := range stacks {
		b.Run(s.name+"/inflight=32", func(b *testing.B) {
			p, err := s.new()
			if err != nil {
				b.Fatal(err)
			}
			defer p.close()
			// Warm up: connect, grow buffers and maps.
			if err := p.run(4*inFlight, inFlight); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			if err := p.run(b.N, inFlight); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
			if cpu > 0 {
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-µs/op")
			}
		})
	}
}
