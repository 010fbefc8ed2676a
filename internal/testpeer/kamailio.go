package testpeer

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// KamailioInstallHint is the message a test fails with when Kamailio or one of
// the modules the configuration loads is missing.
const KamailioInstallHint = "kamailio not installed: apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules"

// DefaultDomain is the SIP domain (and default digest realm) Kamailio serves
// when KamailioOptions leaves them empty.
const DefaultDomain = "ringo.test"

//go:embed kamailio.cfg.tmpl
var kamailioCfg string

var kamailioTmpl = template.Must(template.New("kamailio.cfg").Option("missingkey=error").Parse(kamailioCfg))

// KamailioOptions configure StartKamailio. The zero value is a registrar and
// proxy for DefaultDomain with no authentication.
type KamailioOptions struct {
	// Users must authenticate with digest: user name to password. A
	// REGISTER whose To user is one of them is challenged with 401, and an
	// initial request whose From is one of them at this proxy's domain with
	// 407 (qop=auth; an expired or reused nonce gets stale=true). Users not
	// listed need no credentials, which is how sipp scenarios register. Nil
	// or empty turns authentication off.
	Users map[string]string

	// Realm of the digest challenges; empty means Domain.
	Realm string

	// Domain is the SIP domain Kamailio treats as its own (an alias with
	// no port); empty means DefaultDomain. Location lookups ignore the
	// domain, so sip:bob@DOMAIN and sip:bob@127.0.0.1:PORT both reach bob.
	Domain string

	// Algorithm of the digest challenges: "" (MD5, no algorithm parameter
	// in the challenge), "MD5" or "SHA-256".
	Algorithm string

	// MinExpires is the registrar's minimum expiry in seconds: 0 keeps
	// Kamailio's default (60), a negative value disables the check.
	MinExpires int

	// RejectBriefExpires answers a REGISTER whose expiry is below
	// MinExpires with 423 Interval Too Brief (and Min-Expires) instead of
	// raising the expiry to the minimum, Kamailio's default.
	RejectBriefExpires bool

	// MaxExpires is the registrar's maximum expiry in seconds; 0 means no
	// maximum.
	MaxExpires int

	// NonceExpire is how long a digest nonce stays valid; 0 means
	// Kamailio's default (300 s). Short values make stale=true testable.
	NonceExpire time.Duration

	// LogLevel is Kamailio's debug level: 0 keeps 2 (info: the
	// configuration logs each request and reply it routes), 3 is debug,
	// negative values are errors and warnings only.
	LogLevel int
}

// Kamailio is a running Kamailio started by StartKamailio. Its methods that
// can fail the test (Start, Stop) must be called from the test's goroutine;
// the accessors may be called from any goroutine.
type Kamailio struct {
	t       testing.TB
	dir     string
	cfgPath string
	data    cfgData
	log     logBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when the current process has exited
}

// cfgData is what kamailio.cfg.tmpl is rendered with.
type cfgData struct {
	RunDir                   string
	UDPPort, TCPPort, WSPort int
	Domain, Realm, Algorithm string
	Auth                     bool
	Users                    []cfgUser
	MinExpires               int
	MinExpiresMode           int
	MaxExpires               int
	NonceExpire              int
	LogLevel                 int
}

type cfgUser struct{ Name, Password string }

var (
	validUser     = regexp.MustCompile(`^[A-Za-z0-9._~+-]+$`)
	validDomain   = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)
	validPassword = regexp.MustCompile(`^[\x20-\x7e]+$`)
)

// StartKamailio writes a kamailio.cfg (from the embedded kamailio.cfg.tmpl)
// into t.TempDir(), starts `kamailio -DD -E -m 512 -M 16 -f CFG` in the
// foreground on free ports of 127.0.0.1 (UDP, TCP, and TCP for WebSocket),
// and returns once it answers an OPTIONS over UDP and accepts TCP
// connections. It is stopped in t.Cleanup, and its log is written to the
// test log if the test failed.
//
// What the configuration does: registrar with usrloc in memory (contacts made
// over TCP or WebSocket are dropped when their connection closes); digest
// auth for opts.Users from an htable, without a database; MESSAGE, OPTIONS,
// INVITE, SUBSCRIBE, NOTIFY and the rest to registered users via
// lookup("location") and t_relay (404 when not found, 484 without a user);
// OPTIONS to the proxy itself answered 200; Record-Route on INVITE, SUBSCRIBE
// and REFER (two of them when the transport changes) and in-dialog requests
// by loose_route; nathelper for clients that cannot be reached at their
// Contact (WebSocket, or Via not matching the source, or TCP):
// fix_nated_register on REGISTER, add_contact_alias on other requests and on
// replies, handle_ruri_alias in dialogs; in-dialog requests without our Route
// (JsSIP's Notifier omits Record-Route in its 200) routed on the R-URI;
// requests for other hosts relayed. JSON-RPC (RPC, Contacts) is served on the
// WebSocket port at /RPC.
//
// The test fails with KamailioInstallHint when kamailio or its modules are
// missing; it is never skipped.
func StartKamailio(t testing.TB, opts KamailioOptions) *Kamailio {
	t.Helper()
	bin := findKamailio()
	if bin == "" {
		t.Fatal(KamailioInstallHint)
	}
	data := cfgFromOptions(t, opts)
	k := &Kamailio{t: t, dir: t.TempDir(), data: data}
	k.data.RunDir = filepath.Join(k.dir, "run")
	if err := os.Mkdir(k.data.RunDir, 0o777); err != nil {
		t.Fatal(err)
	}
	k.cfgPath = filepath.Join(k.dir, "kamailio.cfg")
	t.Cleanup(func() {
		k.stop()
		if t.Failed() {
			t.Logf("kamailio log (%s, %s):\n%s", k.cfgPath, k.WSURL(), tail(k.log.String(), 64<<10))
		}
	})

	// Another process may take a port between our probe and Kamailio's
	// bind: pick new ports and try again.
	for attempt := 1; ; attempt++ {
		k.data.UDPPort, k.data.TCPPort, k.data.WSPort = freePorts(t)
		k.writeCfg()
		err := k.launch(bin)
		if err == nil {
			return k
		}
		log := k.log.String()
		if strings.Contains(log, "could not find module") || strings.Contains(log, "cannot open shared object") ||
			strings.Contains(log, "failed to load module") {
			t.Fatalf("%s (%v; its log follows)", KamailioInstallHint, err)
		}
		if attempt < 3 && strings.Contains(log, "Address already in use") {
			t.Logf("kamailio: a port was taken (%v); retrying on other ports", err)
			continue
		}
		t.Fatalf("kamailio did not start: %v (configuration %s; its log follows)", err, k.cfgPath)
	}
}

// findKamailio returns the kamailio binary's path, looking beyond $PATH in
// the sbin directories a non-root user's PATH may lack.
func findKamailio() string {
	if p, err := exec.LookPath("kamailio"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/kamailio", "/usr/local/sbin/kamailio", "/sbin/kamailio"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

func cfgFromOptions(t testing.TB, opts KamailioOptions) cfgData {
	t.Helper()
	d := cfgData{
		Domain:     opts.Domain,
		Realm:      opts.Realm,
		Algorithm:  opts.Algorithm,
		MinExpires: 60,
		MaxExpires: opts.MaxExpires,
		LogLevel:   2,
	}
	if d.Domain == "" {
		d.Domain = DefaultDomain
	}
	if d.Realm == "" {
		d.Realm = d.Domain
	}
	if !validDomain.MatchString(d.Domain) || !validDomain.MatchString(d.Realm) {
		t.Fatalf("testpeer: KamailioOptions: domain %q / realm %q: letters, digits, dots and dashes only", d.Domain, d.Realm)
	}
	switch d.Algorithm {
	case "", "MD5", "SHA-256":
	default:
		t.Fatalf("testpeer: KamailioOptions.Algorithm %q: Kamailio 5.6 offers MD5 and SHA-256", d.Algorithm)
	}
	switch {
	case opts.MinExpires > 0:
		d.MinExpires = opts.MinExpires
	case opts.MinExpires < 0:
		d.MinExpires = 0
	}
	if opts.RejectBriefExpires {
		d.MinExpiresMode = 1
	}
	if d.MaxExpires < 0 {
		d.MaxExpires = 0
	}
	d.NonceExpire = int(opts.NonceExpire / time.Second)
	if d.NonceExpire <= 0 {
		d.NonceExpire = 300
	}
	switch {
	case opts.LogLevel > 0:
		d.LogLevel = opts.LogLevel
	case opts.LogLevel < 0:
		d.LogLevel = 0
	}
	for name, pw := range opts.Users {
		if !validUser.MatchString(name) {
			t.Fatalf("testpeer: KamailioOptions.Users: user name %q: use letters, digits and ._~+-", name)
		}
		if !validPassword.MatchString(pw) || strings.ContainsAny(pw, `"\`) {
			t.Fatalf("testpeer: KamailioOptions.Users[%q]: the password must be printable ASCII without \" or \\", name)
		}
		d.Users = append(d.Users, cfgUser{name, pw})
	}
	slices.SortFunc(d.Users, func(a, b cfgUser) int { return strings.Compare(a.Name, b.Name) })
	d.Auth = len(d.Users) > 0
	return d
}

func (k *Kamailio) writeCfg() {
	k.t.Helper()
	var b bytes.Buffer
	if err := kamailioTmpl.Execute(&b, k.data); err != nil {
		k.t.Fatalf("testpeer: rendering kamailio.cfg: %v", err)
	}
	if err := os.WriteFile(k.cfgPath, b.Bytes(), 0o644); err != nil {
		k.t.Fatal(err)
	}
}

// launch starts the process and waits until it is ready; on error the
// process is gone.
func (k *Kamailio) launch(bin string) error {
	fmt.Fprintf(&k.log, "==== %s -DD -E -m 512 -M 16 -f %s (udp %d, tcp %d, ws %d)\n",
		bin, k.cfgPath, k.data.UDPPort, k.data.TCPPort, k.data.WSPort)
	cmd := exec.Command(bin, "-DD", "-E", "-m", "512", "-M", "16", "-f", k.cfgPath)
	cmd.Dir = k.dir
	cmd.Stdout, cmd.Stderr = &k.log, &k.log
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(&k.log, "==== kamailio exited: %v\n", err)
		close(exited)
	}()
	k.mu.Lock()
	k.cmd, k.exited = cmd, exited
	k.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := k.waitReady(ctx, exited)
	if err != nil {
		k.stop()
	}
	return err
}

// waitReady polls until Kamailio answers an OPTIONS over UDP and its TCP and
// WebSocket ports accept connections.
func (k *Kamailio) waitReady(ctx context.Context, exited <-chan struct{}) error {
	var last error
	for {
		select {
		case <-exited:
			return errors.New("kamailio exited during start-up")
		default:
		}
		pctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		last = k.Ping(pctx)
		cancel()
		if last == nil {
			for _, addr := range []string{k.TCPAddr(), k.wsAddr()} {
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					last = err
					break
				}
				c.Close()
			}
			if last == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after 15 s: %v", last)
		case <-exited:
			return errors.New("kamailio exited during start-up")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Ping sends one OPTIONS for the proxy itself over UDP and waits for its 200;
// a fault-injection test can use it to see whether Kamailio is up.
func (k *Kamailio) Ping(ctx context.Context) error {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	} else {
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	}
	local := c.LocalAddr().String()
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	msg := "OPTIONS sip:" + k.UDPAddr() + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";rport;branch=z9hG4bK-testpeer-" + id + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:testpeer@" + local + ">;tag=" + id + "\r\n" +
		"To: <sip:" + k.UDPAddr() + ">\r\n" +
		"Call-ID: testpeer-" + id + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	dst, err := net.ResolveUDPAddr("udp", k.UDPAddr())
	if err != nil {
		return err
	}
	if _, err := c.WriteTo([]byte(msg), dst); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	for {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return err
		}
		resp := string(buf[:n])
		if !strings.Contains(resp, id) {
			continue
		}
		if strings.HasPrefix(resp, "SIP/2.0 200 ") {
			return nil
		}
		line, _, _ := strings.Cut(resp, "\r\n")
		return fmt.Errorf("OPTIONS answered %q", line)
	}
}

// Stop stops Kamailio (SIGTERM, then SIGKILL after 3 s) and waits for it to
// exit, as when the server goes away under registered clients. Start brings it
// back on the same ports with an empty location table.
func (k *Kamailio) Stop() {
	k.t.Helper()
	k.stop()
}

func (k *Kamailio) stop() {
	k.mu.Lock()
	cmd, exited := k.cmd, k.exited
	k.cmd = nil
	k.mu.Unlock()
	if cmd != nil {
		stop(cmd, exited, 3*time.Second)
	}
}

// Start starts Kamailio again after Stop, with the same configuration and
// ports, and waits until it is ready. It does nothing if Kamailio runs.
func (k *Kamailio) Start() {
	k.t.Helper()
	k.mu.Lock()
	running := k.cmd != nil
	k.mu.Unlock()
	if running {
		return
	}
	if err := k.launch(findKamailio()); err != nil {
		k.t.Fatalf("kamailio did not restart: %v (its log follows)", err)
	}
}

// WSURL is the WebSocket URL to connect to: ws://127.0.0.1:PORT.
func (k *Kamailio) WSURL() string { return "ws://" + k.wsAddr() }

func (k *Kamailio) wsAddr() string { return hostPort(k.data.WSPort) }

// UDPAddr is Kamailio's UDP address, 127.0.0.1:PORT.
func (k *Kamailio) UDPAddr() string { return hostPort(k.data.UDPPort) }

// TCPAddr is Kamailio's TCP address, 127.0.0.1:PORT.
func (k *Kamailio) TCPAddr() string { return hostPort(k.data.TCPPort) }

// Domain is the SIP domain Kamailio serves (KamailioOptions.Domain or
// DefaultDomain).
func (k *Kamailio) Domain() string { return k.data.Domain }

// Realm is the realm of Kamailio's digest challenges.
func (k *Kamailio) Realm() string { return k.data.Realm }

// URI returns the address-of-record of user in Kamailio's domain:
// sip:USER@DOMAIN.
func (k *Kamailio) URI(user string) string { return "sip:" + user + "@" + k.data.Domain }

// ConfigPath is the path of the rendered kamailio.cfg.
func (k *Kamailio) ConfigPath() string { return k.cfgPath }

// Log returns everything Kamailio wrote so far (it logs to stderr): start-up,
// and a line for each request and reply it routes.
func (k *Kamailio) Log() string { return k.log.String() }

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// freePorts returns a UDP port and two TCP ports that were free on 127.0.0.1.
func freePorts(t testing.TB) (udp, tcp, ws int) {
	t.Helper()
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	var ports [2]int
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return u.LocalAddr().(*net.UDPAddr).Port, ports[0], ports[1]
}

// FreePort returns a port that was free on 127.0.0.1 for network ("udp" or
// "tcp") a moment ago, for a peer that needs a fixed port, such as sipp's -p
// (which takes 0 to mean 5060).
func FreePort(t testing.TB, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	case "tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	t.Fatalf("testpeer: FreePort: network %q: want udp or tcp", network)
	return 0
}
