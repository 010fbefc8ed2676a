//go:build !js

package server_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
)

// rawUDP is a plain UDP socket to the server, for messages no client
// library would send.
type rawUDP struct {
	t *testing.T
	c *net.UDPConn
}

func dialRaw(t *testing.T, s *server.Server) *rawUDP {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.Addrs().UDP))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawUDP{t: t, c: c}
}

// exchange sends msg and returns the response, or nil if none comes
// within d.
func (r *rawUDP) exchange(msg string, d time.Duration) *sip.Response {
	r.t.Helper()
	if _, err := r.c.Write([]byte(msg)); err != nil {
		r.t.Fatal(err)
	}
	buf := make([]byte, 65536)
	r.c.SetReadDeadline(time.Now().Add(d))
	for {
		n, err := r.c.Read(buf)
		if err != nil {
			return nil
		}
		m, err := sip.Parse(buf[:n])
		if err != nil {
			r.t.Fatalf("unparseable answer: %v\n%s", err, buf[:n])
		}
		if resp, ok := m.(*sip.Response); ok && resp.StatusCode >= 200 && strings.Contains(msg, resp.Header().CallID()) {
			return resp
		}
	}
}

// request builds a request line and headers around the given parts.
func rawRequest(local, startLine, cseq, extra string) string {
	return startLine + "\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + sip.NewTag() + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:mallory@example.com>;tag=1\r\n" +
		"To: <sip:bob@example.com>\r\n" +
		"Call-ID: " + sip.NewCallID() + "\r\n" +
		"CSeq: " + cseq + "\r\n" + extra +
		"Content-Length: 0\r\n\r\n"
}

// Malformed requests get the response sip.ResponseFor gives (400, 416,
// 505), garbage is dropped, and the server keeps working.
func TestBadInput(t *testing.T) {
	s := startServer(t, server.Config{})
	r := dialRaw(t, s)
	local := r.c.LocalAddr().String()
	for _, c := range []struct {
		name, msg string
		code      int
	}{
		{"bad CSeq", rawRequest(local, "MESSAGE sip:bob@example.com SIP/2.0", "banana MESSAGE", ""), 400},
		{"CSeq method", rawRequest(local, "MESSAGE sip:bob@example.com SIP/2.0", "1 INVITE", ""), 400},
		{"version", rawRequest(local, "MESSAGE sip:bob@example.com SIP/7.0", "1 MESSAGE", ""), 505},
		{"scheme", rawRequest(local, "MESSAGE http://example.com/ SIP/2.0", "1 MESSAGE", ""), 416},
		{"Contact", rawRequest(local, "MESSAGE sip:bob@example.com SIP/2.0", "1 MESSAGE", "Contact: <sip:x@[::1\r\n"), 400},
		{"two From", rawRequest(local, "MESSAGE sip:bob@example.com SIP/2.0", "1 MESSAGE", "From: <sip:eve@example.com>;tag=2\r\n"), 400},
		{"Max-Forwards", rawRequest(local, "MESSAGE sip:bob@example.com SIP/2.0", "1 MESSAGE", "Max-Forwards: many\r\n"), 400},
		{"Expires", rawRequest(local, "REGISTER sip:example.com SIP/2.0", "1 REGISTER", "Contact: <sip:bob@127.0.0.1>;expires=x\r\nExpires: soon\r\n"), 0},
	} {
		resp := r.exchange(c.msg, time.Second)
		switch {
		case resp == nil:
			t.Errorf("%s: no response", c.name)
		case c.code != 0 && resp.StatusCode != c.code:
			t.Errorf("%s: %s, want %d", c.name, resp.StartLine(), c.code)
		}
	}
	for _, junk := range []string{"hello", "\x00\x01\x02", "SIP/2.0 200 OK\r\n\r\n", "INVITE\r\n\r\n"} {
		if resp := r.exchange(junk, 50*time.Millisecond); resp != nil {
			t.Errorf("answer to junk %q: %s", junk, resp.StartLine())
		}
	}
	ping := rawRequest(local, "OPTIONS sip:"+s.Addrs().UDP.String()+" SIP/2.0", "1 OPTIONS", "")
	if resp := r.exchange(ping, time.Second); resp == nil || resp.StatusCode != 200 {
		t.Fatalf("OPTIONS after bad input: %v", resp)
	}
}

// Every RFC 4475 and RFC 5118 torture message is sent to the server; it
// answers or drops each and still works afterwards.
func TestTorture(t *testing.T) {
	s := startServer(t, server.Config{})
	r := dialRaw(t, s)
	dir := filepath.Join("..", "..", "shared", "testdata", "torture")
	var files []string
	for _, sub := range []string{"rfc4475", "rfc5118"} {
		fs, err := filepath.Glob(filepath.Join(dir, sub, "*.dat"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatalf("no torture messages in %s (the shared test data)", dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Answers go to the Via of the message, not to us: only check
		// that the server survives.
		if _, err := r.c.Write(data); err != nil && !strings.Contains(err.Error(), "message too long") {
			t.Fatal(err)
		}
	}
	local := r.c.LocalAddr().String()
	ping := rawRequest(local, "OPTIONS sip:"+s.Addrs().UDP.String()+" SIP/2.0", "1 OPTIONS", "")
	if resp := r.exchange(ping, 2*time.Second); resp == nil || resp.StatusCode != 200 {
		t.Fatalf("OPTIONS after the torture messages: %v", resp)
	}
}
