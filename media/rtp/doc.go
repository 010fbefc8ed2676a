// Package rtp is Ringo's plain RTP media engine: the RTP/AVP profile of
// RFC 3550 and RFC 3551 with SDP offer/answer per RFC 3264, as desk phones,
// softphones such as baresip, Asterisk's plain SIP endpoints and sipp speak
// it. There is no ICE, no DTLS and no SRTP: media flows in clear over UDP
// between the addresses the c= and m= lines name.
//
// [New] returns an [Engine], a media.Engine. Each call's [Session] owns one
// UDP socket (an even port, RTP) on the engine's local IP (Config.LocalIP;
// by default the first non-loopback IPv4 address of the host), and:
//
//   - offers m=audio PORT RTP/AVP 0 8 101 with rtpmap lines for PCMU, PCMA
//     and telephone-event/8000 (fmtp 0-16), a=ptime:20 and the direction
//     last given to SetDirection;
//   - answers an RTP/AVP offer with the first of the offer's codecs it knows
//     (PCMU or PCMA, in the offerer's order) and telephone-event if offered;
//     an offer with no usable audio stream gives an error wrapping
//     media.ErrIncompatibleSDP (the signalling answers 488);
//   - sends one packet every 20 ms, paced by a ticker, from an audio.Source
//     (silence when there is none, when it ended and when muted), encoded
//     as G.711 with media/audio;
//   - decodes what it receives into an audio.Sink: packets older than the
//     newest received, and duplicates, are dropped; a change of SSRC starts
//     a new stream;
//   - is symmetric (comedia, for NAT): after the first valid packet from the
//     peer, it sends to the address that packet came from rather than the
//     one the SDP names;
//   - sends and receives DTMF as RFC 4733 telephone-events (SendDTMF,
//     OnDTMF: once per tone, when its end packet arrives; the repeated end
//     packets are ignored);
//   - holds by direction (sendonly, recvonly, inactive), and counts packets,
//     bytes, loss (from sequence gaps) and interarrival jitter (RFC 3550
//     §A.8) per direction in Stats.
//
// RTCP is left out: the session binds the RTP port + 1 as RFC 3550 expects
// of RTCP and discards whatever arrives there, so a peer that sends RTCP
// gets no ICMP errors; RTCP multiplexed on the RTP port (RFC 5761) is
// recognised and dropped. So Stats' Sent.Lost, Sent.Jitter and RoundTrip
// stay zero.
//
// The state of a session goes to StateConnected when the first negotiation
// completes (there is no handshake in plain RTP) and to StateClosed when it
// is closed.
//
// A user agent that talks to both WebRTC and plain RTP peers sets its
// Config.MediaEngine to media.ByProfile{Plain: rtpEngine, WebRTC:
// webrtcEngine}: each call then gets the engine its offer's m= line asks
// for. The ringo command does the same (see its --media flag).
//
// The package is native only: under js/wasm it is empty.
package rtp
