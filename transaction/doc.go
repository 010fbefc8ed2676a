// Package transaction is the SIP transaction layer of RFC 3261 §17, with the
// Accepted state of RFC 6026 and the non-INVITE rules of RFC 4320.
//
// A [Layer] holds the client transactions ([Client]) and server
// transactions ([Server]) of one user agent. The transaction user (TU: the
// UA core, dialogs) starts a client transaction with [Layer.Request] and
// hands every received message to [Layer.HandleMessage]; the layer matches
// it to a transaction or creates a server transaction, runs the four state
// machines (INVITE and non-INVITE, client and server) with their timers,
// and sends through a [Sender]. It never touches the network itself, so it
// builds for js/wasm and is tested without sockets.
//
// # Concurrency
//
// A Layer is not safe for concurrent use: it belongs to the goroutine that
// drives the user agent, the UA loop. Every method is called there, and
// every event is delivered there by calling a handler:
//
//   - [Handler] (in [Config]) gets each new server transaction with its
//     request, CANCEL included, and stray ACKs and responses;
//   - [ClientHandler] (given to Request) gets the responses of a client
//     transaction, its failure (timeout or transport error) and its end;
//   - [ServerHandler] (set with [Server.SetHandler]) gets the ACKs for a
//     2xx, the failure (no ACK, transport error) and the end of a server
//     transaction.
//
// Timers come from an internal/clock Clock. The real clock fires them on
// goroutines of its own, so [Config.Post] must hand them to the loop; with a
// clock.Fake advanced on the loop (tests), Post may be nil and expiries run
// inline.
//
// # Timers
//
// T1, T2 and T4 default to 500 ms, 4 s and 5 s ([Config]). "unreliable"
// is UDP; "reliable" is TCP, TLS, WebSocket, SCTP.
//
//	Timer  Machine            Unreliable                 Reliable  Purpose
//	A      INVITE client      T1, doubling (no cap)      -         INVITE retransmission in Calling
//	B      INVITE client      64*T1                      64*T1     timeout in Calling, or after a CANCEL (408)
//	D      INVITE client      32 s (Config.TimerD)       0         absorb final retransmissions in Completed
//	M      INVITE client      64*T1                      64*T1     Accepted: pass further 2xx up (RFC 6026)
//	E      non-INVITE client  T1, doubling, capped at T2 -         retransmission; T2 in Proceeding
//	F      non-INVITE client  64*T1                      64*T1     timeout (408)
//	K      non-INVITE client  T4                         0         absorb response retransmissions
//	-      INVITE server      200 ms                     200 ms    100 Trying unless the TU answered first
//	G      INVITE server      T1, doubling, capped at T2 -         non-2xx final retransmission in Completed
//	G      INVITE server      T1, doubling, capped at T2 same      2xx retransmission in Accepted until the ACK (§13.3.1.4)
//	H      INVITE server      64*T1                      64*T1     wait for the ACK of a non-2xx (ErrNoACK)
//	I      INVITE server      T4                         0         absorb ACK retransmissions in Confirmed
//	L      INVITE server      64*T1                      64*T1     Accepted (RFC 6026); ErrNoACK if no ACK came
//	J      non-INVITE server  64*T1                      0         absorb request retransmissions in Completed
//
// As in RFC 3261, Timer B runs in Calling: once a provisional response has
// arrived an INVITE waits for its final response as long as the TU lets
// it. When the TU gives up it calls [Client.Cancel], which restarts Timer B
// so that the INVITE ends 64*T1 after the CANCEL if no final response
// comes (§9.1).
//
// The retransmission of a 2xx to an INVITE is, in RFC 3261, the UAS core's
// job (§13.3.1.4), done "even if the transport at the UAS is reliable". This
// layer does it on the core's behalf in the Accepted state, and matches the
// ACK for the 2xx (which has its own branch) by Call-ID, From tag, To tag
// and CSeq number.
//
// # Provisional responses
//
// An INVITE server transaction sends 100 Trying 200 ms after the INVITE
// arrived, or at once if the INVITE is retransmitted first, unless the TU
// has responded by then. A non-INVITE server transaction follows RFC 4320:
// it never sends a provisional response on its own, refuses 1xx codes
// other than 100 from the TU, and over an unreliable transport holds a
// 100 back until a client's Timer E would have reached T2 (3.5 s by
// default), dropping it if the final response comes first.
//
// # Failures
//
// A timeout or a transport error is reported to the TU as an [*Error]
// through the handler's HandleError, followed by HandleTerminated. Its
// StatusCode is the response RFC 3261 §8.1.3.1 tells a UAC to act as if
// it had received, 408 for a timeout and 503 for a transport error, but
// no response is fabricated. Errors from the call the TU is making
// (Request, Respond, SendACK) are returned instead.
//
// # Matching
//
// Responses match a client transaction by the branch of their top Via and
// their CSeq method (§17.1.3). Requests match a server transaction by
// branch, sent-by and method, an ACK matching its INVITE (§17.2.3). A
// request whose branch lacks the "z9hG4bK" magic cookie, from an RFC 2543
// element, is matched by Request-URI, To tag, From tag, Call-ID, CSeq and
// top Via instead; its ACK by Request-URI, From tag, Call-ID, CSeq number,
// top Via and the To tag of the response sent.
//
// A CANCEL is a transaction of its own; [Layer.MatchCancel] finds the
// INVITE server transaction it targets. On the client side [Client.Cancel]
// builds and sends the CANCEL, waiting for a provisional response first as
// §9.1 requires. An INVITE client transaction builds and sends the ACK for
// a non-2xx final response itself (§17.1.1.3); the ACK for a 2xx belongs
// to the dialog, and [Client.SendACK] sends it and repeats it for
// retransmissions of that 2xx.
package transaction
