package transaction_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// These tests run the transaction layer against sipp (Debian package
// sip-tester) over UDP and TCP on 127.0.0.1, with minimal socket glue of
// their own: the real transport package is not needed to prove the layer.

// sipp starts sipp with args (plus -m 1 -timeout 10s -trace_err -nostdin)
// and returns a channel that yields its exit error. It is killed on cleanup
// if it is still running.
func sipp(t *testing.T, args ...string) <-chan error {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		t.Fatalf("sipp not found (%v): install it with `apt-get install sip-tester`", err)
	}
	dir := t.TempDir()
	args = append(args, "-m", "1", "-timeout", "10s", "-trace_err", "-nostdin")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting sipp: %v", err)
	}
	done := make(chan error, 1)
	waited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		close(waited)
		done <- err
	}()
	t.Cleanup(func() {
		cancel() // kills sipp if it still runs
		<-waited
		if t.Failed() {
			logs, _ := filepath.Glob(filepath.Join(dir, "*errors.log"))
			for _, l := range logs {
				b, _ := os.ReadFile(l)
				t.Logf("%s:\n%s", filepath.Base(l), b)
			}
			tail := out.Bytes()
			if len(tail) > 4000 {
				tail = tail[len(tail)-4000:]
			}
			t.Logf("sipp %v output (tail):\n%s", args, tail)
		}
	})
	return done
}

// waitSipp waits for sipp to exit and fails unless its status is 0 (every
// call succeeded).
func waitSipp(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sipp failed: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("sipp did not exit")
	}
}

// freePort returns a port that was free on 127.0.0.1 for network.
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// streamSender writes each message to one TCP connection.
type streamSender struct {
	mu   sync.Mutex
	conn net.Conn
}

func (s *streamSender) set(c net.Conn) {
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
}

func (s *streamSender) Send(msg sip.Message, dest transaction.Addr) error {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return errors.New("no connection")
	}
	_, err := c.Write(msg.Bytes())
	return err
}

// readStream frames messages on conn by Content-Length and hands them to
// layer on the loop, until the connection ends.
func readStream(t *testing.T, conn net.Conn, lp *loop, layer *transaction.Layer, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f := sip.NewFramer(conn, sip.Parser{})
		from := conn.RemoteAddr()
		for {
			b, err := f.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					t.Logf("TCP read: %v", err)
				}
				return
			}
			if string(b) == sip.KeepAlivePing || string(b) == sip.KeepAlivePong {
				continue
			}
			m, err := sip.Parse(b)
			if err != nil {
				t.Errorf("unparseable message: %v", err)
				continue
			}
			lp.post(func() { layer.HandleMessage(m, from, true) })
		}
	}()
}

// endpoint is the test's socket glue for one transport: a Sender, where it
// is bound, and a reader that feeds a Layer.
type endpoint struct {
	sender   transaction.Sender
	local    net.Addr
	reliable bool
	via      string // "UDP" or "TCP"
	read     func(layer *transaction.Layer)
	close    func()
}

// clientEndpoint binds a UDP socket, or dials sipp's TCP port (retrying
// while sipp starts).
func clientEndpoint(t *testing.T, network string, port int, lp *loop, wg *sync.WaitGroup) (*endpoint, transaction.Addr) {
	t.Helper()
	if network == "udp" {
		conn := listenUDP(t)
		return &endpoint{
			sender: &udpSender{conn: conn}, local: conn.LocalAddr(), via: "UDP",
			read:  func(l *transaction.Layer) { readUDP(t, conn, lp, l, wg) },
			close: func() { conn.Close() },
		}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	}
	var conn net.Conn
	var err error
	for range 100 { // sipp may still be starting
		if conn, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("dialing sipp: %v", err)
	}
	return &endpoint{
		sender: &streamSender{conn: conn}, local: conn.LocalAddr(), reliable: true, via: "TCP",
		read:  func(l *transaction.Layer) { readStream(t, conn, lp, l, wg) },
		close: func() { conn.Close() },
	}, conn.RemoteAddr()
}

// A Ringo INVITE client transaction, the ACK for the 200, and a BYE
// (non-INVITE client transaction) against `sipp -sn uas`.
func TestSippUAS(t *testing.T) {
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			port := freePort(t, network)
			mode := map[string]string{"udp": "u1", "tcp": "t1"}[network]
			done := sipp(t, "-sn", "uas", "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-t", mode)

			lp := newLoop(t)
			var wg sync.WaitGroup
			ep, dest := clientEndpoint(t, network, port, lp, &wg)
			layer, err := transaction.NewLayer(transaction.Config{Sender: ep.sender, Handler: transaction.HandlerFuncs{}, Post: lp.post})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				lp.do(layer.Close)
				ep.close()
				wg.Wait()
			})
			ep.read(layer)

			result := make(chan string, 4)
			via := fmt.Sprintf("SIP/2.0/%s %s", ep.via, ep.local)
			inv := newRequest("INVITE", 1)
			inv.URI = sip.URI{Scheme: "sip", User: "service", Host: "127.0.0.1", Port: port}
			inv.Header().Set("Via", via)
			inv.Header().Set("Contact", fmt.Sprintf("<sip:ringo@%s>", ep.local))
			bye := transaction.ClientFuncs{
				Response: func(c *transaction.Client, resp *sip.Response) {
					if resp.StatusCode >= 200 {
						result <- fmt.Sprintf("BYE %d", resp.StatusCode)
					}
				},
				Error: func(c *transaction.Client, err error) { result <- "BYE " + err.Error() },
			}
			invite := transaction.ClientFuncs{
				Response: func(c *transaction.Client, resp *sip.Response) {
					if resp.StatusCode < 200 {
						return
					}
					result <- fmt.Sprintf("INVITE %d", resp.StatusCode)
					if !resp.IsSuccess() {
						return
					}
					ack := newACK(c.Request(), resp)
					ack.Header().Set("Via", via)
					if err := c.SendACK(ack, dest); err != nil {
						result <- "ACK " + err.Error()
						return
					}
					b := newACK(c.Request(), resp)
					b.Method = "BYE"
					b.Header().Set("Via", via)
					b.Header().Set("CSeq", "2 BYE")
					if _, err := layer.Request(b, dest, ep.reliable, bye); err != nil {
						result <- "BYE " + err.Error()
					}
				},
				Error: func(c *transaction.Client, err error) { result <- "INVITE " + err.Error() },
			}
			var reqErr error
			lp.do(func() { _, reqErr = layer.Request(inv, dest, ep.reliable, invite) })
			if reqErr != nil {
				t.Fatal(reqErr)
			}
			for _, want := range []string{"INVITE 200", "BYE 200"} {
				select {
				case got := <-result:
					if got != want {
						t.Fatalf("got %q, want %q", got, want)
					}
				case <-time.After(15 * time.Second):
					t.Fatalf("waiting for %q", want)
				}
			}
			waitSipp(t, done)
		})
	}
}

// serverEndpoint binds a UDP socket, or listens on TCP and serves the first
// connection, for a Ringo server.
func serverEndpoint(t *testing.T, network string, lp *loop, wg *sync.WaitGroup) *endpoint {
	t.Helper()
	if network == "udp" {
		conn := listenUDP(t)
		return &endpoint{
			sender: &udpSender{conn: conn}, local: conn.LocalAddr(), via: "UDP",
			read:  func(l *transaction.Layer) { readUDP(t, conn, lp, l, wg) },
			close: func() { conn.Close() },
		}
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &streamSender{}
	var mu sync.Mutex
	var conns []net.Conn
	return &endpoint{
		sender: s, local: ln.Addr(), reliable: true, via: "TCP",
		read: func(l *transaction.Layer) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, conn)
				mu.Unlock()
				s.set(conn)
				readStream(t, conn, lp, l, wg)
			}()
		},
		close: func() {
			ln.Close()
			mu.Lock()
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
		},
	}
}

// sipp's UAC (`sipp -sn uac`: INVITE, ACK, BYE) against Ringo server
// transactions that answer 180 and 200 to the INVITE and 200 to the BYE.
func TestSippUAC(t *testing.T) {
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			lp := newLoop(t)
			var wg sync.WaitGroup
			ep := serverEndpoint(t, network, lp, &wg)
			events := make(chan string, 16)
			handler := transaction.HandlerFuncs{
				Request: func(s *transaction.Server, req *sip.Request) {
					events <- req.Method
					s.SetHandler(transaction.ServerFuncs{
						ACK:   func(*transaction.Server, *sip.Request) { events <- "ACK" },
						Error: func(_ *transaction.Server, err error) { events <- "error " + err.Error() },
					})
					if req.Method == "INVITE" {
						ringing := sip.NewResponse(req, 180, "")
						s.Respond(ringing)
						ok := sip.NewResponse(req, 200, "")
						ok.SetToTag(tagOfResponse(ringing))
						ok.Header().Add("Contact", fmt.Sprintf("<sip:ringo@%s;transport=%s>", ep.local, network))
						s.Respond(ok)
						return
					}
					s.Respond(sip.NewResponse(req, 200, ""))
				},
				Stray: func(m sip.Message, _ transaction.Addr) { events <- "stray " + m.StartLine() },
			}
			layer, err := transaction.NewLayer(transaction.Config{Sender: ep.sender, Handler: handler, Post: lp.post})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				lp.do(layer.Close)
				ep.close()
				wg.Wait()
			})
			ep.read(layer)

			mode := map[string]string{"udp": "u1", "tcp": "t1"}[network]
			done := sipp(t, "-sn", "uac", ep.local.String(), "-i", "127.0.0.1",
				"-p", strconv.Itoa(freePort(t, network)), "-t", mode)
			waitSipp(t, done)
			var got []string
			for len(events) > 0 {
				got = append(got, <-events)
			}
			equalLists(t, "events", got, []string{"INVITE", "ACK", "BYE"})
		})
	}
}
