// Package ringo is a SIP user agent: it connects to a SIP server over
// WebSocket (RFC 7118), UDP, TCP or TLS, registers, sends and receives
// instant messages (RFC 3428) and OPTIONS, and, in later releases, places
// and answers calls and manages subscriptions.
//
// Its API follows JsSIP's, mapped onto Go: NewUA takes a Config with
// JsSIP's settings under Go names; Start and Stop run the user agent;
// Register, SendMessage and SendOptions wait for their result and take a
// context; events (connected, registered, new message, ...) reach the
// handlers set with the On methods, in order, on a goroutine of their own,
// so a handler may call any method of the UA.
//
// Inside, each UA runs its state (transactions, registration, dialogs) on
// one goroutine, the UA loop; public methods post commands into it.
package ringo
