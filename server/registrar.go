//go:build !js

package server

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// registrar is the location service: the bindings of every address of
// record, keyed by user. The loop owns it.
type registrar struct {
	s    *Server
	aors map[string]*record
	// byURI indexes the current bindings by contact URI, to route a
	// request whose Request-URI is a registered contact.
	byURI map[string]*binding
}

// A record is the bindings of one address of record.
type record struct {
	user     string
	aor      string // as the latest REGISTER's To wrote it, "sip:alice@example.com"
	bindings []*binding
}

// A binding is one registered contact.
type binding struct {
	rec      *record // nil once removed
	contact  sip.Address
	key      string // in registrar.byURI
	instance string
	regID    uint32 // 0: none
	callID   string
	cseq     uint32
	expires  time.Time
	q        int // thousandths; absent counts as 1000
	flow     flow
}

func newRegistrar(s *Server) *registrar {
	return &registrar{s: s, aors: make(map[string]*record), byURI: make(map[string]*binding)}
}

// uriKey returns the index key of a contact URI: scheme, user, host, port
// and transport, the parts that decide where a request goes.
func uriKey(u *sip.URI) string {
	var b strings.Builder
	b.Grow(len(u.Scheme) + len(u.User) + len(u.Host) + 16)
	b.WriteString(u.Scheme)
	b.WriteByte(':')
	b.WriteString(u.User)
	b.WriteByte('@')
	b.WriteString(strings.ToLower(u.Host))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(u.Port))
	b.WriteByte(';')
	b.WriteString(strings.ToLower(u.Params.Value("transport")))
	return b.String()
}

// known reports whether user has registered since the server started.
func (r *registrar) known(user string) bool {
	_, ok := r.aors[user]
	return ok
}

// current returns the unexpired bindings of user, the highest q first and
// otherwise the most recently registered first.
func (r *registrar) current(user string, now time.Time) []*binding {
	rec := r.aors[user]
	if rec == nil {
		return nil
	}
	var out []*binding
	for i := len(rec.bindings) - 1; i >= 0; i-- {
		if b := rec.bindings[i]; b.expires.After(now) {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(a, b *binding) int { return cmp.Compare(b.q, a.q) })
	return out
}

// byContact returns the unexpired binding whose contact is u, or nil.
func (r *registrar) byContact(u *sip.URI) *binding {
	if !u.IsSIP() {
		return nil
	}
	b := r.byURI[uriKey(u)]
	if b == nil || !b.expires.After(r.s.clk.Now()) {
		return nil
	}
	return b
}

// find returns the binding of rec that a contact updates: the same
// instance and reg-id (RFC 5626 §6), the same instance (RFC 5627), or the
// same URI (RFC 3261 §10.3).
func (rec *record) find(c *sip.Address, instance string, regID uint32) *binding {
	for _, b := range rec.bindings {
		switch {
		case instance != "":
			if b.instance == instance && b.regID == regID {
				return b
			}
		case b.instance == "" && b.contact.URI.Equal(c.URI):
			return b
		}
	}
	return nil
}

// remove drops b from its record and the index.
func (r *registrar) remove(b *binding) {
	rec := b.rec
	if rec == nil {
		return
	}
	if i := slices.Index(rec.bindings, b); i >= 0 {
		rec.bindings = slices.Delete(rec.bindings, i, i+1)
	}
	if r.byURI[b.key] == b {
		delete(r.byURI, b.key)
	}
	b.rec = nil
}

// sweep drops the bindings that have expired.
func (r *registrar) sweep(now time.Time) {
	for _, rec := range r.aors {
		for i := 0; i < len(rec.bindings); {
			if b := rec.bindings[i]; !b.expires.After(now) {
				r.remove(b)
				continue
			}
			i++
		}
	}
}

// connClosed removes the bindings registered over a connection that has
// closed: nothing can reach them any more (RFC 7118 §5.3, RFC 5626 §6).
func (s *Server) connClosed(c *conn) {
	for _, b := range c.bindings {
		if b.rec != nil && b.flow.c == c {
			s.log.Debug("server: binding removed with its connection", "aor", b.rec.aor, "contact", b.contact.URI.String())
			s.reg.remove(b)
		}
	}
	c.bindings = nil
}

// handleRegister is the registrar (RFC 3261 §10.3).
func (s *Server) handleRegister(st *transaction.Server, req *sip.Request, src flow) {
	h := req.Header()
	if unsup := unsupported(h, "Require", "outbound"); len(unsup) > 0 {
		resp := sip.NewResponse(req, 420, "")
		resp.Header().Add("Unsupported", strings.Join(unsup, ", "))
		s.respond(st, resp)
		return
	}
	to, _ := h.To()
	if !to.URI.IsSIP() {
		s.reply(st, req, 404, "Not Found (the address of record is not a SIP URI)")
		return
	}
	if !s.servesDomain(&to.URI) && !s.isUsURI(&to.URI) {
		s.reply(st, req, 403, "Forbidden (domain not served)")
		return
	}
	user := to.URI.User
	if user == "" {
		s.reply(st, req, 404, "Not Found (the address of record has no user)")
		return
	}
	if s.auth != nil {
		if _, ok := s.users[user]; !ok {
			s.reply(st, req, 404, "")
			return
		}
		name, ok := s.authenticate(st, req, false)
		if !ok {
			return
		}
		if name != user {
			s.reply(st, req, 403, "Forbidden (authenticated as another user)")
			return
		}
	}
	contacts, _ := h.Contact()
	cseq, _ := h.CSeq()
	callID := h.CallID()
	now := s.clk.Now()
	rec := s.reg.aors[user]

	if slices.ContainsFunc(contacts, func(c sip.Address) bool { return c.Wildcard }) {
		exp, err := h.Expires()
		if len(contacts) != 1 || err != nil || exp != 0 {
			s.reply(st, req, 400, "Bad Request (Contact: * needs Expires: 0 and no other contact)")
			return
		}
		if rec != nil {
			for _, b := range rec.bindings {
				if b.callID == callID && cseq.Seq <= b.cseq {
					s.reply(st, req, 500, "Server Internal Error (out of order REGISTER)")
					return
				}
			}
			for _, b := range slices.Clone(rec.bindings) {
				s.reg.remove(b)
			}
			s.log.Debug("server: unregistered all", "aor", rec.aor)
		}
		s.respond(st, s.registerOK(req, rec, now, false))
		return
	}

	type change struct {
		c        sip.Address
		exp      uint32
		old      *binding
		instance string
		regID    uint32
	}
	changes := make([]change, 0, len(contacts))
	outbound := false
	for _, c := range contacts {
		if !c.URI.IsSIP() {
			s.reply(st, req, 400, "Bad Request (Contact is not a SIP URI)")
			return
		}
		exp := h.ContactExpires(&c, s.defExp)
		if exp != 0 && exp < s.minExp {
			resp := sip.NewResponse(req, 423, "")
			resp.Header().Add("Min-Expires", strconv.FormatUint(uint64(s.minExp), 10))
			s.respond(st, resp)
			return
		}
		exp = min(exp, s.maxExp)
		instance := c.InstanceID()
		var regID uint32
		if instance != "" {
			if id, ok := c.RegID(); ok && id != 0 {
				regID = id
				outbound = true
			}
		}
		var old *binding
		if rec != nil {
			old = rec.find(&c, instance, regID)
		}
		if old != nil && old.callID == callID && cseq.Seq <= old.cseq {
			s.reply(st, req, 500, "Server Internal Error (out of order REGISTER)")
			return
		}
		changes = append(changes, change{c: c, exp: exp, old: old, instance: instance, regID: regID})
	}
	if rec == nil && slices.ContainsFunc(changes, func(ch change) bool { return ch.exp > 0 }) {
		rec = &record{user: user}
		s.reg.aors[user] = rec
	}
	if rec != nil {
		rec.aor = to.URI.AOR()
	}
	for _, ch := range changes {
		if ch.exp == 0 {
			if ch.old != nil {
				s.reg.remove(ch.old)
				s.log.Debug("server: unregistered", "aor", rec.aor, "contact", ch.c.URI.String())
			}
			continue
		}
		b := ch.old
		if b == nil {
			b = &binding{rec: rec}
			rec.bindings = append(rec.bindings, b)
		} else if s.reg.byURI[b.key] == b {
			delete(s.reg.byURI, b.key)
		}
		contact := ch.c
		contact.Params.Del("expires")
		b.contact = contact
		b.key = uriKey(&contact.URI)
		b.instance, b.regID = ch.instance, ch.regID
		b.callID, b.cseq = callID, cseq.Seq
		b.expires = now.Add(time.Duration(ch.exp) * time.Second)
		b.q = 1000
		if q, ok := contact.Q(); ok {
			b.q = int(q*1000 + 0.5)
		}
		if b.flow != src && src.c != nil {
			src.c.bindings = append(src.c.bindings, b)
		}
		b.flow = src
		s.reg.byURI[b.key] = b
		s.log.Debug("server: registered", "aor", rec.aor, "contact", contact.URI.String(), "expires", ch.exp, "flow", src.String())
	}
	s.respond(st, s.registerOK(req, rec, now, outbound && h.HasToken("Supported", "outbound")))
}

// registerOK builds the 200 to a REGISTER, listing every current binding
// of rec with the seconds it has left.
func (s *Server) registerOK(req *sip.Request, rec *record, now time.Time, outbound bool) *sip.Response {
	resp := sip.NewResponse(req, 200, "")
	rh := resp.Header()
	if rec != nil {
		for _, b := range rec.bindings {
			left := b.expires.Sub(now)
			if left <= 0 {
				continue
			}
			c := b.contact.Clone()
			c.SetExpires(uint32((left + time.Second - 1) / time.Second))
			rh.Add("Contact", c.String())
		}
	}
	if outbound {
		rh.Add("Require", "outbound")
	}
	rh.Add("Supported", "outbound")
	rh.Add("Date", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))
	return resp
}

// unsupported returns the option tags of the named header (Require,
// Proxy-Require) that are not among supported.
func unsupported(h *sip.Header, name string, supported ...string) []string {
	tags, _ := h.Tokens(name)
	var out []string
	for _, t := range tags {
		if !slices.ContainsFunc(supported, func(s string) bool { return strings.EqualFold(s, t) }) {
			out = append(out, t)
		}
	}
	return out
}

// Binding is a snapshot of one registered contact.
type Binding struct {
	// AOR is the address of record, as the latest REGISTER's To wrote it.
	AOR string
	// Contact is the registered Contact value, without its expires
	// parameter.
	Contact string
	// Expires is when the binding lapses.
	Expires time.Time
	// Instance and RegID are the RFC 5626 +sip.instance and reg-id; empty
	// and 0 when absent.
	Instance string
	RegID    uint32
	// Transport is the Via transport token of the flow the binding
	// registered on: "WS", "UDP", "TCP", ...
	Transport string
	// Source is the address the REGISTER came from.
	Source netip.AddrPort
}

// Bindings returns the current bindings of a user, the highest q first.
// It returns nil when the user has none or the server is not running.
func (s *Server) Bindings(user string) []Binding {
	var out []Binding
	s.call(func() {
		for _, b := range s.reg.current(user, s.clk.Now()) {
			tr, _, _ := b.flow.side()
			out = append(out, Binding{
				AOR:       b.rec.aor,
				Contact:   b.contact.String(),
				Expires:   b.expires,
				Instance:  b.instance,
				RegID:     b.regID,
				Transport: tr,
				Source:    b.flow.remote(),
			})
		}
	})
	return out
}
