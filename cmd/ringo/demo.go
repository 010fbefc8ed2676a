package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/transport"
)

var demoCommand = &command{
	name:    "demo",
	args:    "[--bob udp|tcp|ws] [-v] [--timeout D]",
	summary: "run a server and two user agents that message and call each other",
	help: `Demo shows Ringo at work with nothing else installed. In one process it
starts the embedded SIP server on free ports of 127.0.0.1, with digest
authentication on, and two user agents: alice, who connects over
WebSocket, and bob, who connects over UDP (or what --bob says). Both
register; alice sends bob a MESSAGE and bob answers with one. Then alice
calls bob with WebRTC audio on 127.0.0.1 (ICE, DTLS-SRTP, G.711) and
plays a 440 Hz tone for two seconds; bob answers and records what he
hears in memory; alice sends the DTMF tones 123# as RFC 4733 events and
hangs up. The demo analyses bob's recording (its dominant frequency, how
long it holds sound, its level) and the tones he received, and both
unregister. It prints a transcript of each step, with its time in
milliseconds since the start. With -v the SIP messages themselves are
logged on standard error.

The exit status is 0 when both messages arrived intact (same body, content
type and sender), bob heard the tone (within 10 Hz of 440 Hz, for at least
1.5 s, at a level above 0.1 of full scale) and received 123# in order; 1
otherwise; and 2 for a wrong command line.
`,
	run: runDemo,
}

// demoDomain is the SIP domain of the demo's users: a name reserved for
// testing (RFC 6761), served by the embedded server.
const demoDomain = "ringo.test"

// The demo's messages hold non-ASCII text, so that "intact" means the
// bytes survived, not only the letters.
const (
	demoToBob   = "Hello Bob, Alice here, over WebSocket. ¿Qué tal? ☎"
	demoToAlice = "Hi Alice! Bob here; got it, loud and clear."
)

// runDemo is the demo command.
func runDemo(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	bobTransport := fs.String("bob", "udp", "transport bob connects over: udp, tcp or ws")
	verbose := fs.Bool("v", false, "log SIP messages on standard error")
	timeout := fs.Duration("timeout", defaultTimeout, "give up after this long")
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 0 {
		return usageError(e, cmd, "want no arguments, got %d", len(pos))
	}
	switch *bobTransport {
	case "udp", "tcp", "ws":
	default:
		return usageError(e, cmd, "--bob %q: want udp, tcp or ws", *bobTransport)
	}
	if *timeout <= 0 {
		return usageError(e, cmd, "--timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(e.ctx, *timeout)
	defer cancel()
	d := &demo{
		t:   &transcript{w: e.stdout, start: time.Now()},
		log: newLogger(e.stderr, *verbose),
		bob: *bobTransport,
	}
	err := d.run(ctx)
	d.shutdown(ctx)
	d.t.blank()
	for _, r := range d.results {
		d.t.text(r)
	}
	if err != nil {
		d.t.text("FAILED: " + err.Error())
		return exitFailure
	}
	return exitOK
}

// demo is one run of the demo: a server and two user agents.
type demo struct {
	t   *transcript
	log *slog.Logger
	bob string // bob's transport

	srv       *server.Server
	alice, bb *demoUA
	call      *demoCall
	// results are the checks passed, for the end of the transcript.
	results []string
}

// demoUA is a user agent of the demo with what it received.
type demoUA struct {
	name   string
	ua     *ringo.UA
	server string // the --server form of what it connects to
	// registered is set once Register succeeded.
	registered bool
	received   chan *ringo.IncomingRequest
}

func (d *demo) run(ctx context.Context) error {
	t := d.t
	t.text("Ringo demo: an embedded SIP server and two user agents in one process.")
	t.blank()
	users := map[string]string{"alice": randomPassword(), "bob": randomPassword()}
	cfg := server.Config{
		WS:     "127.0.0.1:0",
		UDP:    server.Off,
		TCP:    server.Off,
		Domain: demoDomain,
		Users:  users,
		Logger: d.log,
	}
	switch d.bob {
	case "udp":
		cfg.UDP = "127.0.0.1:0"
	case "tcp":
		cfg.TCP = "127.0.0.1:0"
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	d.srv = srv
	ls := listeners(srv.Addrs())
	var where []string
	servers := map[string]string{}
	for _, l := range ls {
		where = append(where, l.server)
		servers[l.transport] = l.server
	}
	t.line("server", "listening on %s; domain %s, digest authentication for alice and bob",
		strings.Join(where, " and "), demoDomain)

	if d.alice, err = d.newUA("alice", servers["ws"], users["alice"]); err != nil {
		return err
	}
	if d.bb, err = d.newUA("bob", servers[d.bob], users["bob"]); err != nil {
		return err
	}
	for _, u := range []*demoUA{d.alice, d.bb} {
		if err := d.connect(ctx, u); err != nil {
			return err
		}
	}
	for _, u := range []*demoUA{d.alice, d.bb} {
		if err := d.register(ctx, u); err != nil {
			return err
		}
	}
	if err := d.send(ctx, d.alice, d.bb, demoToBob); err != nil {
		return err
	}
	if err := d.send(ctx, d.bb, d.alice, demoToAlice); err != nil {
		return err
	}
	d.results = append(d.results, "Both messages arrived intact.")
	if d.call, err = d.newDemoCall(); err != nil {
		return err
	}
	verdict, err := d.call.run(ctx)
	if err != nil {
		return err
	}
	d.results = append(d.results, verdict)
	return nil
}

// newUA makes the user agent of a demo user, connecting to server.
func (d *demo) newUA(name, server, password string) (*demoUA, error) {
	sock, err := transport.NewSocket(server, d.log)
	if err != nil {
		return nil, err
	}
	ua, err := ringo.NewUA(ringo.Config{
		Sockets:          []transport.WeightedSocket{{Socket: sock}},
		URI:              "sip:" + name + "@" + demoDomain,
		Password:         password,
		DisplayName:      strings.ToUpper(name[:1]) + name[1:],
		ManualRegister:   true,
		RegisterRetryMax: -1,
		Logger:           d.log,
	})
	if err != nil {
		return nil, err
	}
	u := &demoUA{name: name, ua: ua, server: server, received: make(chan *ringo.IncomingRequest, 4)}
	ua.OnNewMessage(func(r *ringo.IncomingRequest) {
		from := r.From()
		d.t.line(u.name, "received from %s (%s): %q", from.URI.String(), r.ContentType(), r.Body())
		u.received <- r
	})
	return u, nil
}

func (d *demo) connect(ctx context.Context, u *demoUA) error {
	began := time.Now()
	if err := u.ua.Start(ctx); err != nil {
		return fmt.Errorf("%s could not connect to %s: %w", u.name, u.server, err)
	}
	d.t.line(u.name, "connected to %s in %s", u.server, ms(time.Since(began)))
	return nil
}

func (d *demo) register(ctx context.Context, u *demoUA) error {
	began := time.Now()
	if err := u.ua.Register(ctx); err != nil {
		return fmt.Errorf("%s could not register: %w", u.name, err)
	}
	u.registered = true
	aor := u.ua.URI()
	d.t.line(u.name, "registered %s, with digest authentication, in %s", aor.String(), ms(time.Since(began)))
	return nil
}

// send sends a MESSAGE from one user to the other and checks that it
// arrived as sent.
func (d *demo) send(ctx context.Context, from, to *demoUA, body string) error {
	target := to.ua.URI()
	d.t.line(from.name, "sends MESSAGE to %s (text/plain): %q", target.String(), body)
	began := time.Now()
	resp, err := from.ua.SendMessage(ctx, target.String(), body, nil)
	if err != nil {
		return fmt.Errorf("%s's MESSAGE to %s failed: %w", from.name, to.name, err)
	}
	d.t.line(from.name, "got %d %s in %s", resp.StatusCode, resp.Reason, ms(time.Since(began)))
	select {
	case r := <-to.received:
		sender := r.From()
		want := from.ua.URI()
		switch {
		case string(r.Body()) != body:
			return fmt.Errorf("%s received %q, not %q", to.name, r.Body(), body)
		case r.ContentType() != "text/plain":
			return fmt.Errorf("%s received content type %q, not text/plain", to.name, r.ContentType())
		case sender.URI.User != want.User || !strings.EqualFold(sender.URI.Host, want.Host):
			return fmt.Errorf("%s received a message from %s, not %s", to.name, sender.URI.String(), want.String())
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s never received %s's message: %w", to.name, from.name, ctx.Err())
	}
}

// shutdown unregisters and stops the user agents and closes the server,
// within stopTimeout even when ctx has ended.
func (d *demo) shutdown(ctx context.Context) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
	defer cancel()
	if d.call != nil {
		d.call.shutdown()
	}
	for _, u := range []*demoUA{d.alice, d.bb} {
		if u == nil {
			continue
		}
		if u.registered {
			began := time.Now()
			if err := u.ua.Unregister(sctx, false); err != nil {
				d.t.line(u.name, "could not unregister: %v", err)
			} else {
				d.t.line(u.name, "unregistered in %s", ms(time.Since(began)))
			}
		}
		// As uaSession.stop does: the transactions are answered, and
		// Stop would wait 2 s for those lingering on UDP.
		gctx, cancel := context.WithTimeout(sctx, stopGrace)
		u.ua.Stop(gctx)
		cancel()
	}
	if d.srv != nil {
		d.srv.Close()
		d.t.line("server", "stopped")
	}
}

// transcript writes the demo's lines, each stamped with the time since
// the start. Lines come from the demo and from the user agents' event
// goroutines.
type transcript struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

// line writes one step by who.
func (t *transcript) line(who, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "%9s  %-6s  %s\n", ms(time.Since(t.start)), who, fmt.Sprintf(format, args...))
}

// text writes a line without a time stamp.
func (t *transcript) text(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.w, s+"\n")
}

func (t *transcript) blank() { t.text("") }

// ms formats a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// randomPassword returns a password for a demo user: the demo's server
// accepts no one else.
func randomPassword() string {
	return rand.Text()
}
