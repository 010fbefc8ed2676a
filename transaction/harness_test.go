package transaction_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/clock"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// addr is an Addr for tests.
type addr string

func (a addr) Network() string { return "test" }
func (a addr) String() string  { return string(a) }

const (
	peer = addr("192.0.2.9:5060")
	ms   = time.Millisecond
	sec  = time.Second
)

// sent is one message the layer passed to its Sender.
type sent struct {
	at   time.Duration // since the start of the test
	dest string
	data string // the bytes that went out
	msg  sip.Message
}

// env is a Layer on a fake clock that records what it sends and every event
// it reports, with the fake clock's time.
type env struct {
	t      *testing.T
	clk    *clock.Fake
	start  time.Time
	l      *transaction.Layer
	sent   []sent
	events []string
	// sendErr, if set, makes every Send fail.
	sendErr error
	// onRequest runs inside Handler.HandleRequest after the event is
	// recorded.
	onRequest func(s *transaction.Server, req *sip.Request)
	servers   []*transaction.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.clk = clock.NewFake(e.start)
	l, err := transaction.NewLayer(transaction.Config{
		Sender:  transaction.SenderFunc(e.send),
		Handler: transaction.HandlerFuncs{Request: e.request, Stray: e.stray},
		Clock:   e.clk,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
	t.Cleanup(l.Close)
	return e
}

func (e *env) now() time.Duration { return e.clk.Now().Sub(e.start) }

func (e *env) send(msg sip.Message, dest transaction.Addr) error {
	if e.sendErr != nil {
		return e.sendErr
	}
	e.sent = append(e.sent, sent{at: e.now(), dest: dest.String(), data: string(msg.Bytes()), msg: msg})
	return nil
}

func (e *env) logf(format string, args ...any) {
	e.events = append(e.events, fmt.Sprintf("%v ", e.now())+fmt.Sprintf(format, args...))
}

func (e *env) request(s *transaction.Server, req *sip.Request) {
	e.logf("request %s", req.Method)
	e.servers = append(e.servers, s)
	s.SetHandler(e.serverHandler())
	if e.onRequest != nil {
		e.onRequest(s, req)
	}
}

func (e *env) stray(msg sip.Message, src transaction.Addr) {
	e.logf("stray %s", strings.SplitN(msg.StartLine(), " ", 2)[0]+" "+summary(msg))
}

func summary(msg sip.Message) string {
	switch m := msg.(type) {
	case *sip.Response:
		return fmt.Sprint(m.StatusCode)
	case *sip.Request:
		return m.Method
	}
	return "?"
}

func (e *env) clientHandler() transaction.ClientHandler {
	return transaction.ClientFuncs{
		Response:   func(c *transaction.Client, resp *sip.Response) { e.logf("response %d", resp.StatusCode) },
		Error:      func(c *transaction.Client, err error) { e.logf("error %s", describe(err)) },
		Terminated: func(c *transaction.Client) { e.logf("terminated %s", c.Request().Method) },
	}
}

func (e *env) serverHandler() transaction.ServerHandler {
	return transaction.ServerFuncs{
		ACK:        func(s *transaction.Server, ack *sip.Request) { e.logf("ack") },
		Error:      func(s *transaction.Server, err error) { e.logf("error %s", describe(err)) },
		Terminated: func(s *transaction.Server) { e.logf("terminated %s", s.Request().Method) },
	}
}

// describe renders a transaction error as "timeout B 408",
// "no-ack H 408" or "transport 503".
func describe(err error) string {
	var te *transaction.Error
	if !errors.As(err, &te) {
		return "unexpected " + err.Error()
	}
	switch {
	case errors.Is(err, transaction.ErrNoACK):
		return fmt.Sprintf("no-ack %s %d", te.Timer, te.StatusCode)
	case errors.Is(err, transaction.ErrTimeout):
		return fmt.Sprintf("timeout %s %d", te.Timer, te.StatusCode)
	case errors.Is(err, transaction.ErrTransport):
		return fmt.Sprintf("transport %d", te.StatusCode)
	}
	return "unknown " + err.Error()
}

// advanceTo moves the fake clock to d after the start, firing timers on
// the way.
func (e *env) advanceTo(d time.Duration) {
	e.t.Helper()
	if now := e.now(); d < now {
		e.t.Fatalf("advanceTo(%v) but the clock is at %v", d, now)
	} else {
		e.clk.Advance(d - now)
	}
}

// runOut fires every pending timer.
func (e *env) runOut() {
	for {
		d, ok := e.clk.Next()
		if !ok {
			return
		}
		e.clk.Advance(d)
	}
}

// sends returns "time start-line" for every message sent from index from.
func (e *env) sends() []string {
	out := make([]string, len(e.sent))
	for i, s := range e.sent {
		out[i] = fmt.Sprintf("%v %s", s.at, s.msg.StartLine())
	}
	return out
}

// checkRetransmissions fails unless every message with the same start line
// and CSeq went out with exactly the same bytes as the first one did.
func (e *env) checkRetransmissions() {
	e.t.Helper()
	first := map[string]string{}
	for _, s := range e.sent {
		k := s.msg.StartLine() + "|" + s.msg.Header().Get("CSeq") + "|" + s.msg.Header().Get("To")
		if f, ok := first[k]; ok && f != s.data {
			e.t.Errorf("retransmission at %v differs from the first send:\n%s\nfirst:\n%s", s.at, s.data, f)
		} else if !ok {
			first[k] = s.data
		}
	}
}

func equalLists(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// msg parses a message written with \n line ends.
func msg(t testing.TB, s string) sip.Message {
	t.Helper()
	s = strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n")
	m, err := sip.Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, s)
	}
	return m
}

func request(t testing.TB, method, branch string) *sip.Request {
	t.Helper()
	return msg(t, fmt.Sprintf(`
%[1]s sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=%[2]s
Max-Forwards: 70
Route: <sip:proxy.example.com;lr>
From: Alice <sip:alice@example.com>;tag=a1
To: Bob <sip:bob@example.com>
Call-ID: call-1@192.0.2.1
CSeq: 1 %[1]s
Contact: <sip:alice@192.0.2.1>
Content-Length: 0

`, method, branch)).(*sip.Request)
}

// response builds a response to req with a fixed To tag.
func response(req *sip.Request, code int, toTag string) *sip.Response {
	resp := sip.NewResponse(req, code, "")
	if code > 100 {
		resp.SetToTag(toTag)
	}
	return resp
}

// at schedules f at time d after the start: the table tests' script step.
type step struct {
	at time.Duration
	do func(e *env)
}

func (e *env) run(steps []step) {
	e.t.Helper()
	for _, s := range steps {
		e.advanceTo(s.at)
		s.do(e)
	}
	e.runOut()
}

const (
	inviteLine  = "INVITE sip:bob@example.com SIP/2.0"
	optionsLine = "OPTIONS sip:bob@example.com SIP/2.0"
	ackLine     = "ACK sip:bob@example.com SIP/2.0"
	cancelLine  = "CANCEL sip:bob@example.com SIP/2.0"
)

// at renders the expected sends of one start line at the given times.
func at(line string, times ...time.Duration) []string {
	out := make([]string, len(times))
	for i, d := range times {
		out[i] = fmt.Sprintf("%v %s", d, line)
	}
	return out
}

// join concatenates expectation lists, then sorts them stably by time so
// that a table can list them per message kind.
func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	// Stable insertion sort by the leading duration.
	dur := func(s string) time.Duration {
		d, err := time.ParseDuration(strings.SplitN(s, " ", 2)[0])
		if err != nil {
			panic(s)
		}
		return d
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && dur(out[j-1]) > dur(out[j]); j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out
}

// series returns the times start, start+d1, start+d1+d2, ... for the
// intervals given.
func series(start time.Duration, intervals ...time.Duration) []time.Duration {
	out := []time.Duration{start}
	for _, d := range intervals {
		start += d
		out = append(out, start)
	}
	return out
}

// clientEnv extends env with the client transaction under test.
type clientEnv struct {
	*env
	reliable bool
	c        *transaction.Client
}

func (e *clientEnv) start(method string) func(*env) {
	return func(*env) {
		c, err := e.l.Request(request(e.t, method, "z9hG4bKc1"), peer, e.reliable, e.clientHandler())
		if err != nil {
			e.t.Fatal(err)
		}
		e.c = c
	}
}

// reply injects a response to the client's request.
func (e *clientEnv) reply(code int) func(*env) {
	return func(*env) {
		e.l.HandleMessage(response(e.c.Request(), code, "t1"), peer, e.reliable)
	}
}
