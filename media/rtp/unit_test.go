//go:build !js

package rtp

import (
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestReceptionCounters(t *testing.T) {
	type pkt struct {
		ssrc uint32
		seq  uint16
	}
	for _, c := range []struct {
		name     string
		pkts     []pkt
		fresh    []bool
		received uint64
		lost     int64
	}{
		{"in order", []pkt{{1, 10}, {1, 11}, {1, 12}}, []bool{true, true, true}, 3, 0},
		{"gap", []pkt{{1, 10}, {1, 13}}, []bool{true, true}, 2, 2},
		{"duplicate and late", []pkt{{1, 10}, {1, 12}, {1, 12}, {1, 11}}, []bool{true, true, false, false}, 2, 1},
		{"wrap", []pkt{{1, 65534}, {1, 65535}, {1, 0}, {1, 2}}, []bool{true, true, true, true}, 4, 1},
		{"new SSRC", []pkt{{1, 10}, {1, 12}, {2, 500}, {2, 501}}, []bool{true, true, true, true}, 4, 1},
		{"sequence restart", []pkt{{1, 30000}, {1, 30001}, {1, 5}, {1, 6}}, []bool{true, true, true, true}, 4, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var st sessionStats
			now := time.Unix(0, 0)
			for i, p := range c.pkts {
				now = now.Add(20 * time.Millisecond)
				got := st.received(&rtp.Packet{Header: rtp.Header{SSRC: p.ssrc, SequenceNumber: p.seq, Timestamp: uint32(i) * 160},
					Payload: make([]byte, 160)}, false, now)
				if got != c.fresh[i] {
					t.Errorf("packet %d (%v): fresh %v, want %v", i, p, got, c.fresh[i])
				}
			}
			s := Session{stats: st}
			a := s.Stats().Audio.Received
			if a.Packets != c.received || a.Lost != c.lost || a.Bytes != c.received*160 {
				t.Errorf("received %d (%d bytes), lost %d; want %d, %d", a.Packets, a.Bytes, a.Lost, c.received, c.lost)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	// Packets every 20 ms of timestamps arrive alternately 0 and 10 ms
	// late: each transit difference is 80 units, and the estimate climbs
	// toward it (RFC 3550 §A.8).
	var st sessionStats
	start := time.Unix(0, 0)
	for i := range 200 {
		late := time.Duration(i%2) * 10 * time.Millisecond
		st.received(&rtp.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: uint16(i), Timestamp: uint32(i) * 160}},
			false, start.Add(time.Duration(i)*20*time.Millisecond+late))
	}
	if j := st.rx.jitter; j < 79 || j > 81 {
		t.Errorf("jitter %.2f units, want about 80", j)
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"codecs", Config{Codecs: []string{"pcma"}}, true},
		{"bad codec", Config{Codecs: []string{"G722"}}, false},
		{"unspecified IP", Config{LocalIP: net.IPv4zero}, false},
		{"ports reversed", Config{PortMin: 20000, PortMax: 10000}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(c.cfg)
			if (err == nil) != c.ok {
				t.Fatalf("New: %v", err)
			}
			if err == nil && (e.LocalIP() == nil || e.LocalIP().IsUnspecified()) {
				t.Errorf("LocalIP %v", e.LocalIP())
			}
		})
	}
}

func TestPortRange(t *testing.T) {
	e, err := New(Config{LocalIP: net.IPv4(127, 0, 0, 1), PortMin: 40000, PortMax: 40100})
	if err != nil {
		t.Fatal(err)
	}
	rtpConn, rtcpConn, err := e.listen()
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	defer rtcpConn.Close()
	p := rtpConn.LocalAddr().(*net.UDPAddr).Port
	q := rtcpConn.LocalAddr().(*net.UDPAddr).Port
	if p%2 != 0 || p < 40000 || q != p+1 || q > 40100 {
		t.Errorf("ports %d and %d", p, q)
	}
}
