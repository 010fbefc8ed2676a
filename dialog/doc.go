// Package dialog keeps the state of a SIP dialog (RFC 3261 §12): the
// Call-ID and tags that identify it, the local and remote sequence
// numbers, the remote target and the route set, and builds the requests
// sent within it with loose or strict routing.
//
// A Dialog is created by the UAC from a response with a To tag (NewUAC) or
// by the UAS from the request it answers (NewUAS). Sessions (INVITE) and
// subscriptions (SUBSCRIBE/NOTIFY) both build on it. It does no I/O and is
// driven from the UA loop.
package dialog
