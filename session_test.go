package ringo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// sdpMedia is a media.Session that only writes and reads SDP: the
// signalling tests need offers and answers, not RTP. Real media is tested
// in media/webrtc and in the interop tests.
type sdpMedia struct {
	mu      sync.Mutex
	dir     media.Direction
	remote  []string
	muted   bool
	onDTMF  func(media.DTMFEvent)
	dtmf    []string
	closed  bool
	version int
}

func (m *sdpMedia) sdp(dir media.Direction) string {
	m.version++
	return fmt.Sprintf("v=0\r\no=- 1 %d IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=%s\r\n", m.version, dir)
}

func (m *sdpMedia) CreateOffer(context.Context, media.OfferOptions) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dir == "" {
		m.dir = media.DirectionSendRecv
	}
	return m.sdp(m.dir), nil
}

func (m *sdpMedia) CreateAnswer(_ context.Context, offer string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remote = append(m.remote, offer)
	return m.sdp(media.DirectionSendRecv.Answer(media.RemoteDirection(offer))), nil
}

func (m *sdpMedia) SetRemoteAnswer(sdp string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !media.HasMedia(sdp) {
		return media.ErrIncompatibleSDP
	}
	m.remote = append(m.remote, sdp)
	return nil
}

func (m *sdpMedia) CancelOffer() error { return nil }
func (m *sdpMedia) SetDirection(d media.Direction) {
	m.mu.Lock()
	m.dir = d
	m.mu.Unlock()
}
func (m *sdpMedia) SetMuted(media.Kind, bool) {}
func (m *sdpMedia) SendDTMF(_ context.Context, tones string, _ media.DTMFOptions) error {
	m.mu.Lock()
	m.dtmf = append(m.dtmf, tones)
	m.mu.Unlock()
	return nil
}
func (m *sdpMedia) OnDTMF(f func(media.DTMFEvent))                    { m.onDTMF = f }
func (m *sdpMedia) OnStateChange(func(media.State))                   {}
func (m *sdpMedia) Stats() media.Stats                                { return media.Stats{} }
func (m *sdpMedia) Close() error                                      { m.mu.Lock(); m.closed = true; m.mu.Unlock(); return nil }
func (m *sdpMedia) NewSession(context.Context) (media.Session, error) { return &sdpMedia{}, nil }

// sdpEngine makes sdpMedia sessions.
type sdpEngine struct{}

func (sdpEngine) NewSession(context.Context) (media.Session, error) { return &sdpMedia{}, nil }

// callLog records a session's events in order.
type callLog struct {
	ch chan string
}

func (l *callLog) handlers() SessionHandlers {
	add := func(s string) { l.ch <- s }
	return SessionHandlers{
		Progress:  func(e ProgressEvent) { add(fmt.Sprintf("progress %s %d", e.Originator, e.Response.StatusCode)) },
		Accepted:  func(e AcceptedEvent) { add("accepted " + string(e.Originator)) },
		Confirmed: func(e ConfirmedEvent) { add("confirmed " + string(e.Originator)) },
		Ended:     func(e EndEvent) { add(fmt.Sprintf("ended %s %s", e.Originator, e.Cause)) },
		Failed:    func(e EndEvent) { add(fmt.Sprintf("failed %s %s", e.Originator, e.Cause)) },
		Hold:      func(e HoldEvent) { add("hold " + string(e.Originator)) },
		Unhold:    func(e HoldEvent) { add("unhold " + string(e.Originator)) },
		NewDTMF:   func(e DTMFEvent) { add(fmt.Sprintf("dtmf %s %c", e.Originator, e.Tone)) },
		NewInfo:   func(e InfoEvent) { add(fmt.Sprintf("info %s %s", e.Originator, e.Body)) },
	}
}

func newCallLog() *callLog { return &callLog{ch: make(chan string, 64)} }

// expect reads the next events and compares them with want, in order.
func (l *callLog) expect(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-l.ch:
			if got != w {
				t.Fatalf("event %q, want %q", got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no event %q", w)
		}
	}
}

// callPair starts the embedded server and two registered UAs on it.
func callPair(t *testing.T) (alice, bob *UA) {
	uas := callUsers(t, "alice", "bob")
	return uas[0], uas[1]
}

// callUsers starts the embedded server and one registered UA per name on
// it, with SDP-only media.
func callUsers(t *testing.T, names ...string) []*UA {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Config{WS: "127.0.0.1:0", UDP: server.Off, TCP: server.Off, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	newUser := func(name string) *UA {
		ws, err := transport.NewWebSocket("ws://"+srv.Addrs().WS.String(), &transport.WebSocketOptions{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		ua, err := NewUA(Config{
			Sockets:        []transport.WeightedSocket{{Socket: ws}},
			URI:            "sip:" + name + "@ringo.test",
			MediaEngine:    sdpEngine{},
			ManualRegister: true,
			Logger:         quiet,
		})
		if err != nil {
			t.Fatal(err)
		}
		start(t, ua)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ua.Register(ctx); err != nil {
			t.Fatalf("%s: register: %v", name, err)
		}
		return ua
	}
	uas := make([]*UA, len(names))
	for i, name := range names {
		uas[i] = newUser(name)
	}
	return uas
}

// answerWith makes bob answer (or reject, or leave ringing) each call.
func answerWith(t *testing.T, ua *UA, log *callLog, action func(*Session)) chan *Session {
	got := make(chan *Session, 4)
	ua.OnNewSession(func(e NewSessionEvent) {
		if e.Originator != Remote {
			return
		}
		e.Session.SetHandlers(log.handlers())
		got <- e.Session
		if action != nil {
			go action(e.Session)
		}
	})
	return got
}

func TestCallAnswerHangup(t *testing.T) {
	alice, bob := callPair(t)
	aLog, bLog := newCallLog(), newCallLog()
	incoming := answerWith(t, bob, bLog, func(s *Session) {
		if err := s.Answer(context.Background(), nil); err != nil {
			t.Errorf("answer: %v", err)
		}
	})
	s, err := alice.Call(context.Background(), "bob", &CallOptions{Handlers: aLog.handlers()})
	if err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "progress remote 180", "accepted remote", "confirmed local")
	bLog.expect(t, "progress local 180", "accepted local", "confirmed remote")
	b := <-incoming
	if !s.IsEstablished() || !b.IsEstablished() || s.StartTime().IsZero() {
		t.Fatalf("states %v / %v", s.State(), b.State())
	}
	if got := b.Remote().URI.User; got != "alice" {
		t.Errorf("callee sees caller %q", got)
	}

	// DTMF by INFO arrives in order; INFO content reaches the app.
	if err := s.SendDTMF(context.Background(), "12#", &DTMFOptions{Transport: DTMFInfo, Gap: 40 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "dtmf local 1", "dtmf local 2", "dtmf local #")
	bLog.expect(t, "dtmf remote 1", "dtmf remote 2", "dtmf remote #")
	if _, err := b.SendInfo(context.Background(), "text/plain", []byte("note")); err != nil {
		t.Fatal(err)
	}
	bLog.expect(t, "info local note")
	aLog.expect(t, "info remote note")

	// Hold and unhold by re-INVITE; the other side sees the remote hold.
	if err := s.Hold(context.Background()); err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "hold local")
	bLog.expect(t, "hold remote")
	if local, _ := s.IsOnHold(); !local {
		t.Error("caller not on hold after Hold")
	}
	if _, remote := b.IsOnHold(); !remote {
		t.Error("callee does not see the remote hold")
	}
	if err := s.Unhold(context.Background()); err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "unhold local")
	bLog.expect(t, "unhold remote")

	if err := s.Terminate(nil); err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "ended local Terminated")
	bLog.expect(t, "ended remote Terminated")
	<-b.Done()
}

func TestCallRejectCancelAndCalleeHangup(t *testing.T) {
	alice, bob := callPair(t)
	tests := []struct {
		name  string
		bob   func(*Session)
		alice func(t *testing.T, s *Session, aLog, bLog *callLog)
	}{
		{"busy", func(s *Session) { s.Terminate(&TerminateOptions{StatusCode: 486}) },
			func(t *testing.T, s *Session, aLog, bLog *callLog) {
				aLog.expect(t, "progress remote 180", "failed remote Busy")
				bLog.expect(t, "progress local 180", "failed local Rejected")
			}},
		{"cancel", nil,
			func(t *testing.T, s *Session, aLog, bLog *callLog) {
				aLog.expect(t, "progress remote 180")
				if err := s.Terminate(nil); err != nil {
					t.Fatal(err)
				}
				aLog.expect(t, "failed local Canceled")
				bLog.expect(t, "progress local 180", "failed remote Canceled")
			}},
		{"callee hangs up", func(s *Session) {
			if err := s.Answer(context.Background(), nil); err != nil {
				t.Error(err)
				return
			}
			for !s.IsEstablished() {
				time.Sleep(10 * time.Millisecond)
			}
			s.Terminate(nil)
		},
			func(t *testing.T, s *Session, aLog, bLog *callLog) {
				aLog.expect(t, "progress remote 180", "accepted remote", "confirmed local", "ended remote Terminated")
				bLog.expect(t, "progress local 180", "accepted local", "confirmed remote", "ended local Terminated")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aLog, bLog := newCallLog(), newCallLog()
			answerWith(t, bob, bLog, tt.bob)
			s, err := alice.Call(context.Background(), "sip:bob@ringo.test", &CallOptions{Handlers: aLog.handlers()})
			if err != nil {
				t.Fatal(err)
			}
			tt.alice(t, s, aLog, bLog)
			select {
			case <-s.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("session not done")
			}
			if !strings.Contains(s.State().String(), "terminated") {
				t.Errorf("state %v", s.State())
			}
		})
	}
}

// TestSessionHooks: the SDP hook rewrites our offer before it is sent, and
// the callee's re-INVITE hook refuses a hold, which fails without ending
// the call (JsSIP would end it).
func TestSessionHooks(t *testing.T) {
	alice, bob := callPair(t)
	aLog, bLog := newCallLog(), newCallLog()
	calleeMedia := &sdpMedia{}
	answerWith(t, bob, bLog, func(s *Session) {
		err := s.Answer(context.Background(), &AnswerOptions{
			Media: calleeMedia,
			Hooks: SessionHooks{Reinvite: func(*sip.Request) int { return 488 }},
		})
		if err != nil {
			t.Error(err)
		}
	})
	s, err := alice.Call(context.Background(), "bob", &CallOptions{
		Handlers: aLog.handlers(),
		Hooks: SessionHooks{SDP: func(e SDPEvent) string {
			if e.Originator == Local && e.Type == "offer" {
				return e.SDP + "a=x-ringo-hook\r\n"
			}
			return e.SDP
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	aLog.expect(t, "progress remote 180", "accepted remote", "confirmed local")
	bLog.expect(t, "progress local 180", "accepted local", "confirmed remote")
	calleeMedia.mu.Lock()
	got := strings.Join(calleeMedia.remote, "")
	calleeMedia.mu.Unlock()
	if !strings.Contains(got, "a=x-ringo-hook") {
		t.Errorf("the callee did not get the hooked offer:\n%s", got)
	}
	err = s.Hold(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 488 {
		t.Fatalf("Hold = %v, want the 488 of the refused re-INVITE", err)
	}
	if local, _ := s.IsOnHold(); local || !s.IsEstablished() {
		t.Fatalf("after a refused hold: on hold %v, state %v; want the call up and not held", local, s.State())
	}
	s.Terminate(nil)
	aLog.expect(t, "ended local Terminated")
}
