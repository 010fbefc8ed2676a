// Package server is an embedded SIP registrar and stateful proxy for SIP
// over WebSocket (RFC 7118), UDP, TCP and TLS: the server that Ringo's demo
// and tests run against on a machine with nothing else installed. It is
// correct rather than complete, and no replacement for Kamailio.
//
// # Registrar
//
// REGISTER is handled as RFC 3261 §10.3 says. The location service is in
// memory: several contacts per address of record, each binding with its own
// expiry (driven by Config.Clock, so tests use a fake clock), "Contact: *"
// with "Expires: 0" to remove them all, 423 with Min-Expires for intervals
// below Config.MinExpires (60 s by default), and a 200 that lists every
// current binding with its remaining time. Bindings are keyed as RFC 5626
// says: by +sip.instance and reg-id when the contact has both (a new
// registration of the same instance and reg-id replaces the old flow), by
// +sip.instance alone, else by contact URI. Each binding remembers the
// flow it registered on; a binding on a WebSocket, TCP or TLS connection
// is removed when that connection closes. Path and GRUU are not supported.
//
// Addresses of record are keyed by user part: with Config.Domain empty the
// server serves every domain name (as Kamailio with use_domain=0 does);
// with Domain set it serves that domain and its own addresses only.
//
// # Proxy
//
// Other requests are proxied statefully (RFC 3261 §16): a request for a
// registered user is forked in parallel to every current binding; an
// unknown user gets 404, a known user without a binding 480. Requests go
// back over the flow the binding registered on: the WebSocket or TCP
// connection (RFC 7118 §5.3, RFC 5626), or for UDP the source address of
// the REGISTER (its Via received and rport). Dialog-creating requests are
// record-routed; when the transport or the listening address changes
// between the two sides the server adds two Record-Route values (RFC
// 5658), one facing each side. Each Record-Route URI carries a flow token
// in its user part (RFC 5626 §5.3), so that in-dialog requests find their
// way back over the right connection whatever their Request-URI says. ACK
// for a 2xx is forwarded statelessly, CANCEL is answered 200 and sent to
// every pending branch, responses are forwarded statefully with the best
// final response chosen as §16.7 says, and an INVITE branch without a
// final response after 181 s is cancelled (Timer C). OPTIONS to the server
// itself (a Request-URI without a user part) is answered 200.
//
// Without authentication a user who has registered once is "known" (480,
// not 404, once the bindings are gone) until the server stops. A request
// for an IP address that is not the server's is relayed there over UDP, or
// over an open TCP or TLS connection from that address; other domain names
// are not resolved and get 404. The server does not dial out: a TCP or
// WebSocket user is reachable only while its connection is open.
//
// Every request is checked with sip.CheckProxyRequest and rejected with the
// response sip.ResponseFor gives; Max-Forwards is decremented.
//
// # Authentication
//
// With Config.Users or Config.UsersFile, digest authentication (package
// digest) is on: REGISTER is challenged with 401 and must be authenticated
// as the user it registers; initial requests whose From is a local user are
// challenged with 407. Requests from other users may only reach local
// users. In-dialog requests, ACK and CANCEL are not challenged.
//
// # Concurrency
//
// All SIP state (transactions, location service, proxy contexts) lives on
// one goroutine, the server loop, as the design's UA loop. Reading
// goroutines parse and check messages and post them to the loop; each
// connection has a send queue drained by a goroutine that exists only while
// the queue is not empty.
package server
