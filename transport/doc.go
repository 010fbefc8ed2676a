// Package transport carries SIP messages between a user agent and its peers.
//
// A [Socket] is one connection (or, for UDP, one flow) to one peer, as
// JsSIP's Socket is: it dials with a context, sends whole messages, reads
// whole messages, closes, and says how to name it in Via and Contact.
// Users may plug in their own implementations.
//
// The package provides:
//
//   - [WebSocket]: SIP over WebSocket (RFC 7118) on github.com/coder/websocket,
//     natively and in browsers (GOOS=js GOARCH=wasm). The "sip" subprotocol
//     is required, text and binary frames are accepted, one message per frame,
//     and the Via host is a random "<token>.invalid" name.
//   - [StreamSocket] (TCP, TLS) and [UDPSocket] (native builds only), with
//     RFC 3581 rport helpers ([StampVia], [ResponseAddr]), Content-Length
//     framing from package sip, and RFC 5626 CRLF keep-alives on streams.
//   - Listeners for the server side (native builds only): [WebSocketHandler]
//     (an http.Handler) and [ListenWebSocket], [ListenTCP], [ListenTLS],
//     which yield a Socket per accepted connection, and [ListenUDP].
//   - [Transport]: several sockets with weights, highest weight first and
//     failover, reconnection with randomized exponential backoff, a connect
//     timeout, and keep-alives that detect a dead connection. It hands every
//     inbound message of its current socket to one channel and reports
//     connecting, connected and disconnected events on another.
//
// # Reading
//
// Socket.Read returns one whole message at a time in a slice the caller
// owns, so a single read goroutine can pass it to the user agent's loop over
// a channel without copying. Keep-alives are consumed inside Read: a CRLF
// ping is answered with a pong, and a pong wakes a pending [Pinger.Ping].
// Read therefore has to be running for a Ping to succeed.
//
// # Sizes
//
// RFC 3261 §18.1.1 asks a client to send a request over a congestion
// controlled transport (TCP) instead of UDP when it is within 200 bytes of
// the path MTU, or larger than 1300 bytes if the MTU is unknown. The socket
// cannot do this by itself, because the top Via must then name the new
// transport; the user agent asks [NeedsStream] and picks a TCP socket to the
// same target when the target allows TCP.
//
// Timers (backoff, connect timeout, keep-alive) run on an
// internal/clock.Clock, so tests drive them with a fake clock.
package transport
