package ringo_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/transport"
)

// answerSDP is what the application answers with in SDP-only mode: the
// UA carries it without any media stack.
const answerSDP = "v=0\r\no=ringo 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

// TestSIPpCallsRingoSDPOnly: sipp's built-in UAC calls a Ringo UA over UDP,
// which answers with the application's own SDP (no pion at all); sipp
// sends ACK, then BYE, and exits 0 only if every step matched.
func TestSIPpCallsRingoSDPOnly(t *testing.T) {
	sippPort := testpeer.FreePort(t, "udp")
	uaPort := testpeer.FreePort(t, "udp")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sock, err := transport.NewUDPSocket("127.0.0.1:"+strconv.Itoa(sippPort), &transport.Options{
		LocalAddr: "127.0.0.1:" + strconv.Itoa(uaPort), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ua, err := ringo.NewUA(ringo.Config{
		Sockets:        []transport.WeightedSocket{{Socket: sock}},
		URI:            "sip:alice@127.0.0.1",
		ManualRegister: true,
		Logger:         quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ua.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer ua.Stop(context.Background())

	static := &media.StaticSession{Answer: answerSDP}
	ended := make(chan ringo.EndEvent, 1)
	ua.OnNewSession(func(e ringo.NewSessionEvent) {
		e.Session.SetHandlers(ringo.SessionHandlers{Ended: func(ev ringo.EndEvent) { ended <- ev }})
		if err := e.Session.Answer(context.Background(), &ringo.AnswerOptions{Media: static}); err != nil {
			t.Errorf("answer: %v", err)
		}
	})

	sipp := testpeer.StartSIPp(t, "-sn", "uac", "-s", "alice", "-m", "1", "-i", "127.0.0.1",
		"-p", strconv.Itoa(sippPort), "-timeout", "15s", "-trace_err", "-trace_msg",
		"127.0.0.1:"+strconv.Itoa(uaPort))
	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	sipp.Check(sctx)

	select {
	case ev := <-ended:
		if ev.Originator != ringo.Remote || ev.Cause != ringo.CauseBye {
			t.Errorf("ended by %s with %s, want remote BYE", ev.Originator, ev.Cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not end after sipp's BYE")
	}
	if got := static.Remote(); len(got) != 1 || !media.HasMedia(got[0]) {
		t.Errorf("the application's session saw remote SDP %q, want sipp's offer", got)
	}
}
