// Package sip models SIP messages (RFC 3261): it parses them, gives typed
// access to the headers a user agent needs, builds requests and responses, and
// writes them back to the wire. It does no I/O.
//
// Parse takes one whole message, as a datagram or a WebSocket frame carries
// it. A Framer cuts messages out of a byte stream (TCP, TLS) by their
// Content-Length. Headers are kept as the sender wrote them, in order; typed
// values (Via, From, CSeq, ...) are parsed only when asked for, so a message
// that is only forwarded costs little.
//
// The parser is liberal in what it accepts and exact in what it rejects: every
// error names the header and the byte offset where the problem is, and
// CheckRequest tells a server which response a malformed request must get
// (400, 416, 505, ...), so bad input is answered rather than dropped.
package sip
