package testpeer

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BrowserInstallHint is the message a test fails with when Chromium or the
// interop directory's npm packages for it (playwright-core, esbuild) are
// missing.
const BrowserInstallHint = "headless Chromium not installed: apt-get install chromium; cd interop && npm ci"

// DefaultChromium is the Chromium binary the browser harness runs when
// neither BrowserOptions.Chromium nor $RINGO_CHROMIUM names another: the one
// Debian's chromium package installs. Playwright never downloads a browser
// here.
const DefaultChromium = "/usr/bin/chromium"

// BrowserOptions configure StartBrowser.
type BrowserOptions struct {
	// Chromium is the browser binary; empty: $RINGO_CHROMIUM, else
	// DefaultChromium.
	Chromium string

	// Args are extra Chromium switches, after the harness's own (see
	// interop/browser/driver.js).
	Args []string

	// Debug copies the pages' console output to the driver's stderr, which
	// the test log shows if the test failed. Console errors are always
	// copied.
	Debug bool
}

// Browser is a headless Chromium driven by interop/browser/driver.js
// (Node.js and playwright-core), started by StartBrowser. It holds any
// number of BrowserPhones, each a page of its own in a browser context of its
// own, served from a static HTTP server of the driver's on 127.0.0.1.
// Opening a second phone in the same Browser costs a page, not a browser.
type Browser struct {
	t       testing.TB
	p       *NodeProcess
	url     string
	version string
}

// StartBrowser runs interop/browser/driver.js, which bundles JsSIP from
// interop/node_modules with esbuild, serves the phone page and launches
// Chromium with fake audio and video devices; it returns once Chromium runs.
// ctx bounds the driver's life. The driver is stopped in t.Cleanup (phones
// hung up and unregistered, Chromium closed), and its output is in the test
// log if the test failed.
//
// The test fails with BrowserInstallHint when Chromium, node or the npm
// packages are missing; it is never skipped.
func StartBrowser(t testing.TB, ctx context.Context, opts BrowserOptions) *Browser {
	t.Helper()
	root := RepoRoot(t)
	chromium := opts.Chromium
	if chromium == "" {
		chromium = os.Getenv("RINGO_CHROMIUM")
	}
	if chromium == "" {
		chromium = DefaultChromium
	}
	if fi, err := os.Stat(chromium); err != nil || fi.IsDir() {
		t.Fatalf("%s (no browser at %s)", BrowserInstallHint, chromium)
	}
	for _, pkg := range []string{"jssip", "playwright-core", "esbuild"} {
		if _, err := os.Stat(filepath.Join(root, "interop", "node_modules", pkg)); err != nil {
			t.Fatalf("%s (npm package %s missing: %v)", BrowserInstallHint, pkg, err)
		}
	}
	env := map[string]string{
		"RINGO_CHROMIUM": chromium,
		// Playwright makes Chromium's profile under TMPDIR: let it go with
		// the test's temporary directory even if the driver is killed.
		"TMPDIR": t.TempDir(),
	}
	if len(opts.Args) > 0 {
		env["RINGO_CHROMIUM_ARGS"] = strings.Join(opts.Args, " ")
	}
	if opts.Debug {
		env["RINGO_BROWSER_DEBUG"] = "1"
	}
	b := &Browser{t: t, p: startDriver(t, ctx, root, env)}
	ev, err := b.p.take(ctx, `event "started"`, func(ev map[string]any) bool {
		return ev["phone"] == nil && (ev["event"] == "started" || ev["event"] == "error")
	})
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if ev["event"] == "error" {
		t.Fatalf("browser: %v (%s)", ev["message"], BrowserInstallHint)
	}
	b.url, _ = ev["url"].(string)
	b.version, _ = ev["browser_version"].(string)
	return b
}

// startDriver runs `node interop/browser/driver.js` as RunNode runs a
// script, but in a process group of its own and stopped with SIGTERM, so the
// driver can close Chromium (which playwright starts in a group of its own;
// it also exits when the driver dies, as its DevTools pipe closes).
func startDriver(t testing.TB, ctx context.Context, root string, env map[string]string) *NodeProcess {
	t.Helper()
	script := filepath.Join("interop", "browser", "driver.js")
	cmd := exec.Command(lookNode(t), script)
	cmd.Dir = root
	ownGroup(cmd)
	p := startNode(t, cmd, env, "browser/driver.js")
	// ctx ends the driver as exec.CommandContext would, but gently.
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			stop(cmd, p.exited, 5*time.Second)
		case <-p.exited:
		case <-stopped:
		}
	}()
	t.Cleanup(func() {
		close(stopped)
		select {
		case <-p.exited:
		default:
			// End of stdin is "stop": hang up, unregister, close Chromium.
			_ = p.CloseStdin()
			select {
			case <-p.exited:
			case <-time.After(8 * time.Second):
				stop(cmd, p.exited, 2*time.Second)
			}
		}
		if t.Failed() {
			p.mu.Lock()
			lines := strings.Join(p.lines, "\n")
			p.mu.Unlock()
			t.Logf("node %s (exit: %v)\nstdout:\n%s\nstderr:\n%s", p.name, p.waitErr, tail(lines, 64<<10), tail(p.stderr.String(), 32<<10))
		}
	})
	return p
}

// URL returns the base URL of the driver's page server, http://127.0.0.1:PORT.
func (b *Browser) URL() string { return b.url }

// Version returns Chromium's version, as playwright reports it.
func (b *Browser) Version() string { return b.version }

// Driver returns the driver's process, for its stderr or events of its own.
func (b *Browser) Driver() *NodeProcess { return b.p }

// Stop closes every phone (hanging up and unregistering), then Chromium,
// and waits for the driver to exit with status 0; it fails the test if not.
// Call it from the test's goroutine.
func (b *Browser) Stop(ctx context.Context) {
	b.t.Helper()
	b.p.Stop(ctx)
}

// BrowserPhoneOptions configure a BrowserPhone; they become the "open"
// command of interop/browser/driver.js.
type BrowserPhoneOptions struct {
	// Name identifies the phone in the driver's commands and events;
	// empty: the user part of URI. Names are unique within a Browser.
	Name string

	WSURL       string // server to connect to, e.g. Kamailio.WSURL() (required)
	URI         string // the UA's SIP URI, e.g. Kamailio.URI("alice") (required)
	Password    string // digest password; empty: none
	AuthUser    string // authorization user; empty: the URI's user
	DisplayName string

	// NoRegister makes the UA connect without registering; NewPhone then
	// returns once it is connected.
	NoRegister bool

	// RegisterExpires is the registration expiry in seconds; 0: 600.
	RegisterExpires int

	// AutoAnswer answers incoming calls at once, in the page, with audio.
	AutoAnswer bool

	// StatsPoll is how often each session's getStats is read until its
	// first inbound audio packet (the "rtp_started" event); 0: 50 ms.
	StatsPoll time.Duration

	// AllCandidates keeps every ICE candidate in the SDP the phone sends.
	// By default only UDP candidates on 127.0.0.1 are kept, so that media
	// stays on the loopback interface.
	AllCandidates bool

	// Debug turns on JsSIP's debug log in the page (on the driver's stderr
	// with BrowserOptions.Debug).
	Debug bool
}

// BrowserPhone is a JsSIP 3.13 phone in a page of a Browser, driven with
// the commands of interop/browser/driver.js (call, answer, hangup, hold,
// unhold, mute, unmute, dtmf, info, stats, ...). Send fills in the phone's
// name; WaitFor and Expect see only this phone's events. Its methods are
// safe for concurrent use, except Expect, which must be called from the
// test's goroutine.
type BrowserPhone struct {
	b    *Browser
	name string
	uri  string
	ids  atomic.Int64
}

// StartBrowserPhone starts a Browser of its own and opens one phone in it,
// returning once the phone has registered (see Browser.NewPhone). Tests with
// several phones save a Chromium per phone with StartBrowser and NewPhone.
func StartBrowserPhone(t testing.TB, ctx context.Context, opts BrowserPhoneOptions) *BrowserPhone {
	t.Helper()
	return StartBrowser(t, ctx, BrowserOptions{Debug: opts.Debug}).NewPhone(ctx, opts)
}

// NewPhone opens a page with a JsSIP phone configured by opts, and returns
// once it has registered (or connected, with NoRegister); it fails the test
// if registration fails, the page cannot be opened, or ctx ends first. Call
// it from the test's goroutine.
func (b *Browser) NewPhone(ctx context.Context, opts BrowserPhoneOptions) *BrowserPhone {
	t := b.t
	t.Helper()
	if opts.WSURL == "" || opts.URI == "" {
		t.Fatal("testpeer: NewPhone: WSURL and URI are required")
	}
	name := opts.Name
	if name == "" {
		name = uriUser(opts.URI)
	}
	cmd := map[string]any{
		"cmd":           "open",
		"phone":         name,
		"ws_url":        opts.WSURL,
		"uri":           opts.URI,
		"register":      !opts.NoRegister,
		"auto_answer":   opts.AutoAnswer,
		"loopback_only": !opts.AllCandidates,
		"debug":         opts.Debug,
	}
	set := func(k, v string) {
		if v != "" {
			cmd[k] = v
		}
	}
	set("password", opts.Password)
	set("auth_user", opts.AuthUser)
	set("display_name", opts.DisplayName)
	if opts.RegisterExpires > 0 {
		cmd["register_expires"] = opts.RegisterExpires
	}
	if opts.StatsPoll > 0 {
		cmd["stats_poll_ms"] = opts.StatsPoll.Milliseconds()
	}
	if err := b.p.Send(cmd); err != nil {
		t.Fatal(err)
	}
	p := &BrowserPhone{b: b, name: name, uri: opts.URI}
	want := []string{"registered", "registration_failed"}
	if opts.NoRegister {
		want = []string{"connected"}
	}
	ev, err := p.WaitForAny(ctx, want...)
	if err != nil {
		t.Fatalf("browser phone %s: %v", name, err)
	}
	if ev["event"] == "registration_failed" {
		t.Fatalf("browser phone %s: registration failed: %v", name, ev)
	}
	return p
}

// uriUser returns the user part of a SIP URI, or the URI itself if it has
// none.
func uriUser(uri string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(uri, "sips:"), "sip:")
	if i := strings.IndexByte(s, '@'); i > 0 {
		if u, err := url.PathUnescape(s[:i]); err == nil {
			return u
		}
		return s[:i]
	}
	return uri
}

// Name returns the phone's name, the "phone" field of its commands and
// events.
func (p *BrowserPhone) Name() string { return p.name }

// URI returns the phone's SIP URI.
func (p *BrowserPhone) URI() string { return p.uri }

// Send writes cmd, with the phone's name added, to the driver, for example
// {"cmd": "call", "target": "sip:bob@ringo.test"}. Failures come back as
// "error" events, which make WaitFor fail.
func (p *BrowserPhone) Send(cmd map[string]any) error {
	c := maps.Clone(cmd)
	c["phone"] = p.name
	return p.b.p.Send(c)
}

// failure reports whether ev is one of the phone's error events, which end
// any wait for something else.
func failure(ev map[string]any) bool {
	return ev["event"] == "error" || ev["event"] == "page_error"
}

// take is NodeProcess.take for this phone's events, failing when the phone
// reports an error (unless one is what the caller waits for).
func (p *BrowserPhone) take(ctx context.Context, what string, match func(map[string]any) bool) (map[string]any, error) {
	ev, err := p.b.p.take(ctx, fmt.Sprintf("%s of browser phone %s", what, p.name), func(ev map[string]any) bool {
		return ev["phone"] == p.name && (match(ev) || failure(ev))
	})
	if err != nil {
		return nil, err
	}
	if failure(ev) && !match(ev) {
		return nil, fmt.Errorf("browser phone %s: %v while waiting for %s: %v", p.name, ev["event"], what, ev)
	}
	return ev, nil
}

// Next returns the phone's oldest event not yet taken, waiting for one if
// there is none.
func (p *BrowserPhone) Next(ctx context.Context) (map[string]any, error) {
	return p.take(ctx, "the next event", func(map[string]any) bool { return true })
}

// WaitFor returns the phone's oldest event not yet taken whose "event" field
// is event, waiting for one if there is none; other events stay, in order,
// for later calls. An "error" or "page_error" event of the phone ends the
// wait with an error.
func (p *BrowserPhone) WaitFor(ctx context.Context, event string) (map[string]any, error) {
	return p.take(ctx, fmt.Sprintf("event %q", event), func(ev map[string]any) bool { return ev["event"] == event })
}

// WaitForAny is WaitFor for the first of several events.
func (p *BrowserPhone) WaitForAny(ctx context.Context, events ...string) (map[string]any, error) {
	return p.take(ctx, fmt.Sprintf("one of the events %q", events), func(ev map[string]any) bool {
		name, _ := ev["event"].(string)
		return slices.Contains(events, name)
	})
}

// WaitForFunc returns the phone's oldest event not yet taken that match
// accepts, waiting for one if there is none; what names it in errors. An
// "error" or "page_error" event of the phone that match does not accept ends
// the wait with an error.
func (p *BrowserPhone) WaitForFunc(ctx context.Context, what string, match func(ev map[string]any) bool) (map[string]any, error) {
	return p.take(ctx, what, match)
}

// WaitForSession is WaitFor for an event of one session, named by the
// "session" field of its newRTCSession event.
func (p *BrowserPhone) WaitForSession(ctx context.Context, session any, event string) (map[string]any, error) {
	return p.take(ctx, fmt.Sprintf("event %q of session %v", event, session), func(ev map[string]any) bool {
		return ev["event"] == event && ev["session"] == session
	})
}

// Expect is WaitFor that fails the test (t.Fatal) when the event does not
// come. Call it from the test's goroutine.
func (p *BrowserPhone) Expect(ctx context.Context, event string) map[string]any {
	p.b.t.Helper()
	ev, err := p.WaitFor(ctx, event)
	if err != nil {
		p.b.t.Fatal(err)
	}
	return ev
}

// Pending returns the phone's events received but not yet taken, oldest
// first, without taking them.
func (p *BrowserPhone) Pending() []map[string]any {
	var out []map[string]any
	for _, ev := range p.b.p.Pending() {
		if ev["phone"] == p.name {
			out = append(out, ev)
		}
	}
	return out
}

// BrowserStats is what a phone's getStats says about a session's audio.
type BrowserStats struct {
	InboundPackets   int     // inbound-rtp packetsReceived
	InboundBytes     int     // inbound-rtp bytesReceived
	OutboundPackets  int     // outbound-rtp packetsSent
	OutboundBytes    int     // outbound-rtp bytesSent
	AudioLevel       float64 // inbound-rtp audioLevel, 0..1
	SamplesReceived  int     // inbound-rtp totalSamplesReceived (decoded for playout)
	ConcealedSamples int     // inbound-rtp concealedSamples
	AudioEnergy      float64 // inbound-rtp totalAudioEnergy
	PacketsLost      int
	Jitter           float64 // seconds
	Direction        string  // the audio transceiver's current direction: sendrecv, sendonly, ...
	ICEState         string  // iceConnectionState
	SelectedPair     string  // "LOCAL:PORT -> REMOTE:PORT" of the selected candidate pair

	// LocalAddresses and RemoteAddresses are the ICE candidates getStats
	// knows, as "TYPE:PROTOCOL:ADDRESS" (host:udp:127.0.0.1). Chromium
	// leaves a peer-reflexive remote candidate's address empty (prflx:udp:).
	LocalAddresses, RemoteAddresses []string
}

// Stats reads getStats for the phone's current session (or the session
// named by the optional argument) and returns its audio figures.
func (p *BrowserPhone) Stats(ctx context.Context, session ...string) (BrowserStats, error) {
	id := fmt.Sprintf("stats-%d", p.ids.Add(1))
	cmd := map[string]any{"cmd": "stats", "id": id}
	if len(session) > 0 {
		cmd["session"] = session[0]
	}
	if err := p.Send(cmd); err != nil {
		return BrowserStats{}, err
	}
	ev, err := p.take(ctx, "stats "+id, func(ev map[string]any) bool {
		return ev["event"] == "stats" && ev["id"] == id || ev["event"] == "error" && ev["id"] == id
	})
	if err != nil {
		return BrowserStats{}, err
	}
	if ev["event"] == "error" {
		return BrowserStats{}, fmt.Errorf("browser phone %s: stats: %v", p.name, ev["message"])
	}
	return StatsFromEvent(ev), nil
}

// StatsFromEvent reads a "stats" or "rtp_started" event's figures.
func StatsFromEvent(ev map[string]any) BrowserStats {
	num := func(k string) float64 { f, _ := ev[k].(float64); return f }
	str := func(k string) string { s, _ := ev[k].(string); return s }
	strs := func(k string) []string {
		l, _ := ev[k].([]any)
		out := make([]string, 0, len(l))
		for _, v := range l {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return BrowserStats{
		InboundPackets:   int(num("inbound_audio_packets")),
		InboundBytes:     int(num("inbound_audio_bytes")),
		OutboundPackets:  int(num("outbound_audio_packets")),
		OutboundBytes:    int(num("outbound_audio_bytes")),
		AudioLevel:       num("audio_level"),
		SamplesReceived:  int(num("total_samples_received")),
		ConcealedSamples: int(num("concealed_samples")),
		AudioEnergy:      num("total_audio_energy"),
		PacketsLost:      int(num("packets_lost")),
		Jitter:           num("jitter"),
		Direction:        str("direction"),
		ICEState:         str("ice_state"),
		SelectedPair:     str("selected_pair"),
		LocalAddresses:   strs("local_addresses"),
		RemoteAddresses:  strs("remote_addresses"),
	}
}

// Close hangs up the phone's calls, unregisters, and closes its page; it
// fails the test if the driver does not confirm. Call it from the test's
// goroutine.
func (p *BrowserPhone) Close(ctx context.Context) {
	p.b.t.Helper()
	if err := p.b.p.Send(map[string]any{"cmd": "close", "phone": p.name}); err != nil {
		p.b.t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "closed"); err != nil {
		p.b.t.Fatal(err)
	}
}
