package transaction

import (
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
)

// timerID names a transaction timer.
type timerID uint8

const (
	timerA      timerID = iota + 1 // INVITE client: request retransmission
	timerB                         // INVITE client: transaction timeout
	timerD                         // INVITE client: wait for response retransmissions
	timerE                         // non-INVITE client: request retransmission
	timerF                         // non-INVITE client: transaction timeout
	timerG                         // INVITE server: response retransmission (non-2xx, and 2xx per §13.3.1.4)
	timerH                         // INVITE server: wait for ACK
	timerI                         // INVITE server: wait for ACK retransmissions
	timerJ                         // non-INVITE server: wait for request retransmissions
	timerK                         // non-INVITE client: wait for response retransmissions
	timerL                         // INVITE server: Accepted (RFC 6026)
	timerM                         // INVITE client: Accepted (RFC 6026)
	timerTrying                    // INVITE server: send 100 Trying after 200 ms
	timerHold                      // non-INVITE server: hold a 100 back (RFC 4320)
)

var timerNames = [...]string{
	timerA: "A", timerB: "B", timerD: "D", timerE: "E", timerF: "F",
	timerG: "G", timerH: "H", timerI: "I", timerJ: "J", timerK: "K",
	timerL: "L", timerM: "M", timerTrying: "Trying", timerHold: "Hold",
}

func (id timerID) String() string { return timerNames[id] }

// timerOwner is the transaction a txTimer belongs to.
type timerOwner interface {
	onTimer(id timerID)
}

// txTimer is one timer slot of a transaction. A transaction has two: one
// for retransmissions (A, E, G, the 100 Trying delay, the RFC 4320 hold)
// and one for its lifetime (B, D, F, H, I, J, K, L, M).
//
// The clock calls expire on its own goroutine; expire posts fire to the
// loop, where all the state lives. A timer stopped on the loop after the
// clock fired it, but before the loop ran the posted fire, leaves a stale
// fire in the loop's queue: stale counts them so that they are ignored.
// One clock.Timer is created per slot and reused with Reset, so re-arming
// allocates nothing.
type txTimer struct {
	l      *Layer
	owner  timerOwner
	t      clock.Timer
	fireFn func()
	id     timerID
	armed  bool
	stale  int
}

// start arms the slot as timer id, due after d; it replaces whatever the
// slot held.
func (t *txTimer) start(id timerID, d time.Duration) {
	t.stop()
	t.id = id
	t.armed = true
	if t.t == nil {
		t.fireFn = t.fire
		t.t = t.l.clock.AfterFunc(d, t.expire)
		return
	}
	t.t.Reset(d)
}

// stop disarms the slot.
func (t *txTimer) stop() {
	if !t.armed {
		return
	}
	t.armed = false
	if !t.t.Stop() {
		// The clock already fired it; its fire is on its way to the loop.
		t.stale++
	}
}

// expire runs on the clock's goroutine.
func (t *txTimer) expire() {
	if post := t.l.post; post != nil {
		post(t.fireFn)
		return
	}
	t.fire()
}

// fire runs on the loop.
func (t *txTimer) fire() {
	if t.stale > 0 {
		t.stale--
		return
	}
	if !t.armed {
		return
	}
	t.armed = false
	t.owner.onTimer(t.id)
}
