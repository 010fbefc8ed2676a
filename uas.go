package ringo

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"github.com/ringo-sip/ringo/dialog"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
)

// allowHeader lists the methods the UA handles.
const allowHeader = "INVITE, ACK, CANCEL, BYE, INFO, UPDATE, PRACK, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, REFER"

// supportedHeader lists the option tags the UA supports.
const supportedHeader = "path, gruu, outbound"

// acceptedTypes is the Accept header of OPTIONS answers.
const acceptedTypes = "application/sdp, text/plain, message/cpim, application/dtmf-relay"

// uasHandler is the UA's transaction.Handler: the UAS core of RFC 3261
// §8.2, on the loop.
type uasHandler struct{ ua *UA }

func (h uasHandler) HandleStray(msg sip.Message, src transaction.Addr) {
	h.ua.log.Debug("stray message dropped", "from", src, "start", msg.StartLine())
}

func (h uasHandler) HandleRequest(s *transaction.Server, req *sip.Request) {
	ua := h.ua
	reply := func(code int, reason string, headers ...sip.Param) {
		resp := sip.NewResponse(req, code, reason)
		for _, p := range headers {
			resp.Header().Add(p.Name, p.Value)
		}
		if err := s.Respond(resp); err != nil {
			ua.log.Debug("response not sent", "code", code, "err", err)
		}
	}
	// §8.2.1 and the syntax checks of sip.CheckRequest.
	if err := sip.CheckRequest(req); err != nil {
		if resp := sip.ResponseFor(err); resp != nil {
			s.Respond(resp)
		}
		return
	}
	if !isAllowed(req.Method) {
		reply(405, "", sip.Param{Name: "Allow", Value: allowHeader})
		return
	}
	// §8.2.2.1: is the request for us?
	if !ua.isForUs(req.URI) {
		reply(404, "")
		return
	}
	to, _ := req.Header().To()
	if to.Tag() == "" && req.Method != "CANCEL" {
		// §8.2.2.2: a request without a To tag that matches a server
		// transaction we already have, but arrived with another branch,
		// is a merged request: the same request forked back to us.
		if ua.isMerged(s, req) {
			reply(482, "")
			return
		}
	}
	// §8.2.2.3: option tags we do not support.
	if req.Method != "CANCEL" && req.Method != "ACK" {
		if unsupported := unsupportedRequire(req); len(unsupported) > 0 {
			reply(420, "", sip.Param{Name: "Unsupported", Value: strings.Join(unsupported, ", ")})
			return
		}
	}
	// §8.2.3: content we cannot process.
	if enc := req.Header().Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		reply(415, "", sip.Param{Name: "Accept-Encoding", Value: "identity"})
		return
	}
	// RFC 6665: new subscriptions, and requests in subscription dialogs.
	if (req.Method == "SUBSCRIBE" || req.Method == "NOTIFY") && ua.subscriptionRequest(s, req) {
		return
	}
	if to.Tag() != "" && req.Method != "CANCEL" {
		// Within a dialog: find the call it belongs to.
		if id, err := dialog.IncomingID(req); err == nil {
			if sess := ua.sessions[id]; sess != nil {
				sess.inDialog(s, req)
				return
			}
		}
		if req.Method != "OPTIONS" {
			reply(481, "")
			return
		}
	}
	switch req.Method {
	case "CANCEL":
		inv := ua.layer.MatchCancel(req)
		if inv == nil {
			reply(481, "")
			return
		}
		reply(200, "")
		if sess := ua.invites[inv]; sess != nil {
			sess.receiveCancel(req)
		}
	case "INVITE":
		ua.incomingInvite(s, req)
	case "BYE", "INFO", "UPDATE", "PRACK":
		reply(481, "")
	case "SUBSCRIBE", "NOTIFY":
		reply(481, "")
	case "REFER":
		// Only a REFER within a call is handled (session_refer.go).
		reply(603, "")
	case "MESSAGE", "OPTIONS":
		if to.Tag() != "" {
			// No dialog exists that MESSAGE or OPTIONS could belong to.
			reply(481, "")
			return
		}
		ua.incoming(s, req)
	}
}

func isAllowed(method string) bool {
	for _, m := range strings.Split(allowHeader, ", ") {
		if m == method {
			return true
		}
	}
	return false
}

// isForUs reports whether a Request-URI addresses this UA: its user is
// our AoR user, our Contact user or in our GRUU, or it has no user (an
// OPTIONS keep-alive from a proxy). JsSIP 404s the last (its issues #644,
// #844); Ringo answers it.
func (ua *UA) isForUs(u sip.URI) bool {
	if u.User == "" {
		return true
	}
	if u.User == ua.s.uri.User || u.User == ua.s.contactUser {
		return true
	}
	if ua.s.contactURI != nil && u.User == ua.s.contactURI.User {
		return true
	}
	return ua.reg.isGRUU(u)
}

// isMerged reports whether req is the same request as one whose server
// transaction is still running, arrived on another path (RFC 3261
// §8.2.2.2). It tracks requests by From tag, Call-ID and CSeq.
func (ua *UA) isMerged(s *transaction.Server, req *sip.Request) bool {
	from, _ := req.Header().From()
	cseq, _ := req.Header().CSeq()
	key := mergeKey{fromTag: from.Tag(), callID: req.Header().CallID(), cseq: cseq}
	if prev, ok := ua.recent[key]; ok && prev != s {
		return true
	}
	if ua.recent == nil {
		ua.recent = make(map[mergeKey]*transaction.Server)
	}
	ua.recent[key] = s
	s.SetHandler(transaction.ServerFuncs{Terminated: func(*transaction.Server) { delete(ua.recent, key) }})
	return false
}

type mergeKey struct {
	fromTag, callID string
	cseq            sip.CSeq
}

func unsupportedRequire(req *sip.Request) []string {
	tags, _ := req.Header().Require()
	var out []string
	for _, t := range tags {
		known := false
		for _, s := range strings.Split(inviteSupported, ", ") {
			if strings.EqualFold(s, t) {
				known = true
			}
		}
		if !known {
			out = append(out, t)
		}
	}
	return out
}

// IncomingRequest is a MESSAGE or OPTIONS request received by the UA,
// handed to the OnNewMessage or OnNewOptions handler. The handler answers
// it with Accept or Reject; if it does neither before returning, the UA
// answers 200.
type IncomingRequest struct {
	// Request is the request as received.
	Request *sip.Request
	// Originator is Remote.
	Originator Originator

	ua       *UA
	srv      *transaction.Server
	answered atomic.Bool
}

// From returns the sender's address.
func (r *IncomingRequest) From() sip.Address {
	a, _ := r.Request.Header().From()
	return a
}

// Body returns the request body.
func (r *IncomingRequest) Body() []byte { return r.Request.Body() }

// ContentType returns the Content-Type of the body, or "".
func (r *IncomingRequest) ContentType() string { return r.Request.Header().Get("Content-Type") }

// Accept answers 200, with extra header lines ("Name: value") if given.
func (r *IncomingRequest) Accept(extraHeaders ...string) error {
	return r.Respond(200, "", extraHeaders...)
}

// Reject answers with a failure status (300–699) and reason ("" for the
// standard phrase).
func (r *IncomingRequest) Reject(code int, reason string, extraHeaders ...string) error {
	if code < 300 || code > 699 {
		return errors.New("ringo: Reject needs a status code from 300 to 699")
	}
	return r.Respond(code, reason, extraHeaders...)
}

// Respond answers with any final status code. Only the first answer
// counts; later ones return an error.
func (r *IncomingRequest) Respond(code int, reason string, extraHeaders ...string) error {
	if code < 200 || code > 699 {
		return errors.New("ringo: a final response needs a status code from 200 to 699")
	}
	extra, err := parseHeaderLines(extraHeaders)
	if err != nil {
		return err
	}
	if !r.answered.CompareAndSwap(false, true) {
		return errors.New("ringo: request already answered")
	}
	var sendErr error
	err = r.ua.do(context.Background(), func() {
		resp := sip.NewResponse(r.Request, code, reason)
		if r.Request.Method == "OPTIONS" && code == 200 {
			r.ua.addCapabilities(resp.Header())
		}
		addHeaders(resp.Header(), extra)
		sendErr = r.srv.Respond(resp)
	})
	if err != nil {
		return err
	}
	return sendErr
}

// addCapabilities adds Allow, Accept and Supported.
func (ua *UA) addCapabilities(h *sip.Header) {
	h.Set("Allow", allowHeader)
	h.Set("Accept", acceptedTypes)
	h.Set("Supported", supportedHeader)
}

// incoming hands a MESSAGE or OPTIONS to the application.
func (ua *UA) incoming(s *transaction.Server, req *sip.Request) {
	r := &IncomingRequest{Request: req, Originator: Remote, ua: ua, srv: s}
	handler := get(ua, &ua.handlers.newMessage)
	if req.Method == "OPTIONS" {
		handler = get(ua, &ua.handlers.newOptions)
	}
	ua.disp.post(func() {
		if handler != nil {
			handler(r)
		}
		if !r.answered.Load() {
			r.Respond(200, "")
		}
	})
}
