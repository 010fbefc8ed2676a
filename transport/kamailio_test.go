//go:build unix

package transport

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testpeer"
)

// TestKamailioWebSocket sends an OPTIONS over Ringo's WebSocket socket to
// a real Kamailio with its websocket module, started here by
// internal/testpeer, and expects Kamailio's 200 back on the same connection
// with the Via Kamailio stamped (received, rport). It fails, not skips, when
// Kamailio is missing.
func TestKamailioWebSocket(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	u, err := url.Parse(k.WSURL())
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}

	c := newWS(t, k.WSURL()+"/", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	err = c.Dial(ctx)
	cancel()
	if errors.Is(err, ErrSubprotocol) {
		t.Fatalf("Kamailio refused the sip subprotocol: %v", err)
	}
	if err != nil {
		t.Fatalf("dial Kamailio at %s: %v", k.WSURL(), err)
	}
	t.Cleanup(func() { closeLater(c) })

	req := newOptions(c)
	req.URI.Host, req.URI.Port = "127.0.0.1", port
	if err := c.Send(testCtx(t), req.Bytes()); err != nil {
		t.Fatalf("send OPTIONS: %v", err)
	}
	resp := readResponse(t, c)
	t.Logf("Kamailio answered:\n%s", resp)
	if resp.StatusCode != 200 {
		t.Fatalf("Kamailio answered %q, want 200", resp.StartLine())
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
