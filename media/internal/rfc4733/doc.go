// Package rfc4733 holds what media/rtp and media/webrtc share of RFC 4733
// telephone-events: the 4-byte payload and the receiver that turns a
// stream of event packets into one event per tone.
package rfc4733
