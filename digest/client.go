package digest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
)

// maxRealms bounds a Client's cache, so that responses naming ever new realms
// cannot grow it without limit. The least recently used realm is dropped.
const maxRealms = 16

// cnonceBytes is the number of random bytes in a cnonce (hex encoded).
const cnonceBytes = 16

// A Client answers Digest challenges for one user and remembers, per realm,
// the last challenge answered, so that later requests can carry credentials
// before being challenged.
//
// Set the fields before first use and do not change them afterwards; to
// change credentials, use a new Client. The methods are safe for concurrent
// use, though the user agent calls them from its loop goroutine only.
//
// The cache is keyed by realm alone: use one Client for WWW-Authenticate and
// another for Proxy-Authenticate (see the package documentation).
type Client struct {
	// Username is the user name, required.
	Username string

	// Password is the password. It answers any realm and algorithm.
	Password string

	// HA1 is a precomputed H(username:realm:password) in hex (see the HA1
	// function), used when Password is empty. It is only valid for one realm
	// and one hash: a challenge for another realm, or with an algorithm of
	// another hash, cannot be answered with it (the -sess variant of the same
	// hash can), and Select skips such challenges.
	HA1 string

	// HA1Realm is the realm HA1 was computed for.
	HA1Realm string

	// HA1Algorithm is the algorithm HA1 was computed with; empty means MD5,
	// which is what JsSIP's ha1 setting holds.
	HA1Algorithm Algorithm

	// PreferAuthInt makes the client answer with qop=auth-int when a
	// challenge offers both auth and auth-int. By default it answers with
	// auth, and with auth-int only when it is the only qop offered: auth-int
	// covers the body, which proxies and session border controllers that
	// rewrite SDP legitimately change, and many servers do not implement it.
	// (JsSIP prefers auth-int.)
	PreferAuthInt bool

	// Rand is the source of cnonces; nil means crypto/rand.
	Rand io.Reader

	cnonceFunc func() (string, error) // tests: fixed cnonces; nil means random

	mu    sync.Mutex
	cache map[string]*entry
	clock uint64 // increases on every use of an entry, for LRU eviction
}

// entry is what a Client remembers of a realm.
type entry struct {
	ch       Challenge
	qop      QOP
	nc       uint32 // nonce count of the last credentials computed
	cnonce   string // one per nonce, reused with increasing nc
	ha1      string // HA1 for ch (the session HA1 for -sess)
	username string // as sent: hashed when ch.Userhash
	used     uint64
}

// useHA1 reports whether c answers with its HA1 rather than its password.
func (c *Client) useHA1() bool {
	return c.Password == "" && c.HA1 != ""
}

// checkConfig reports a Client that cannot answer anything.
func (c *Client) checkConfig() error {
	if c.Username == "" {
		return fmt.Errorf("%w: Client.Username is empty", ErrNoCredentials)
	}
	if c.useHA1() {
		alg := c.HA1Algorithm.effective()
		if !alg.Supported() {
			return fmt.Errorf("%w: Client.HA1Algorithm %q is not supported", ErrNoCredentials, string(c.HA1Algorithm))
		}
		if len(c.HA1) != alg.hexLen() {
			return fmt.Errorf("%w: Client.HA1 has %d characters, want %d hex digits for %s", ErrNoCredentials, len(c.HA1), alg.hexLen(), alg.Base())
		}
		if _, err := hex.DecodeString(c.HA1); err != nil {
			return fmt.Errorf("%w: Client.HA1 is not hex", ErrNoCredentials)
		}
	}
	return nil
}

// accept returns why c cannot answer ch (supported by the package) or nil.
func (c *Client) accept(ch Challenge) error {
	if !c.useHA1() {
		return nil
	}
	if ch.Realm != c.HA1Realm {
		return fmt.Errorf("HA1 is for realm %q and there is no password", c.HA1Realm)
	}
	if ch.Algorithm.Base() != c.HA1Algorithm.Base() {
		return fmt.Errorf("HA1 is for %s, not %s, and there is no password", c.HA1Algorithm.Base(), ch.Algorithm.effective())
	}
	return nil
}

// Select is like the package function Select but also skips the challenges
// c cannot answer with its HA1 (see Client.HA1).
func (c *Client) Select(challenges []Challenge) (Challenge, error) {
	return selectBest(challenges, c.accept)
}

// Respond answers ch for a request with the given method, request-URI (as
// it appears in the request line) and body (used by qop=auth-int), and
// remembers ch for its realm. A nonce not seen before for the realm starts
// the nonce count at 00000001 with a new random cnonce; the nonce last
// answered for the realm continues the count with the same cnonce.
//
// Respond does not decide whether answering is wise; Exchange does.
func (c *Client) Respond(ch Challenge, method, uri string, body []byte) (Credentials, error) {
	if err := c.checkConfig(); err != nil {
		return Credentials{}, err
	}
	err := ch.check()
	if err == nil {
		err = c.accept(ch)
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("%w: realm %q: %v", ErrUnsupported, ch.Realm, err)
	}
	qop, err := ch.chooseQOP(c.PreferAuthInt)
	if err != nil {
		return Credentials{}, fmt.Errorf("%w: realm %q: %v", ErrUnsupported, ch.Realm, err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	e := &entry{ch: ch, qop: qop, nc: 1}
	if old := c.cache[ch.Realm]; old != nil && old.ch.Nonce == ch.Nonce && old.cnonce != "" {
		if old.nc == math.MaxUint32 {
			return Credentials{}, fmt.Errorf("digest: realm %q: nonce count exhausted for this nonce", ch.Realm)
		}
		e.nc, e.cnonce = old.nc+1, old.cnonce
	} else if qop != QOPNone {
		if e.cnonce, err = c.newCNonce(); err != nil {
			return Credentials{}, err
		}
	}
	alg := ch.Algorithm.effective()
	if old := c.cache[ch.Realm]; old != nil && old.ch.Nonce == ch.Nonce && old.cnonce == e.cnonce &&
		old.ch.Algorithm.effective() == alg && old.ch.Userhash == ch.Userhash {
		e.ha1, e.username = old.ha1, old.username // same inputs
	} else {
		base := strings.ToLower(c.HA1)
		if !c.useHA1() {
			base, _ = HA1(alg, c.Username, ch.Realm, c.Password)
		}
		e.ha1 = sessionHA1(alg, base, ch.Nonce, e.cnonce)
		e.username = c.Username
		if ch.Userhash {
			e.username = userhash(alg, c.Username, ch.Realm)
		}
	}
	c.store(e)
	return e.credentials(method, uri, body), nil
}

// store puts e in the cache, evicting the least recently used realm if the
// cache is full. c.mu must be held.
func (c *Client) store(e *entry) {
	if c.cache == nil {
		c.cache = make(map[string]*entry)
	}
	realm := e.ch.Realm
	if _, ok := c.cache[realm]; !ok && len(c.cache) >= maxRealms {
		var oldest string
		var min uint64 = math.MaxUint64
		for r, o := range c.cache {
			if o.used < min {
				oldest, min = r, o.used
			}
		}
		delete(c.cache, oldest)
	}
	c.clock++
	e.used = c.clock
	c.cache[realm] = e
}

// newCNonce returns a random hex client nonce.
func (c *Client) newCNonce() (string, error) {
	if c.cnonceFunc != nil {
		return c.cnonceFunc()
	}
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	var b [cnonceBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("digest: reading a cnonce: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// credentials computes the credentials for e's current nonce count.
func (e *entry) credentials(method, uri string, body []byte) Credentials {
	ch := e.ch
	cr := Credentials{
		Username:  e.username,
		Realm:     ch.Realm,
		Nonce:     ch.Nonce,
		URI:       uri,
		Algorithm: ch.Algorithm,
		Opaque:    ch.Opaque,
		QOP:       e.qop,
		Userhash:  ch.Userhash,
	}
	if e.qop != QOPNone {
		cr.CNonce, cr.NC = e.cnonce, e.nc
	}
	cr.Response = response(respInput{
		alg: ch.Algorithm.effective(), ha1: e.ha1, nonce: ch.Nonce, cnonce: e.cnonce, nc: e.nc,
		qop: e.qop, method: method, uri: uri, body: body,
	})
	return cr
}

// Authorize returns credentials for a new request for every realm c has
// answered a challenge of (usually one), in realm order, each with the
// nonce count incremented: put them in the request before it is sent, so
// that a server challenging every request accepts it at once. It returns nil
// when nothing is cached. If the server has meanwhile expired the nonce it
// challenges again, with stale=true as a rule; answer through an Exchange.
//
// Which requests carry credentials is the caller's choice: RFC 3261 §22.1
// says that CANCEL and ACK for a non-2xx response are never challenged.
func (c *Client) Authorize(method, uri string, body []byte) []Credentials {
	return c.authorizeExcept(nil, method, uri, body)
}

// authorizeExcept is Authorize leaving out the given realms.
func (c *Client) authorizeExcept(skip []string, method, uri string, body []byte) []Credentials {
	c.mu.Lock()
	defer c.mu.Unlock()
	realms := make([]string, 0, len(c.cache))
	for r := range c.cache {
		if !slices.Contains(skip, r) {
			realms = append(realms, r)
		}
	}
	slices.Sort(realms)
	var out []Credentials
	for _, r := range realms {
		e := c.cache[r]
		if e.nc == math.MaxUint32 {
			delete(c.cache, r) // the server must send a new nonce
			continue
		}
		e.nc++
		c.clock++
		e.used = c.clock
		out = append(out, e.credentials(method, uri, body))
	}
	return out
}

// Forget drops what c remembers of realm, so that the next request carries
// no credentials for it.
func (c *Client) Forget(realm string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.cache, realm)
}

// Reset drops every realm c remembers.
func (c *Client) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.cache)
}

// Realms returns the realms c has credentials for, sorted.
func (c *Client) Realms() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	realms := make([]string, 0, len(c.cache))
	for r := range c.cache {
		realms = append(realms, r)
	}
	slices.Sort(realms)
	return realms
}

// String describes c without its password or HA1, so that a Client can be
// printed or logged.
func (c *Client) String() string {
	secret := "no password"
	switch {
	case c.Password != "":
		secret = "password set"
	case c.HA1 != "":
		secret = fmt.Sprintf("HA1 for realm %q", c.HA1Realm)
	}
	return fmt.Sprintf("digest.Client{Username: %q, %s}", c.Username, secret)
}

// LogValue implements slog.LogValuer, leaving out the password and HA1.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("username", c.Username),
		slog.Bool("password", c.Password != ""),
		slog.Bool("ha1", c.HA1 != ""),
		slog.Any("realms", c.Realms()),
	)
}
