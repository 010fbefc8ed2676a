// Package webrtc is Ringo's native media engine, on pion/webrtc v4: ICE
// (host candidates, STUN and TURN servers), DTLS-SRTP, complete SDP for SIP
// with an ICE gathering timeout, G.711 audio encoded and decoded in Go, Opus
// passed through from and to Ogg files, VP8 video from and to IVF files, and
// RFC 4733 DTMF.
//
// [New] returns an [Engine], a media.Engine. Each call's [Session] sends
// what its sources give and hands what it receives to its sinks:
//
//   - audio to send: an audio.Source (tone, silence, WAV file, PCMWriter;
//     encoded as PCMU or PCMA, whichever was negotiated) or an [OpusSource]
//     (an Ogg/Opus file: packets passed through, Opus negotiated);
//   - audio received: an audio.Sink (WAV recorder, PCMReader, SinkFunc; fed
//     decoded G.711) or an [OpusSink] (Ogg recorder);
//   - video: a [VideoSource] of VP8 frames (an IVF file) and a [VideoSink]
//     (IVF recorder).
//
// Sources and sinks come from the Config's factories for sessions made by
// NewSession (what the signalling layer calls), or from [SessionOptions] for
// [Engine.NewSessionWith]; [Session.SetAudioSource] and
// [Session.SetAudioSink] swap them during a call.
//
// DTMF is written here (pion has none): the audio stream's RTP is
// packetized by this package through a TrackLocal of its own, so
// telephone-event packets share the audio stream's SSRC, sequence numbers
// and timestamps, as RFC 4733 requires; received telephone-events are
// taken out of the same stream.
//
// The package is native only: under js/wasm it is empty, and media/browser
// is the engine there.
package webrtc
