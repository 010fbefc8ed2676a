package transport

import (
	"context"
	"errors"
	"net/netip"
	"strconv"

	"github.com/ringo-sip/ringo/sip"
)

// Via transport tokens (RFC 3261 §18, RFC 7118 §5.1).
const (
	ViaUDP = "UDP"
	ViaTCP = "TCP"
	ViaTLS = "TLS"
	ViaWS  = "WS"
	ViaWSS = "WSS"
)

// Socket is one connection to one peer: a WebSocket, a TCP or TLS
// connection, or a UDP flow. Users may implement it to plug in a transport
// of their own, as JsSIP's Socket interface allows.
//
// A Socket dialled by the user agent can be dialled again after it has
// closed or failed; a Socket handed out by a listener cannot. Send and
// Close may be called from any goroutine; Read must be called by one
// goroutine at a time.
type Socket interface {
	// Dial connects the socket. ctx bounds the whole handshake (TCP,
	// TLS, HTTP upgrade). Dialling a socket that is connected is an error.
	Dial(ctx context.Context) error

	// Send writes one whole SIP message. For WebSocket it is one frame,
	// for UDP one datagram. Send does not keep msg after it returns.
	Send(ctx context.Context, msg []byte) error

	// Read returns the next whole inbound message in a slice that the
	// caller owns. Keep-alives are consumed inside Read (see the package
	// documentation). When the connection ends, Read returns an error:
	// a *CloseError when the peer closed a WebSocket with a status code,
	// an error wrapping ErrClosed after Close, or the I/O error.
	//
	// Cancelling ctx ends the read; on stream and WebSocket sockets it
	// also closes the connection, since a read cannot be abandoned
	// halfway through a message.
	Read(ctx context.Context) ([]byte, error)

	// Close closes the connection. Pending Reads return an error wrapping
	// ErrClosed. Closing a closed socket does nothing.
	Close() error

	// URI is the SIP URI of the peer, with its transport parameter, as
	// a Route or outbound proxy would name it: "sip:host:port;transport=ws".
	URI() sip.URI

	// ViaTransport is the Via transport token: "UDP", "TCP", "TLS",
	// "WS" or "WSS".
	ViaTransport() string

	// Reliable reports whether the transport is reliable (RFC 3261 §17:
	// no retransmissions needed), that is everything but UDP.
	Reliable() bool

	// SentBy returns the host and port to write in the Via sent-by and in
	// the Contact of messages sent on this socket: for WebSocket a random
	// "<token>.invalid" host and port 0 (RFC 7118 §5.2); for UDP, TCP and
	// TLS the local address of the connection. The host of an IPv6
	// address is in brackets.
	SentBy() (host string, port int)

	// RemoteAddr returns the peer's IP address and port where the socket
	// knows them (the source of an accepted connection, the dialled
	// server), or the zero AddrPort when it does not (a browser's
	// WebSocket).
	RemoteAddr() netip.AddrPort
}

// Pinger is implemented by sockets that can probe the peer for liveness:
// a WebSocket ping frame, or an RFC 5626 double-CRLF ping on a stream
// answered by a single CRLF. [Transport] pings its connected socket
// periodically when the socket implements Pinger.
type Pinger interface {
	// Ping sends a keep-alive and waits for the peer's answer, which
	// arrives through a concurrent Read. It returns nil when the answer
	// came. When ctx ends first, or the ping cannot be sent, Ping closes
	// the connection, since the peer is presumed gone, and returns an
	// error.
	Ping(ctx context.Context) error
}

// CloseError is the reason a peer gave when it closed a WebSocket.
type CloseError struct {
	// Code is the WebSocket close status code (RFC 6455 §7.4), such as
	// 1000 for a normal closure or 1001 for going away.
	Code int
	// Reason is the text the peer sent with the code; it may be empty.
	Reason string
}

// Error returns the code and reason.
func (e *CloseError) Error() string {
	s := "transport: connection closed by peer with code " + strconv.Itoa(e.Code)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Errors that callers branch on with errors.Is.
var (
	// ErrClosed: the socket or transport was closed by this side.
	ErrClosed = errors.New("transport: closed")
	// ErrNotConnected: Send or Read on a socket or transport that has no
	// connection.
	ErrNotConnected = errors.New("transport: not connected")
	// ErrAlreadyConnected: Dial on a socket that is connected.
	ErrAlreadyConnected = errors.New("transport: already connected")
	// ErrAccepted: Dial on a socket that a listener accepted; only its
	// peer can open a new connection.
	ErrAccepted = errors.New("transport: an accepted connection cannot be dialled")
	// ErrSubprotocol: the WebSocket peer did not agree to the "sip"
	// subprotocol that RFC 7118 requires.
	ErrSubprotocol = errors.New("transport: WebSocket peer did not agree to the \"sip\" subprotocol")
	// ErrConnectTimeout: a Transport gave up on a dial after its
	// ConnectTimeout.
	ErrConnectTimeout = errors.New("transport: connect timeout")
	// ErrNoPong: a keep-alive ping got no answer in time; the connection
	// is considered dead.
	ErrNoPong = errors.New("transport: no keep-alive pong in time")
)

// Default sizes.
const (
	// DefaultMTU is the path MTU assumed when it is unknown (RFC 3261
	// §18.1.1).
	DefaultMTU = 1500
	// maxDatagram is the largest UDP payload.
	maxDatagram = 65535
)

// NeedsStream reports whether a request of msgLen bytes must not be sent
// over UDP on a path with the given MTU, but over a congestion controlled
// transport such as TCP, as RFC 3261 §18.1.1 says: when it is within 200
// bytes of the MTU. An mtu of 0 or less means unknown and counts as 1500,
// which gives the RFC's 1300-byte limit.
//
// The rule applies to requests only; responses go back over the transport
// the request came on. A user agent that gets true, and whose target
// accepts TCP, sends the request over a TCP socket to the same target and
// writes "TCP" in the top Via. If the target allows no TCP it may send over
// UDP anyway and let IP fragmentation carry the datagram.
func NeedsStream(msgLen, mtu int) bool {
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	return msgLen > mtu-200
}

// maxSize returns n, or sip's default message size limit if n <= 0.
func maxSize(n int) int {
	if n <= 0 {
		return sip.DefaultMaxMessageSize
	}
	return n
}

// isKeepAlive reports whether b holds only CR and LF bytes, as a
// keep-alive carried in a datagram or frame does.
func isKeepAlive(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	for _, c := range b {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// hostOf writes an address in the form SIP uses for hosts: IPv6 in
// brackets, without a zone.
func hostOf(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		return "[" + a.WithZone("").String() + "]"
	}
	return a.String()
}

// sipURI returns "sip:host:port;transport=t" for a peer address. A zero
// port is left out.
func sipURI(host string, port int, transport string) sip.URI {
	u := sip.URI{Scheme: "sip", Host: host, Port: port}
	if transport != "" {
		u.Params.Set("transport", transport)
	}
	return u
}
