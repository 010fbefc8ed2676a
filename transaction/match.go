package transaction

import (
	"strings"

	"github.com/ringo-sip/ringo/sip"
)

// clientKey matches a response to a client transaction (RFC 3261
// §17.1.3): the branch of the top Via and the CSeq method. The method
// tells an INVITE from the CANCEL that shares its branch.
type clientKey struct {
	branch string
	method string
}

// serverKey matches a request to a server transaction (RFC 3261 §17.2.3):
// the branch and sent-by of the top Via, and the method, with ACK counted
// as INVITE.
type serverKey struct {
	branch string
	host   string
	port   int
	method string
}

func newServerKey(branch string, via *sip.Via, method string) serverKey {
	if method == "ACK" {
		method = "INVITE"
	}
	return serverKey{branch: branch, host: lowerHost(via.Host), port: via.Port, method: method}
}

// lowerHost lower-cases a host name, allocating only when it must.
func lowerHost(h string) string {
	for i := 0; i < len(h); i++ {
		if c := h[i]; 'A' <= c && c <= 'Z' {
			b := []byte(h)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return h
}

// ackKey finds the INVITE server transaction in the Accepted state that an
// ACK for its 2xx belongs to: the ACK has a branch of its own (RFC 3261
// §13.2.2.4), so it is matched by dialog (Call-ID, From tag, the To tag of
// the 2xx) and CSeq number.
type ackKey struct {
	callID  string
	fromTag string
	toTag   string
	seq     uint32
}

// newACKKey returns the ackKey of an ACK, or of a 2xx response.
func newACKKey(h *sip.Header, seq uint32) ackKey {
	return ackKey{callID: h.CallID(), seq: seq, fromTag: tagOf(h.Get("From")), toTag: tagOf(h.Get("To"))}
}

// tagOf returns the tag parameter of a From or To value without parsing
// the address (and without allocating): the header parameters follow the
// closing '>' of a name-addr, or the URI of an addr-spec, where every
// parameter is a header parameter (RFC 3261 §20.10).
func tagOf(v string) string {
	params := v
	if i := strings.LastIndexByte(v, '>'); i >= 0 {
		params = v[i+1:]
	}
	for {
		i := strings.IndexByte(params, ';')
		if i < 0 {
			return ""
		}
		params = params[i+1:]
		p := strings.TrimLeft(params, " \t")
		if len(p) >= 3 && strings.EqualFold(p[:3], "tag") {
			p = strings.TrimLeft(p[3:], " \t")
			if len(p) > 0 && p[0] == '=' {
				p = strings.TrimLeft(p[1:], " \t")
				end := strings.IndexAny(p, "; \t,")
				if end < 0 {
					end = len(p)
				}
				return p[:end]
			}
		}
	}
}

// legacyInfo holds what the RFC 2543 matching rules of RFC 3261 §17.2.3
// compare: the Request-URI, the To and From tags, the Call-ID, the CSeq
// and the top Via.
type legacyInfo struct {
	method  string
	uri     sip.URI
	toTag   string
	fromTag string
	callID  string
	cseq    sip.CSeq
	via     string
}

func newLegacyInfo(req *sip.Request, via *sip.Via, cseq sip.CSeq) *legacyInfo {
	h := req.Header()
	k := newACKKey(h, cseq.Seq)
	return &legacyInfo{
		method:  req.Method,
		uri:     req.URI,
		toTag:   k.toTag,
		fromTag: k.fromTag,
		callID:  k.callID,
		cseq:    cseq,
		via:     normalVia(via),
	}
}

// normalVia returns the top Via in a canonical form: sent-protocol and
// host in lower case, parameters as written.
func normalVia(v *sip.Via) string {
	n := *v
	n.Protocol, n.Version = "sip", "2.0"
	n.Transport = lowerHost(n.Transport)
	n.Host = lowerHost(n.Host)
	return n.String()
}

// common reports whether r matches what every RFC 2543 rule compares: the
// Request-URI, From tag, Call-ID, CSeq number and top Via.
func (t *legacyInfo) common(r *legacyInfo) bool {
	return t.fromTag == r.fromTag && t.callID == r.callID && t.cseq.Seq == r.cseq.Seq &&
		t.via == r.via && t.uri.Equal(r.uri)
}

// matchRequest reports whether r, a request that is not an ACK, is a
// retransmission of t's request: everything equal, the To tag and the CSeq
// method included.
func (t *legacyInfo) matchRequest(r *legacyInfo) bool {
	return r.method == t.method && t.toTag == r.toTag && t.cseq.Method == r.cseq.Method && t.common(r)
}

// matchACK reports whether r, an ACK, acknowledges the response sent by the
// INVITE transaction of t, whose final response carried To tag toTag.
func (t *legacyInfo) matchACK(r *legacyInfo, toTag string) bool {
	return t.method == "INVITE" && r.toTag == toTag && t.common(r)
}

// matchCancel reports whether r, a CANCEL, targets t's INVITE (RFC 3261
// §9.2: the same rules as for the INVITE's retransmission, but for the
// method).
func (t *legacyInfo) matchCancel(r *legacyInfo) bool {
	return t.method == "INVITE" && r.toTag == t.toTag && t.common(r)
}

// matchLegacy finds the server transaction that a request whose branch
// lacks the magic cookie belongs to.
func (l *Layer) matchLegacy(req *sip.Request, via *sip.Via, cseq sip.CSeq) *Server {
	if len(l.legacy) == 0 {
		return nil
	}
	info := newLegacyInfo(req, via, cseq)
	for _, s := range l.legacy {
		if req.Method == "ACK" {
			if s.final != nil && s.legacy.matchACK(info, s.finalToTag) {
				return s
			}
			continue
		}
		if s.legacy.matchRequest(info) {
			return s
		}
	}
	return nil
}
