//go:build !js

package server

import (
	"errors"
	"strings"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// authenticate checks the digest credentials of req for the server's
// realm: Authorization for a registrar (proxy false), Proxy-Authorization
// for a proxy. It returns the authenticated user name; otherwise it has
// answered with a fresh challenge (401 or 407, stale=true when only the
// nonce had expired) and returns false. A proxy removes the credentials it
// consumed from the request (RFC 3261 §22.3).
func (s *Server) authenticate(st *transaction.Server, req *sip.Request, proxy bool) (string, bool) {
	name, code, challenge := "Authorization", 401, "WWW-Authenticate"
	if proxy {
		name, code, challenge = "Proxy-Authorization", 407, "Proxy-Authenticate"
	}
	h := req.Header()
	stale := false
	var keep []string
	user := ""
	for _, f := range h.Fields() {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		cr, err := digest.ParseCredentials(f.Value)
		if err != nil || cr.Realm != s.realm || user != "" {
			keep = append(keep, f.Value)
			continue
		}
		err = s.auth.Verify(cr, req.Method, req.Body(), s.lookupKey)
		switch {
		case err == nil && !cr.Userhash:
			user = cr.Username
			continue
		case errors.Is(err, digest.ErrStaleNonce):
			stale = true
		case err != nil:
			s.log.Debug("server: credentials refused", "user", cr.Username, "method", req.Method, "err", err)
		}
		keep = append(keep, f.Value)
	}
	if user != "" {
		if proxy {
			h.Del(name)
			for _, v := range keep {
				h.Add(name, v)
			}
		}
		return user, true
	}
	chs, err := s.auth.Challenges(stale)
	if err != nil {
		s.log.Error("server: cannot issue a challenge", "err", err)
		s.reply(st, req, 500, "")
		return "", false
	}
	resp := sip.NewResponse(req, code, "")
	for _, ch := range chs {
		resp.Header().Add(challenge, ch.String())
	}
	s.respond(st, resp)
	return "", false
}

// lookupKey gives digest.Server.Verify the password of a user.
func (s *Server) lookupKey(user, realm string, _ digest.Algorithm) (digest.Key, bool) {
	pw, ok := s.users[user]
	return digest.Key{Password: pw}, ok
}

// fromLocalUser reports whether the From of req is one of the configured
// users in a domain the server serves.
func (s *Server) fromLocalUser(req *sip.Request) bool {
	from, err := req.Header().From()
	if err != nil || !from.URI.IsSIP() {
		return false
	}
	if _, ok := s.users[from.URI.User]; !ok {
		return false
	}
	return s.servesDomain(&from.URI) || s.isUsURI(&from.URI) || s.names.hosts[strings.ToLower(from.URI.Host)]
}
