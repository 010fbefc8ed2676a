// Package browser is the media engine for Ringo compiled to WebAssembly and
// running where there is WebRTC: a browser, or Node.js with an
// RTCPeerConnection implementation installed as a global (such as the one
// of @roamhq/wrtc). It drives the platform's RTCPeerConnection and
// getUserMedia through syscall/js:
//
//   - each call is one RTCPeerConnection, made with Config.PCConfig (ICE
//     servers, ...) or the call's own SessionOptions.PCConfig;
//   - the local media is a given MediaStream (SessionOptions.Stream) or
//     one from getUserMedia with the call's constraints (audio only by
//     default); the remote tracks arrive on the connection's "track"
//     events, for the page to attach (Session.RemoteStream);
//   - offers and answers wait for ICE gathering, at most the gathering
//     timeout, as media.Session says;
//   - hold and unhold set the transceivers' direction, mute disables the
//     local tracks (the peer hears silence), DTMF goes through
//     RTCDTMFSender (RFC 4733). Browsers do not report telephone-events
//     they receive, so OnDTMF is never called.
//
// Everything that waits for a JavaScript Promise waits on the calling
// goroutine, never inside a JavaScript callback, so the JavaScript event
// loop keeps running.
package browser
