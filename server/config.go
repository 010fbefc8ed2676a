//go:build !js

package server

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/internal/clock"
)

// Default listening addresses, used when every address of a Config is
// empty: loopback only, so a server started with defaults is not reachable
// from other machines.
const (
	DefaultWS  = "127.0.0.1:8080"
	DefaultUDP = "127.0.0.1:5060"
	DefaultTCP = "127.0.0.1:5060"
)

// Off as a listening address turns that listener off. It is only needed
// to keep the defaults from applying when no address is given at all, for a
// server reached only through Handler.
const Off = "off"

// Default registration intervals.
const (
	// DefaultMinExpires is the shortest registration accepted; a shorter
	// one gets 423 (Interval Too Brief) with Min-Expires.
	DefaultMinExpires = 60 * time.Second
	// DefaultMaxExpires is the longest registration granted; a longer one
	// is shortened to it.
	DefaultMaxExpires = 3600 * time.Second
	// DefaultExpires is the interval of a contact whose REGISTER gives
	// none (RFC 3261 §10.3 leaves it to the registrar).
	DefaultExpires = 3600 * time.Second
)

// DefaultRealm is the digest realm when neither Config.Realm nor
// Config.Domain is set.
const DefaultRealm = "ringo"

// Config configures a Server. The zero value is a server on the default
// addresses, without authentication, serving every domain.
type Config struct {
	// WS, WSS, UDP, TCP and TLS are the listening addresses ("ip:port";
	// port 0 picks a free one, see Server.Addrs). An empty address is not
	// listened on. When all five are empty, the server listens on
	// DefaultWS, DefaultUDP and DefaultTCP; set one to Off to listen on
	// the others only (or on none, when the server is reached only
	// through Handler).
	WS, WSS, UDP, TCP, TLS string

	// TLSConfig holds the certificate for the WSS and TLS listeners;
	// required when either is set.
	TLSConfig *tls.Config

	// WSOriginPatterns lists the hosts (path.Match patterns) whose web
	// pages may open a WebSocket to the server, besides its own host. A
	// browser's connection from any other Origin is refused with 403.
	// Clients that send no Origin (Node.js, native) are always accepted.
	WSOriginPatterns []string

	// Host is the host name or address written in the Via and
	// Record-Route headers the server adds, as its peers reach it. Empty
	// means the local address of each listener or connection (for a
	// listener on an unspecified address, the host's first non-loopback
	// IPv4 address).
	Host string

	// Domain is the SIP domain served. Empty means any domain name: an
	// address of record is then identified by its user part alone.
	Domain string

	// Realm is the digest realm of challenges. Empty means Domain, or
	// DefaultRealm when Domain is empty too.
	Realm string

	// Users maps user names to passwords. With Users or UsersFile set,
	// digest authentication is on (see the package documentation).
	Users map[string]string

	// DigestAlgorithms are the algorithms of the challenges sent, one
	// challenge each, most preferred first. Nil means SHA-256 then MD5
	// (RFC 8760's order). Clients that read only the first challenge, such
	// as baresip 1.0 and older desk phones, need []digest.Algorithm{
	// digest.MD5} (ringo serve --digest MD5).
	DigestAlgorithms []digest.Algorithm

	// UsersFile names a file of users, one "user:password" per line;
	// blank lines and lines starting with "#" are ignored (see
	// ParseUsers). Its users are added to Users.
	UsersFile string

	// MinExpires, MaxExpires and DefaultExpires bound registrations, in
	// whole seconds; zero means DefaultMinExpires, DefaultMaxExpires and
	// DefaultExpires.
	MinExpires, MaxExpires, DefaultExpires time.Duration

	// Logger receives the server's logs; SIP messages at Debug level.
	// Nil means slog.Default().
	Logger *slog.Logger

	// Clock runs the registration expiry and every transaction timer. Nil
	// means the real clock; tests pass a clock.Fake.
	Clock clock.Clock
}

// listenAddrs returns the addresses to listen on, with the defaults
// applied.
func (c *Config) listenAddrs() (ws, wss, udp, tcp, tlsAddr string) {
	ws, wss, udp, tcp, tlsAddr = c.WS, c.WSS, c.UDP, c.TCP, c.TLS
	if ws == "" && wss == "" && udp == "" && tcp == "" && tlsAddr == "" {
		return DefaultWS, "", DefaultUDP, DefaultTCP, ""
	}
	off := func(s string) string {
		if s == Off {
			return ""
		}
		return s
	}
	return off(ws), off(wss), off(udp), off(tcp), off(tlsAddr)
}

// check validates the configuration and returns an error naming the bad
// field.
func (c *Config) check() error {
	for _, f := range []struct{ name, addr string }{
		{"WS", c.WS}, {"WSS", c.WSS}, {"UDP", c.UDP}, {"TCP", c.TCP}, {"TLS", c.TLS},
	} {
		if f.addr == "" || f.addr == Off {
			continue
		}
		if _, _, err := net.SplitHostPort(f.addr); err != nil {
			return fmt.Errorf("server: Config.%s %q: %w", f.name, f.addr, err)
		}
	}
	hasCert := c.TLSConfig != nil && (len(c.TLSConfig.Certificates) > 0 ||
		c.TLSConfig.GetCertificate != nil || c.TLSConfig.GetConfigForClient != nil)
	if (c.WSS != "" && c.WSS != Off || c.TLS != "" && c.TLS != Off) && !hasCert {
		return errors.New("server: Config.TLSConfig must hold a certificate for the WSS and TLS listeners")
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"MinExpires", c.MinExpires}, {"MaxExpires", c.MaxExpires}, {"DefaultExpires", c.DefaultExpires}} {
		if f.d < 0 || f.d%time.Second != 0 || f.d > (1<<31-1)*time.Second {
			return fmt.Errorf("server: Config.%s (%v) is not a whole number of seconds between 0 and 2^31-1", f.name, f.d)
		}
	}
	lo, hi := or(c.MinExpires, DefaultMinExpires), or(c.MaxExpires, DefaultMaxExpires)
	if hi < lo {
		return fmt.Errorf("server: Config.MaxExpires (%v) is below MinExpires (%v)", hi, lo)
	}
	for user := range c.Users {
		if err := checkUser(user); err != nil {
			return fmt.Errorf("server: Config.Users: %w", err)
		}
	}
	for _, a := range c.DigestAlgorithms {
		if !a.Supported() || a == "" {
			return fmt.Errorf("server: Config.DigestAlgorithms: %q is not an algorithm the digest package computes", a)
		}
	}
	return nil
}

func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func checkUser(user string) error {
	if user == "" {
		return errors.New("empty user name")
	}
	if strings.ContainsAny(user, ":\r\n") {
		return fmt.Errorf("user name %q holds ':' or a line break", user)
	}
	return nil
}

// users returns Users merged with the users of UsersFile.
func (c *Config) users() (map[string]string, error) {
	users := make(map[string]string, len(c.Users))
	for u, p := range c.Users {
		users[u] = p
	}
	if c.UsersFile == "" {
		return users, nil
	}
	f, err := os.Open(c.UsersFile)
	if err != nil {
		return nil, fmt.Errorf("server: Config.UsersFile: %w", err)
	}
	defer f.Close()
	fromFile, err := ParseUsers(f)
	if err != nil {
		return nil, fmt.Errorf("server: Config.UsersFile %s: %w", c.UsersFile, err)
	}
	for u, p := range fromFile {
		users[u] = p
	}
	return users, nil
}

// ParseUsers reads a users file: one "user:password" per line, the
// password being everything after the first colon. Surrounding white space
// is trimmed; blank lines and lines whose first non-blank character is "#"
// are ignored. An error names the line.
func ParseUsers(r io.Reader) (map[string]string, error) {
	users := make(map[string]string)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		user, pass, ok := strings.Cut(line, ":")
		user = strings.TrimSpace(user)
		if !ok {
			return nil, fmt.Errorf("line %d: want user:password", n)
		}
		if err := checkUser(user); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if _, dup := users[user]; dup {
			return nil, fmt.Errorf("line %d: user %q given twice", n, user)
		}
		users[user] = pass
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return users, nil
}
