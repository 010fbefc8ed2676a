// Package testmsg holds the SIP messages that Ringo's benchmarks parse and
// write: the same bytes for package sip's own benchmarks and for the
// comparison with other SIP stacks in bench/, so both measure one thing.
//
// Every line ends in CRLF and every Content-Length is exact, so any parser
// that accepts well-formed SIP takes them as they are.
package testmsg

// A Message is one of the benchmark messages with the name that benchmark
// results use for it.
type Message struct {
	Name string
	Text string
}

// All lists the benchmark messages in the order benchmarks run them.
var All = []Message{
	{Name: "small-invite", Text: SmallInvite},
	{Name: "webrtc-invite", Text: WebRTCInvite},
	{Name: "401-register", Text: Unauthorized401},
}

// SmallInvite (463 bytes) is a typical INVITE from a softphone over UDP
// with no body (Content-Length: 0), as in a delayed-offer call: all of its
// bytes are start line and header fields.
const SmallInvite = "" +
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK776asdhds;rport\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@biloxi.example.com>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
	"CSeq: 314159 INVITE\r\n" +
	"Contact: <sip:alice@192.0.2.4:5060;transport=udp>\r\n" +
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n" +
	"Supported: replaces, timer\r\n" +
	"User-Agent: Linphone/5.3.0\r\n" +
	"Content-Length: 0\r\n" +
	"\r\n"

// WebRTCInvite (2393 bytes) is an INVITE with a WebRTC offer as JsSIP 3.13 sends it
// from Chrome over a secure WebSocket: a random ".invalid" Via host and
// Contact with ";transport=ws;ob", Max-Forwards 69, JsSIP's Allow and
// Supported lists and Session-Expires, and an SDP offer gathered to the
// end (host mDNS, server-reflexive and TCP candidates, ICE credentials, a
// DTLS fingerprint, BUNDLE, rtcp-mux, Opus, RED, G.722, PCMU, PCMA, CN,
// telephone-event, SSRC lines). It is WebRTCInviteHeader followed by
// WebRTCOffer.
const WebRTCInvite = WebRTCInviteHeader + WebRTCOffer

// WebRTCInviteHeader is the start line and header of WebRTCInvite, up to
// and including the empty line.
const WebRTCInviteHeader = "" +
	"INVITE sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/WSS k3v9q2m7x1pd.invalid;branch=z9hG4bK4817362\r\n" +
	"Max-Forwards: 69\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"From: \"Alice\" <sip:alice@example.com>;tag=q7f2k9m1vd\r\n" +
	"Call-ID: 5p0c8r3t1w6z9y2x4b7n1m\r\n" +
	"CSeq: 6527 INVITE\r\n" +
	"Contact: <sip:h4t8w2ka@k3v9q2m7x1pd.invalid;transport=ws;ob>\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Session-Expires: 90\r\n" +
	"Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n" +
	"Supported: timer,ice,replaces,outbound\r\n" +
	"User-Agent: JsSIP 3.13.8\r\n" +
	"Content-Length: 1870\r\n" +
	"\r\n"

// WebRTCOffer is the body of WebRTCInvite: Chrome's SDP offer.
const WebRTCOffer = "" +
	"v=0\r\n" +
	"o=- 6871302486291874253 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0\r\n" +
	"a=extmap-allow-mixed\r\n" +
	"a=msid-semantic: WMS 8c4f2a6e-3b1d-4e7a-9f05-6d2c8b9a1e34\r\n" +
	"m=audio 61834 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n" +
	"c=IN IP4 203.0.113.7\r\n" +
	"a=rtcp:9 IN IP4 0.0.0.0\r\n" +
	"a=candidate:3467290213 1 udp 2122260223 6f1e0d2c-4b3a-4c59-8e7d-1a2b3c4d5e6f.local 61834 typ host generation 0 network-id 1 network-cost 10\r\n" +
	"a=candidate:1045832617 1 udp 2122194687 2b8c4e1f-7a3d-4f62-b9e0-5c1d8a7f3e24.local 61836 typ host generation 0 network-id 2 network-cost 50\r\n" +
	"a=candidate:1894762340 1 udp 1686052607 203.0.113.7 61834 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 10\r\n" +
	"a=candidate:2217854301 1 tcp 1518280447 6f1e0d2c-4b3a-4c59-8e7d-1a2b3c4d5e6f.local 9 typ host tcptype active generation 0 network-id 1 network-cost 10\r\n" +
	"a=ice-ufrag:Xq7P\r\n" +
	"a=ice-pwd:3fJk9LmN2pQrS5tUvW8xYz1A\r\n" +
	"a=ice-options:trickle\r\n" +
	"a=fingerprint:sha-256 7B:2E:91:C4:5A:0D:F3:68:B1:27:9E:4C:D0:83:6A:F5:12:BE:47:09:C8:3D:E6:71:A2:5F:90:1B:DC:34:8E:67\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
	"a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n" +
	"a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n" +
	"a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n" +
	"a=sendrecv\r\n" +
	"a=msid:8c4f2a6e-3b1d-4e7a-9f05-6d2c8b9a1e34 5e2d7c1a-9b84-4f36-a0e2-c71d3f5b8a96\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtcp-rsize\r\n" +
	"a=rtpmap:111 opus/48000/2\r\n" +
	"a=rtcp-fb:111 transport-cc\r\n" +
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"a=rtpmap:63 red/48000/2\r\n" +
	"a=fmtp:63 111/111\r\n" +
	"a=rtpmap:9 G722/8000\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:8 PCMA/8000\r\n" +
	"a=rtpmap:13 CN/8000\r\n" +
	"a=rtpmap:110 telephone-event/48000\r\n" +
	"a=rtpmap:126 telephone-event/8000\r\n" +
	"a=ssrc:2961735108 cname:Yv3kQ9sTzW1bN7cE\r\n" +
	"a=ssrc:2961735108 msid:8c4f2a6e-3b1d-4e7a-9f05-6d2c8b9a1e34 5e2d7c1a-9b84-4f36-a0e2-c71d3f5b8a96\r\n"

// Unauthorized401 (463 bytes) is Kamailio's 401 challenge to a REGISTER that JsSIP
// sent over a secure WebSocket: Via with rport and received filled in, a
// To tag, WWW-Authenticate with realm, nonce and qop, and no body.
const Unauthorized401 = "" +
	"SIP/2.0 401 Unauthorized\r\n" +
	"Via: SIP/2.0/WSS k3v9q2m7x1pd.invalid;branch=z9hG4bK9021734;rport=53412;received=203.0.113.7\r\n" +
	"To: <sip:alice@example.com>;tag=37a4d91f0c2e8b56a1d7e3f9c4b2a60d.8f1c\r\n" +
	"From: <sip:alice@example.com>;tag=r8n1c5x2qe\r\n" +
	"Call-ID: 7g2k5s9d1f4h8j3l6q0w2e\r\n" +
	"CSeq: 31 REGISTER\r\n" +
	"WWW-Authenticate: Digest realm=\"example.com\", nonce=\"ZmB2cWVkZjk3NjE0YTgzYjJjMTBmZTU0ZDcwOWE5ODE=\", qop=\"auth\"\r\n" +
	"Server: kamailio (5.7.4 (x86_64/linux))\r\n" +
	"Content-Length: 0\r\n" +
	"\r\n"
