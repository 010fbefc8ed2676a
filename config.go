package ringo

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// Defaults of Config, JsSIP's unless an RFC says better.
const (
	DefaultRegisterExpires = 600 * time.Second
	DefaultNoAnswerTimeout = 60 * time.Second
	DefaultUserAgent       = "Ringo/0.1"
	// DefaultRegisterRetryMax caps the wait between registration retries
	// after a failure (JsSIP never retries).
	DefaultRegisterRetryMax = 5 * time.Minute
)

// Config configures a UA: JsSIP's settings under Go names. URI and
// Sockets are required; the zero value of every other field is its
// documented default.
type Config struct {
	// Sockets are the connections to the SIP server, with weights: the
	// highest weight is tried first (JsSIP "sockets"). Build them with
	// transport.NewWebSocket, transport.NewUDPSocket, ... or NewSocket.
	Sockets []transport.WeightedSocket

	// URI is the user's SIP URI, the address of record: "sip:alice@example.com"
	// (JsSIP "uri").
	URI string
	// AuthorizationUser is the user name for digest authentication;
	// empty means the user part of URI (JsSIP "authorization_user").
	AuthorizationUser string
	// Password is the digest password (JsSIP "password").
	Password string
	// HA1 is a precomputed MD5 digest HA1 used when Password is empty; it
	// is valid only for Realm (JsSIP "ha1", "realm").
	HA1   string
	Realm string
	// DisplayName is put in From (JsSIP "display_name").
	DisplayName string
	// ContactURI overrides the Contact URI; empty means a random user at
	// the Via host (JsSIP "contact_uri").
	ContactURI string
	// ViaHost overrides the Via sent-by host; empty means what the socket
	// says: "<random>.invalid" on WebSocket (RFC 7118), the local address
	// elsewhere (JsSIP "via_host").
	ViaHost string
	// InstanceID is the RFC 5626 instance UUID; empty means a random one.
	// A "uuid:" prefix is dropped (JsSIP "instance_id").
	InstanceID string

	// ManualRegister, when set, keeps Start from registering: the
	// application calls Register (JsSIP "register": false).
	ManualRegister bool
	// RegisterExpires is the registration interval asked for; zero means
	// 600 s (JsSIP "register_expires").
	RegisterExpires time.Duration
	// RegistrarServer is the Request-URI of REGISTER; empty means the
	// domain of URI (JsSIP "registrar_server").
	RegistrarServer string
	// RegisterExtraHeaders are added to every REGISTER, as "Name: value"
	// lines (JsSIP Registrator.setExtraHeaders).
	RegisterExtraHeaders []string
	// RegisterContactParams are added to the Contact of REGISTER (JsSIP
	// Registrator.setExtraContactParams).
	RegisterContactParams sip.Params
	// RegisterRetryMax caps the randomized exponential backoff between
	// registration attempts after a failure; zero means 5 minutes;
	// negative turns retries off, as JsSIP.
	RegisterRetryMax time.Duration

	// NoAnswerTimeout is how long an incoming call rings before it is
	// rejected with 408; zero means 60 s (JsSIP "no_answer_timeout").
	NoAnswerTimeout time.Duration
	// NoSessionTimers turns RFC 4028 session timers off (JsSIP
	// "session_timers": false).
	NoSessionTimers bool
	// MediaEngine makes the media of calls: media/webrtc natively,
	// media/browser in a browser, or the application's own. Nil means
	// calls need CallOptions.Media and AnswerOptions.Media.
	MediaEngine media.Engine
	// UsePreloadedRoute adds a Route header with the socket's URI to
	// every out-of-dialog request (JsSIP "use_preloaded_route").
	UsePreloadedRoute bool

	// ConnectionRecoveryMin and ConnectionRecoveryMax bound the
	// reconnection backoff; zero means 2 s and 30 s (JsSIP
	// "connection_recovery_min_interval" and "_max_interval").
	ConnectionRecoveryMin, ConnectionRecoveryMax time.Duration
	// ConnectTimeout bounds each connection attempt; zero means 10 s.
	ConnectTimeout time.Duration
	// KeepAliveInterval is the time between keep-alive pings (WebSocket
	// pings, RFC 5626 CRLF pings on TCP/TLS); zero means 30 s, negative
	// turns them off.
	KeepAliveInterval time.Duration

	// UserAgent is the User-Agent header; zero means "Ringo/<version>"
	// (JsSIP "user_agent").
	UserAgent string
	// T1, T2 and T4 are the RFC 3261 timer values; zero means 500 ms, 4 s
	// and 5 s.
	T1, T2, T4 time.Duration

	// Logger receives the UA's logs, with SIP traces at Debug level.
	// Passwords and HA1 are never logged. Nil means slog.Default().
	Logger *slog.Logger
}

// settings is a validated Config with its defaults applied.
type settings struct {
	Config
	uri         sip.URI
	authUser    string
	registrar   sip.URI
	contactUser string
	instanceID  string
	contactURI  *sip.URI
	extra       []sip.Param // RegisterExtraHeaders split into name and value
}

// ConfigError is an invalid Config field.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "ringo: bad Config." + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func (c Config) validate() (*settings, error) {
	bad := func(field string, err error) (*settings, error) {
		return nil, &ConfigError{Field: field, Err: err}
	}
	s := &settings{Config: c}
	if len(c.Sockets) == 0 {
		return bad("Sockets", errors.New("at least one socket is required"))
	}
	for i, ws := range c.Sockets {
		if ws.Socket == nil {
			return bad(fmt.Sprintf("Sockets[%d]", i), errors.New("nil socket"))
		}
	}
	if c.URI == "" {
		return bad("URI", errors.New("required"))
	}
	u, err := sip.ParseURI(c.URI)
	if err != nil {
		return bad("URI", err)
	}
	if !u.IsSIP() || u.Host == "" {
		return bad("URI", fmt.Errorf("%q is not a sip or sips URI", c.URI))
	}
	u.Params, u.Headers, u.Password = nil, nil, ""
	s.uri = u
	s.authUser = c.AuthorizationUser
	if s.authUser == "" {
		s.authUser = u.User
	}
	if c.HA1 != "" && c.Password == "" && c.Realm == "" {
		return bad("Realm", errors.New("required with HA1"))
	}
	if c.RegistrarServer != "" {
		target := c.RegistrarServer
		if l := strings.ToLower(target); !strings.HasPrefix(l, "sip:") && !strings.HasPrefix(l, "sips:") {
			target = "sip:" + target
		}
		r, err := sip.ParseURI(target)
		if err != nil {
			return bad("RegistrarServer", err)
		}
		if !r.IsSIP() || r.User != "" {
			return bad("RegistrarServer", fmt.Errorf("%q must be a sip URI without a user", c.RegistrarServer))
		}
		s.registrar = r
	} else {
		s.registrar = sip.URI{Scheme: u.Scheme, Host: u.Host, Port: u.Port}
	}
	if c.ContactURI != "" {
		cu, err := sip.ParseURI(c.ContactURI)
		if err != nil {
			return bad("ContactURI", err)
		}
		s.contactURI = &cu
	}
	if c.ViaHost != "" {
		if _, err := sip.ParseHost(c.ViaHost); err != nil {
			return bad("ViaHost", err)
		}
	}
	s.instanceID = strings.TrimPrefix(c.InstanceID, "uuid:")
	if s.instanceID == "" {
		s.instanceID = newUUID()
	} else if !isUUID(s.instanceID) {
		return bad("InstanceID", fmt.Errorf("%q is not a UUID", c.InstanceID))
	}
	if s.extra, err = parseHeaderLines(c.RegisterExtraHeaders); err != nil {
		return bad("RegisterExtraHeaders", err)
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"RegisterExpires", &s.RegisterExpires, DefaultRegisterExpires},
		{"NoAnswerTimeout", &s.NoAnswerTimeout, DefaultNoAnswerTimeout},
		{"RegisterRetryMax", &s.RegisterRetryMax, DefaultRegisterRetryMax},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
		if d.name != "RegisterRetryMax" && *d.v < time.Second {
			return bad(d.name, fmt.Errorf("%v is below one second", *d.v))
		}
	}
	if s.UserAgent == "" {
		s.UserAgent = DefaultUserAgent
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	s.contactUser = sip.NewTag()[:8] // 40 random bits, as JsSIP's 8 characters
	return s, nil
}

// parseHeaderLines splits "Name: value" lines, as JsSIP's extraHeaders
// options hold them.
func parseHeaderLines(lines []string) ([]sip.Param, error) {
	var out []sip.Param
	for i, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("[%d] %q is not a \"Name: value\" header line", i, line)
		}
		out = append(out, sip.Param{Name: name, Value: strings.TrimSpace(value)})
	}
	return out, nil
}

// addHeaders adds parsed extra header lines to h.
func addHeaders(h *sip.Header, extra []sip.Param) {
	for _, p := range extra {
		h.Add(p.Name, p.Value)
	}
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f') {
				return false
			}
		}
	}
	return true
}
