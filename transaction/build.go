package transaction

import (
	"strconv"

	"github.com/ringo-sip/ringo/sip"
)

// buildACK builds the ACK for a non-2xx final response to an INVITE, as
// RFC 3261 §17.1.1.3 says: the INVITE's Request-URI, Call-ID and From, the
// To of the response, the INVITE's CSeq number with the method ACK, only
// the INVITE's top Via, and the INVITE's Route headers.
func buildACK(inv *sip.Request, resp *sip.Response) *sip.Request {
	return buildSibling(inv, "ACK", resp.Header().Get("To"))
}

// buildCancel builds the CANCEL of an INVITE, as RFC 3261 §9.1 says: the
// same Request-URI, Call-ID, To, From, CSeq number (method CANCEL), top Via
// (so the same branch) and Route headers.
func buildCancel(inv *sip.Request) *sip.Request {
	return buildSibling(inv, "CANCEL", inv.Header().Get("To"))
}

// buildSibling builds a request that shares the INVITE's transaction
// identity: an ACK for a non-2xx or a CANCEL.
func buildSibling(inv *sip.Request, method, to string) *sip.Request {
	ih := inv.Header()
	r := sip.NewRequest(method, inv.URI)
	r.Proto = inv.Proto
	h := r.Header()
	h.Add("Via", ih.Get("Via"))
	if mf := ih.Get("Max-Forwards"); mf != "" {
		h.Add("Max-Forwards", mf)
	} else {
		h.Add("Max-Forwards", "70")
	}
	for _, route := range ih.Values("Route") {
		h.Add("Route", route)
	}
	h.Add("From", ih.Get("From"))
	h.Add("To", to)
	h.Add("Call-ID", ih.CallID())
	seq := "0"
	if cseq, err := ih.CSeq(); err == nil {
		seq = strconv.FormatUint(uint64(cseq.Seq), 10)
	}
	h.Add("CSeq", seq+" "+method)
	return r
}
