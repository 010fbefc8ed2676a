package digest

import "fmt"

// An Exchange follows one request through the challenges it meets: the
// first send, then each resend after a 401 or 407 response. It decides
// whether a challenge is answered, so that the user agent asks the user for
// credentials only when they were refused.
//
// For each realm, Challenged answers:
//   - the first challenge this exchange meets, stale or not, including one
//     refusing credentials that Authorize added from the cache (the cached
//     nonce may simply have expired on a server that does not say stale);
//   - after that, one challenge with stale=true: the password was right but
//     the nonce had expired.
//
// Any other challenge for a realm this exchange answered is a refusal:
// Challenged returns an error wrapping ErrRejected and the Client forgets
// the realm.
//
// An Exchange is used by one goroutine at a time (the user agent's loop).
type Exchange struct {
	client  *Client
	method  string
	uri     string
	body    []byte
	answers map[string]int // realm → challenges answered in this exchange
	stale   map[string]bool
}

// NewExchange starts an exchange for a request with the given method,
// request-URI and body, which stay the same across resends.
func (c *Client) NewExchange(method, uri string, body []byte) *Exchange {
	return &Exchange{client: c, method: method, uri: uri, body: body}
}

// Authorize returns the credentials to put in the request before its first
// send, from the Client's cache (see Client.Authorize); nil if none.
func (x *Exchange) Authorize() []Credentials {
	return x.client.Authorize(x.method, x.uri, x.body)
}

// Challenged answers the challenges of a 401 (or 407) response to the
// request, given as parsed from each WWW-Authenticate (or
// Proxy-Authenticate) header field, and returns the credentials the resent
// request carries: one per challenged realm (the strongest challenge each
// realm offers, see Select), in the order the realms first appear, then the
// credentials of the other realms the Client has cached (Client.Authorize),
// in realm order. A response from a forking proxy can challenge several
// realms (RFC 3261 §22.3).
//
// Challenged returns an error wrapping ErrRejected when a realm refused
// credentials this exchange sent in answer to its challenge (see Exchange),
// and one wrapping ErrUnsupported when no challenge can be answered; then
// the request fails and the caller reports the response.
func (x *Exchange) Challenged(challenges []Challenge) ([]Credentials, error) {
	c := x.client
	if err := c.checkConfig(); err != nil {
		return nil, err
	}
	// Group by realm, in order of first appearance.
	var realms []string
	byRealm := make(map[string][]Challenge)
	for _, ch := range challenges {
		if _, ok := byRealm[ch.Realm]; !ok {
			realms = append(realms, ch.Realm)
		}
		byRealm[ch.Realm] = append(byRealm[ch.Realm], ch)
	}
	var picks []Challenge
	var why []string
	for _, realm := range realms {
		group := byRealm[realm]
		best, reasons := pick(group, c.accept)
		if best < 0 {
			why = append(why, reasons...)
			continue
		}
		ch := group[best]
		switch n := x.answers[realm]; {
		case n > 0 && !ch.Stale:
			c.Forget(realm)
			return nil, fmt.Errorf("%w: realm %q challenged again without stale=true after its challenge was answered: wrong username or password", ErrRejected, realm)
		case n > 0 && x.stale[realm]:
			c.Forget(realm)
			return nil, fmt.Errorf("%w: realm %q sent stale=true again after a stale retry", ErrRejected, realm)
		}
		picks = append(picks, ch)
	}
	if len(picks) == 0 {
		return nil, unsupported(why)
	}
	if x.answers == nil {
		x.answers = make(map[string]int)
		x.stale = make(map[string]bool)
	}
	out := make([]Credentials, 0, len(picks))
	done := make([]string, 0, len(picks))
	for _, ch := range picks {
		cr, err := c.Respond(ch, x.method, x.uri, x.body)
		if err != nil {
			return nil, err
		}
		if x.answers[ch.Realm] > 0 {
			x.stale[ch.Realm] = true
		}
		x.answers[ch.Realm]++
		out = append(out, cr)
		done = append(done, ch.Realm)
	}
	return append(out, c.authorizeExcept(done, x.method, x.uri, x.body)...), nil
}
