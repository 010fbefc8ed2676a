//go:build !js

package server

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// FuzzReceive feeds arbitrary datagrams to a running server as if they
// came over UDP from a loopback peer, with a registered user to route to:
// nothing may panic, and the loop must keep running.
func FuzzReceive(f *testing.F) {
	for _, sub := range []string{"rfc4475", "rfc5118"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "testdata", "torture", sub, "*.dat"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n" +
		"From: <sip:bob@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: r\r\nCSeq: 1 REGISTER\r\n" +
		"Contact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("INVITE sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK2\r\n" +
		"Route: <sip:127.0.0.1;lr>, <sip:x.y@127.0.0.1;lr>\r\nMax-Forwards: 1\r\n" +
		"From: <sip:bob@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: i\r\nCSeq: 1 INVITE\r\n" +
		"Contact: <sip:bob@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("CANCEL sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK2\r\n" +
		"From: <sip:bob@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: i\r\nCSeq: 1 CANCEL\r\n" +
		"Content-Length: 0\r\n\r\n"))

	s, err := New(Config{UDP: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	s.relayTo = func(ip netip.Addr) bool { return ip.IsLoopback() }
	if err := s.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	// A registered user, reached at the discard port.
	peer := flow{u: s.udps[0], addr: netip.MustParseAddrPort("127.0.0.1:9")}
	s.receive([]byte("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKreg\r\n"+
		"From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: reg\r\nCSeq: 1 REGISTER\r\n"+
		"Contact: <sip:alice@127.0.0.1:9>;expires=3600\r\nContent-Length: 0\r\n\r\n"), peer)
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan bool, 1)
		go func() {
			s.receive(data, peer)
			done <- s.call(func() {})
		}()
		select {
		case ok := <-done:
			if !ok {
				t.Fatal("the loop stopped")
			}
		case <-time.After(10 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("hung on %q:\n%s", data, buf[:runtime.Stack(buf, true)])
		}
	})
}
