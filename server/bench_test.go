//go:build !js

package server_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// benchClients is the number of clients registering at once.
var benchClients = envInt("BENCH_CLIENTS", 32)

// rawRegister returns a REGISTER for a new user from a client whose
// sent-by is host.
func rawRegister(host, transportName, user string, cseq int) []byte {
	return []byte("REGISTER sip:example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/" + transportName + " " + host + ";rport;branch=" + sip.NewBranch() + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:" + user + "@example.com>;tag=" + user + "\r\n" +
		"To: <sip:" + user + "@example.com>\r\n" +
		"Call-ID: " + user + "\r\n" +
		"CSeq: " + strconv.Itoa(cseq) + " REGISTER\r\n" +
		"Contact: <sip:" + user + "@" + host + ";transport=" + transportName + ">;expires=3600\r\n" +
		"Content-Length: 0\r\n\r\n")
}

// check200 fails unless data is a 200.
func check200(b *testing.B, data []byte) {
	m, err := sip.Parse(data)
	if err != nil {
		b.Error(err)
		return
	}
	if r, ok := m.(*sip.Response); !ok || r.StatusCode != 200 {
		b.Errorf("REGISTER: %s", m.StartLine())
	}
}

// heap returns the live heap after a collection.
func heap() uint64 {
	h, _ := memory()
	return h
}

// memory returns the live heap after a collection, and the bytes of
// goroutine stacks.
func memory() (heap, stacks uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.StackInuse
}

// BenchmarkRegister registers b.N distinct users through the real
// listeners, benchClients clients at a time, each waiting for its 200
// before the next REGISTER. It reports registrations per second and, over
// WebSocket (where no transaction outlives its response), the heap that
// each new binding keeps.
func BenchmarkRegister(b *testing.B) {
	b.Run("ws", func(b *testing.B) {
		s := startServer(b, server.Config{})
		ctx := context.Background()
		socks := make([]*transport.WebSocket, benchClients)
		for i := range socks {
			ws, err := transport.NewWebSocket("ws://"+s.Addrs().WS.String(), &transport.WebSocketOptions{Logger: testLogger()})
			if err != nil {
				b.Fatal(err)
			}
			if err := ws.Dial(ctx); err != nil {
				b.Fatal(err)
			}
			defer ws.Close()
			socks[i] = ws
		}
		// Warm up: one registration per client.
		for i, ws := range socks {
			host, _ := ws.SentBy()
			ws.Send(ctx, rawRegister(host, "WS", fmt.Sprintf("warm%d", i), 1))
			data, err := ws.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			check200(b, data)
		}
		before := heap()
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for i, ws := range socks {
			n := b.N / benchClients
			if i < b.N%benchClients {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				host, _ := ws.SentBy()
				for j := range n {
					if err := ws.Send(ctx, rawRegister(host, "WS", fmt.Sprintf("c%du%d", i, j), 1)); err != nil {
						b.Error(err)
						return
					}
					data, err := ws.Read(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					check200(b, data)
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		after := heap()
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "regs/s")
		if after > before {
			b.ReportMetric(float64(after-before)/float64(b.N), "B/binding")
		}
	})
	b.Run("udp", func(b *testing.B) {
		s := startServer(b, server.Config{})
		conns := make([]*net.UDPConn, benchClients)
		for i := range conns {
			c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.Addrs().UDP))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			conns[i] = c
		}
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for i, c := range conns {
			n := b.N / benchClients
			if i < b.N%benchClients {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				host := c.LocalAddr().String()
				buf := make([]byte, 65536)
				for j := range n {
					msg := rawRegister(host, "UDP", fmt.Sprintf("c%du%d", i, j), 1)
					// Retransmit as Timer E would, at a fixed 500 ms.
					for try := 0; ; try++ {
						if try == 10 {
							b.Error("no answer to a REGISTER")
							return
						}
						if _, err := c.Write(msg); err != nil {
							b.Error(err)
							return
						}
						c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
						k, err := c.Read(buf)
						if err == nil {
							check200(b, buf[:k])
							break
						}
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "regs/s")
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkConnections opens b.N WebSocket connections, one after the
// other, and registers one user on each; it reports the heap each
// connection with its binding keeps, client and server ends together
// since both are in this process.
func BenchmarkConnections(b *testing.B) {
	s := startServer(b, server.Config{})
	ctx := context.Background()
	before, stacksBefore := memory()
	goroutines := runtime.NumGoroutine()
	socks := make([]*transport.WebSocket, 0, b.N)
	defer func() {
		for _, ws := range socks {
			ws.Close()
		}
	}()
	b.ResetTimer()
	for i := range b.N {
		ws, err := transport.NewWebSocket("ws://"+s.Addrs().WS.String(), &transport.WebSocketOptions{Logger: testLogger()})
		if err != nil {
			b.Fatal(err)
		}
		if err := ws.Dial(ctx); err != nil {
			b.Fatal(err)
		}
		socks = append(socks, ws)
		host, _ := ws.SentBy()
		if err := ws.Send(ctx, rawRegister(host, "WS", "user"+strconv.Itoa(i), 1)); err != nil {
			b.Fatal(err)
		}
		data, err := ws.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		check200(b, data)
	}
	b.StopTimer()
	after, stacksAfter := memory()
	b.ReportMetric(float64(after-before)/float64(b.N), "heap-B/conn")
	b.ReportMetric(float64(stacksAfter-stacksBefore)/float64(b.N), "stack-B/conn")
	b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/float64(b.N), "goroutines/conn")
}
