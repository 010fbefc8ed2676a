// Package audio holds the pieces of telephone audio that need no media
// stack: G.711 μ-law and A-law (PCMU and PCMA) encoding and decoding, WAV
// files, sources of audio to send (a tone, silence, a WAV file, a PCM writer
// an application pushes samples into) and sinks for audio received (a WAV
// recorder, a callback, a channel of frames), and a little analysis
// (DominantFrequency, RMS) that tests and the demo use to check a recording.
//
// Sources and sinks carry 16-bit linear PCM, mono, at [Rate] (8 kHz), the
// rate of G.711; an engine reads and writes them one frame of
// [FrameSamples] (20 ms) at a time.
package audio
