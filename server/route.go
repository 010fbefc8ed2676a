//go:build !js

package server

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// A target is one place a request is forwarded to: the Request-URI it
// carries there and the flow it goes over.
type target struct {
	uri sip.URI
	dst flow
}

// A resolution says what to do with a request.
type resolution struct {
	// targets are where to forward it; empty for local and code.
	targets []target
	// local: the request is for the server itself.
	local bool
	// inDialog: it was routed by one of our Record-Route values.
	inDialog bool
	// foreign: its destination is not a local user's binding.
	foreign bool
	// code and reason: answer with this error.
	code   int
	reason string
}

// resolve decides where a request goes, as RFC 3261 §16.4 and §16.5 say:
// it undoes strict routing, pops the Route values that name the server,
// then routes by the next Route value, by the flow token of the last value
// popped, or by the Request-URI. It edits req's Route header and
// Request-URI accordingly. It runs on the loop.
func (s *Server) resolve(req *sip.Request, src flow) resolution {
	h := req.Header()
	routes, _ := h.Route()
	if len(routes) > 0 && req.URI.IsSIP() {
		if _, ok := s.tokens.parseList(req.URI.User); ok {
			// A strict router put our Record-Route URI in the
			// Request-URI and the real one last in Route.
			req.URI = routes[len(routes)-1].URI
			routes = routes[:len(routes)-1]
			h.Del("Route")
			for _, r := range routes {
				h.Add("Route", r.String())
			}
		}
	}
	var last *sip.Address
	for len(routes) > 0 && s.isUsRoute(&routes[0].URI) {
		last = &routes[0]
		routes = routes[1:]
		h.RemoveFirst("Route")
	}
	var refs []flowRef
	if last != nil {
		refs, _ = s.tokens.parseList(last.URI.User)
	}
	inDialog := len(refs) > 0
	if len(routes) > 0 {
		dst, ok := s.flowTo(&routes[0].URI)
		if !ok {
			return resolution{code: 404, reason: "Not Found (next hop " + routes[0].URI.HostPort() + " unreachable)"}
		}
		return resolution{targets: []target{{uri: req.URI, dst: dst}}, inDialog: inDialog, foreign: true}
	}
	if inDialog {
		if dst, ok := s.pickFlow(refs, src); ok {
			return resolution{targets: []target{{uri: req.URI, dst: dst}}, inDialog: true}
		}
	}
	res := s.resolveURI(req)
	res.inDialog = inDialog
	return res
}

// resolveURI routes by the Request-URI: to the binding whose contact it
// is, to the bindings of the user it names in a domain the server serves,
// to the server itself, or to an IP address elsewhere.
func (s *Server) resolveURI(req *sip.Request) resolution {
	u := &req.URI
	if b := s.reg.byContact(u); b != nil && s.alive(b.flow) {
		return resolution{targets: []target{{uri: *u, dst: b.flow}}}
	}
	if s.isUsURI(u) || s.servesDomain(u) {
		if u.User == "" {
			return resolution{local: true}
		}
		return s.lookup(u.User)
	}
	if dst, ok := s.flowTo(u); ok {
		return resolution{targets: []target{{uri: *u, dst: dst}}, foreign: true}
	}
	return resolution{code: 404, reason: "Not Found (domain not served)"}
}

// lookup returns the targets of a local user: every current binding, the
// highest q first.
func (s *Server) lookup(user string) resolution {
	var ts []target
	for _, b := range s.reg.current(user, s.clk.Now()) {
		if s.alive(b.flow) {
			ts = append(ts, target{uri: b.contact.URI, dst: b.flow})
		}
	}
	if len(ts) > 0 {
		return resolution{targets: ts}
	}
	if s.knownUser(user) {
		return resolution{code: 480}
	}
	return resolution{code: 404}
}

// knownUser reports whether user is a local user: one of the configured
// users, or, without authentication, one who has registered.
func (s *Server) knownUser(user string) bool {
	if s.auth != nil {
		_, ok := s.users[user]
		return ok
	}
	return s.reg.known(user)
}

// servesDomain reports whether the URI's host is a domain the server is
// responsible for: Config.Domain, or with no Domain any domain name. A tel
// URI is local.
func (s *Server) servesDomain(u *sip.URI) bool {
	if u.Scheme == "tel" {
		return true
	}
	if !u.IsSIP() {
		return false
	}
	if s.cfg.Domain != "" {
		return strings.EqualFold(u.Host, s.cfg.Domain)
	}
	t, err := sip.ParseHost(u.Host)
	return err == nil && t == sip.HostDomain
}

// isUsURI reports whether a SIP URI names the server: one of its hosts,
// with one of its ports or none.
func (s *Server) isUsURI(u *sip.URI) bool {
	if !u.IsSIP() || !s.names.hosts[strings.ToLower(u.Host)] {
		return false
	}
	return u.Port == 0 || s.names.ports[u.Port]
}

// isUsRoute reports whether a Route URI names the server: it carries one
// of our flow tokens, or names one of our addresses (a pre-loaded route to
// the server as outbound proxy).
func (s *Server) isUsRoute(u *sip.URI) bool {
	if !u.IsSIP() {
		return false
	}
	if _, ok := s.tokens.parseList(u.User); ok {
		return true
	}
	return s.isUsURI(u)
}

// pickFlow returns the flow an in-dialog request goes to, from the tokens
// of the last Record-Route value of ours it was routed by. A double
// Record-Route value names the flow facing the next hop; a single value
// names both sides, and the request goes to the side it did not come from.
func (s *Server) pickFlow(refs []flowRef, src flow) (flow, bool) {
	if len(refs) == 1 {
		return s.resolveRef(refs[0])
	}
	a, okA := s.resolveRef(refs[0])
	b, okB := s.resolveRef(refs[1])
	switch {
	case okA && a == src:
		return b, okB
	case okB && b == src:
		return a, okA
	}
	return flow{}, false
}

// flowTo returns the flow for a URI that names an IP address: a UDP peer
// (transport=udp or none) through the first UDP listener, or an open TCP
// or TLS connection from that address. Domain names are not resolved.
func (s *Server) flowTo(u *sip.URI) (flow, bool) {
	if !u.IsSIP() {
		return flow{}, false
	}
	ip, err := netip.ParseAddr(strings.Trim(u.Host, "[]"))
	if err != nil {
		return flow{}, false
	}
	port := u.Port
	tr := strings.ToLower(u.Params.Value("transport"))
	if port == 0 {
		port = 5060
		if u.Scheme == "sips" || tr == "tls" {
			port = 5061
		}
	}
	if s.relayTo != nil && !s.relayTo(ip) {
		return flow{}, false
	}
	ap := netip.AddrPortFrom(ip.Unmap(), uint16(port))
	switch tr {
	case "", "udp":
		if u.Scheme == "sips" || len(s.udps) == 0 {
			return flow{}, false
		}
		return flow{u: s.udps[0], addr: ap}, true
	case "tcp", "tls":
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			if c.remote == ap && strings.EqualFold(c.transport, tr) && !c.isClosed() {
				return flow{c: c}, true
			}
		}
	}
	return flow{}, false
}

// recordRoute adds the server's Record-Route values to a request
// forwarded from in to out: two when the transport or the address of the
// server's end changes (RFC 5658), each with the token of the flow on its
// side; one otherwise, with both tokens.
func (s *Server) recordRoute(h *sip.Header, in, out flow) {
	tin, hin, pin := in.side()
	tout, hout, pout := out.side()
	if tin == tout && hin == hout && pin == pout {
		h.Prepend("Record-Route", rrValue(s.token(in)+"."+s.token(out), tin, hin, pin))
		return
	}
	h.Prepend("Record-Route", rrValue(s.token(in), tin, hin, pin))
	h.Prepend("Record-Route", rrValue(s.token(out), tout, hout, pout))
}

func rrValue(user, tr, host string, port int) string {
	return "<sip:" + user + "@" + host + ":" + strconv.Itoa(port) + ";transport=" + strings.ToLower(tr) + ";lr>"
}

// viaValue returns the server's Via for a request sent over f, without a
// branch.
func viaValue(f flow) string {
	tr, host, port := f.side()
	return "SIP/2.0/" + tr + " " + host + ":" + strconv.Itoa(port)
}

// isWebSocket reports whether a transport token is WS or WSS.
func isWebSocket(tr string) bool {
	return strings.EqualFold(tr, transport.ViaWS) || strings.EqualFold(tr, transport.ViaWSS)
}
