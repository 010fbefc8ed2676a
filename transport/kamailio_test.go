//go:build unix

package transport

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// kamailioHint says how to get what the interop test needs.
const kamailioHint = "install Kamailio and its WebSocket module: " +
	"apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules (.ci/run does)"

// TestKamailioWebSocket sends an OPTIONS over Ringo's WebSocket socket to
// a real Kamailio with its websocket module, started here, and expects
// Kamailio's 200 back on the same connection with the Via Kamailio
// stamped (received, rport). It fails, not skips, when Kamailio is
// missing.
func TestKamailioWebSocket(t *testing.T) {
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		// Debian puts it in /usr/sbin, which a user's PATH may lack.
		for _, p := range []string{"/usr/sbin/kamailio", "/usr/local/sbin/kamailio"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		t.Fatalf("kamailio not found (%v): %s", err, kamailioHint)
	}
	port := freeTCPPort(t)
	logs, exited := startKamailio(t, bin, port)

	url := "ws://127.0.0.1:" + strconv.Itoa(port) + "/"
	c := newWS(t, url, nil)
	waitDial(t, c, logs, exited)
	t.Cleanup(func() { closeLater(c) })

	req := newOptions(c)
	req.URI.Host, req.URI.Port = "127.0.0.1", port
	if err := c.Send(testCtx(t), req.Bytes()); err != nil {
		t.Fatalf("send OPTIONS: %v\nkamailio log:\n%s", err, logs)
	}
	resp := readResponse(t, c)
	t.Logf("Kamailio answered:\n%s", resp)
	if resp.StatusCode != 200 {
		t.Fatalf("Kamailio answered %q, want 200\nkamailio log:\n%s", resp.StartLine(), logs)
	}
	via, err := resp.Header().TopVia()
	if err != nil {
		t.Fatal(err)
	}
	host, _ := c.SentBy()
	if via.Transport != "WS" || via.Host != host || via.Received() != "127.0.0.1" {
		t.Errorf("Via in Kamailio's 200: %q", via.String())
	}
	if rp, _ := via.RPort(); rp == 0 {
		t.Errorf("Kamailio did not fill rport: %q", via.String())
	}
	if resp.Header().CallID() != req.Header().CallID() {
		t.Errorf("Call-ID %q, sent %q", resp.Header().CallID(), req.Header().CallID())
	}

	// Kamailio answers WebSocket pings, which a concurrent Read receives.
	go func() {
		for {
			if _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	if err := c.Ping(testCtx(t)); err != nil {
		t.Errorf("ping Kamailio: %v", err)
	}
}

// startKamailio writes the configuration from testdata/kamailio.cfg into
// a temporary directory and starts Kamailio in the foreground, killed when
// the test ends. It returns Kamailio's log and a channel that reports its
// exit.
func startKamailio(t *testing.T, bin string, port int) (*syncBuffer, <-chan error) {
	t.Helper()
	dir := t.TempDir()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "kamailio.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg bytes.Buffer
	if err := tmpl.Execute(&cfg, struct {
		RunDir string
		Port   int
	}{dir, port}); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfgPath, cfg.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	logs := &syncBuffer{}
	cmd := exec.Command(bin, "-DD", "-E", "-m", "64", "-M", "16", "-f", cfgPath)
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group, so that its worker processes go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kamailio: %v: %s", err, kamailioHint)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("kamailio log:\n%s", logs)
		}
	})
	return logs, exited
}

// waitDial dials c until Kamailio listens, failing with its log if it
// exits or does not come up within 15 s.
func waitDial(t *testing.T, c *WebSocket, logs *syncBuffer, exited <-chan error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	retry := time.NewTicker(50 * time.Millisecond)
	defer retry.Stop()
	for {
		dctx, dcancel := context.WithTimeout(ctx, 2*time.Second)
		err := c.Dial(dctx)
		dcancel()
		if err == nil {
			return
		}
		if errors.Is(err, ErrSubprotocol) {
			t.Fatalf("Kamailio refused the sip subprotocol: %v", err)
		}
		select {
		case werr := <-exited:
			hint := ""
			if strings.Contains(logs.String(), "websocket") || strings.Contains(logs.String(), "could not find module") {
				hint = "\n" + kamailioHint
			}
			t.Fatalf("kamailio exited before accepting connections (%v):\n%s%s", werr, logs, hint)
		case <-ctx.Done():
			t.Fatalf("kamailio did not accept a WebSocket connection within 15 s; last error: %v\n%s", err, logs)
		case <-retry.C:
		}
	}
}

// freeTCPPort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a writing process and a reading
// test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
