package transaction

import (
	"container/heap"
	"time"
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
// Slots do not own clock timers: an armed slot sits in its Layer's
// deadline heap, and the Layer keeps one clock.Timer set for the earliest
// deadline, as quic-go keeps one timer per connection. Arming and stopping
// a slot therefore allocates nothing, and a stopped slot can never fire.
type txTimer struct {
	l     *Layer
	owner timerOwner
	id    timerID
	when  time.Time
	seq   uint64
	index int // position in l.timers, or -1 when not armed
}

func newTxTimer(l *Layer, owner timerOwner) txTimer {
	return txTimer{l: l, owner: owner, index: -1}
}

// start arms the slot as timer id, due after d; it replaces whatever the
// slot held.
func (t *txTimer) start(id timerID, d time.Duration) {
	l := t.l
	if t.index >= 0 {
		heap.Remove(&l.timers, t.index)
	}
	t.id = id
	t.when = l.clock.Now().Add(d)
	l.timerSeq++
	t.seq = l.timerSeq
	heap.Push(&l.timers, t)
	l.reschedule()
}

// stop disarms the slot. The clock timer is stopped when no slot is left
// armed; otherwise it may wake the loop early once, for nothing.
func (t *txTimer) stop() {
	if t.index >= 0 {
		heap.Remove(&t.l.timers, t.index)
		if len(t.l.timers) == 0 {
			t.l.reschedule()
		}
	}
}

// reschedule makes sure the Layer's clock timer fires no later than the
// earliest deadline, and is stopped when no slot is armed.
func (l *Layer) reschedule() {
	if len(l.timers) == 0 {
		if l.clockTimer != nil && !l.timerAt.IsZero() {
			l.clockTimer.Stop()
		}
		l.timerAt = time.Time{}
		return
	}
	next := l.timers[0].when
	if !l.timerAt.IsZero() && !next.Before(l.timerAt) {
		return // already due at or before next: the wake finds it
	}
	l.timerAt = next
	d := next.Sub(l.clock.Now())
	if l.clockTimer == nil {
		l.fireFn = l.fireTimers
		l.clockTimer = l.clock.AfterFunc(d, l.expire)
		return
	}
	l.clockTimer.Reset(d)
}

// expire runs on the clock's goroutine and hands the wake to the loop.
func (l *Layer) expire() {
	if l.post != nil {
		l.post(l.fireFn)
		return
	}
	l.fireTimers()
}

// fireTimers runs on the loop: it fires every slot that is due, earliest
// first (slots due at the same time in the order they were armed), then
// sets the clock timer for the next deadline. A wake with nothing due
// (the timer was moved after it fired) only does the latter.
func (l *Layer) fireTimers() {
	if l.closed {
		return
	}
	now := l.clock.Now()
	for len(l.timers) > 0 && !l.timers[0].when.After(now) {
		t := heap.Pop(&l.timers).(*txTimer)
		t.owner.onTimer(t.id)
	}
	l.timerAt = time.Time{}
	l.reschedule()
}

// timerHeap is a min-heap of armed slots by deadline, then arming order.
type timerHeap []*txTimer

func (h timerHeap) Len() int { return len(h) }

func (h timerHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if !a.when.Equal(b.when) {
		return a.when.Before(b.when)
	}
	return a.seq < b.seq
}

func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) Push(x any) {
	t := x.(*txTimer)
	t.index = len(*h)
	*h = append(*h, t)
}

func (h *timerHeap) Pop() any {
	old := *h
	n := len(old) - 1
	t := old[n]
	old[n] = nil
	t.index = -1
	*h = old[:n]
	return t
}
