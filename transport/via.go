package transport

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ringo-sip/ringo/sip"
)

// StampVia records where a request really came from in its top Via, as a
// server transport must on receipt (RFC 3261 §18.2.1, RFC 3581 §4): it adds
// "received" with the source IP address when the sent-by host differs from
// it, or when the client asked for rport; and it fills an empty "rport"
// with the source port. The response then finds its way back through NATs
// (see [ResponseAddr]).
//
// A Via that needs no change is left as written. A top Via that cannot be
// parsed is an error, and the request is left unchanged.
func StampVia(req *sip.Request, src netip.AddrPort) error {
	h := req.Header()
	v, err := h.TopVia()
	if err != nil {
		return fmt.Errorf("transport: stamp Via: %w", err)
	}
	ip := src.Addr().Unmap().WithZone("")
	_, rport := v.RPort()
	sentBy, perr := netip.ParseAddr(strings.Trim(v.Host, "[]"))
	changed := false
	if rport || perr != nil || sentBy.Unmap() != ip {
		// received holds a bare IPv6 address, without brackets.
		v.Params.Set("received", ip.String())
		changed = true
	}
	if rport {
		v.Params.Set("rport", strconv.Itoa(int(src.Port())))
		changed = true
	}
	if changed {
		h.RemoveFirst("Via")
		h.Prepend("Via", v.String())
	}
	return nil
}

// ResponseAddr returns where a response goes over UDP for a request whose
// top Via is via (RFC 3261 §18.2.2, RFC 3581 §4): the "received" address,
// or the sent-by host if it is an IP address; and the "rport" port, or the
// sent-by port, or 5060 (5061 for TLS). It reports false when the sent-by
// host is a domain name and there is no "received": the server then
// resolves the name as RFC 3263 §5 says.
//
// Over TCP, TLS and WebSocket the response goes back on the connection the
// request came on and this address is only the fallback.
func ResponseAddr(via sip.Via) (netip.AddrPort, bool) {
	host := via.Received()
	if host == "" {
		host = via.Host
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return netip.AddrPort{}, false
	}
	port := via.Port
	if p, ok := via.RPort(); ok && p != 0 {
		port = p
	}
	if port == 0 {
		port = 5060
		if strings.EqualFold(via.Transport, ViaTLS) {
			port = 5061
		}
	}
	return netip.AddrPortFrom(ip, uint16(port)), true
}
