// Package media is the contract between Ringo's signalling and the media of
// one call.
//
// The signalling layer (the ringo package's Session) never touches RTP, ICE or
// codecs. It asks an [Engine] for a [Session] per call and trades SDP with it
// as plain strings: [Session.CreateOffer] for an INVITE, re-INVITE or UPDATE
// it sends, [Session.CreateAnswer] for one it receives, and
// [Session.SetRemoteAnswer] for the answer to its own offer. Descriptions are
// complete (every ICE candidate is in them, no trickle), as SIP needs.
//
// Hold is a direction: [Session.SetDirection] chooses what the next offer or
// answer asks for (sendonly or inactive to hold, sendrecv to resume), and
// [RemoteDirection] reads what the peer asked for, so the signalling can report
// a remote hold. Mute ([Session.SetMuted]) needs no renegotiation. DTMF is sent
// and received as RFC 4733 telephone-events; when none was negotiated,
// [Session.SendDTMF] returns [ErrNoTelephoneEvent] and the signalling can fall
// back to SIP INFO, using [ValidateDTMF] and the same tone alphabet.
//
// This package imports no media stack and builds for every GOOS, js/wasm
// included. Engines live below it: media/webrtc (native, on pion/webrtc) and
// media/browser (js/wasm, on the browser's RTCPeerConnection). An application
// that brings its own SDP can implement Engine itself.
package media
