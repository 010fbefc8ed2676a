// Package digest implements HTTP Digest access authentication as SIP uses it:
// RFC 7616 (which obsoletes RFC 2617), RFC 8760 (SHA-256 and SHA-512/256 in
// SIP) and RFC 3261 §22, with RFC 2069 compatibility when a server offers no
// qop.
//
// The package works on header values, not on messages: the caller hands it the
// value of each WWW-Authenticate or Proxy-Authenticate header field, the
// request method, the request-URI as a string and the message body, and puts
// the value returned by [Credentials.String] into an Authorization or
// Proxy-Authorization header field. It has no I/O and builds for
// GOOS=js GOARCH=wasm.
//
// # Parsing
//
// [ParseChallenge] and [ParseCredentials] parse one header value each.
// They accept linear white space and line folding around "=" and ",", token
// and quoted-string values, empty list elements and parameter names in any
// case, keep unknown parameters in order, and reject everything else with an
// error that wraps [ErrSyntax] and names the parameter and the byte offset.
// [Challenge.String] and [Credentials.String] give the canonical wire form.
//
// # Client
//
// A [Client] holds a user's credentials and, per realm, the last challenge it
// answered, so that later requests can carry credentials before being
// challenged (servers that challenge every request, as JsSIP expects, then
// cost one round trip less). [Select] picks the strongest challenge a response
// offers. An [Exchange] follows one request through the challenges it meets and
// decides whether to answer again: a challenge with stale=true is answered once
// more without asking the user, a second challenge without it means the
// credentials were refused ([ErrRejected]).
//
// Use one Client for WWW-Authenticate/Authorization and another for
// Proxy-Authenticate/Proxy-Authorization: they are different protection
// spaces and the package does not know which header a value came from.
//
// # Server
//
// A [Server] issues challenges whose nonce carries its own creation time and
// an HMAC over it, so that a stale or forged nonce is recognised without
// storing nonces, and verifies credentials against a lookup function.
package digest
