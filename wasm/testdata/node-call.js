'use strict';
// A Ringo UA on the wasm build in Node.js that places and answers calls
// with real media through @roamhq/wrtc (ringo.js installs its classes as
// the WebRTC globals): it sends a 440 Hz tone from an RTCAudioSource and
// measures what an RTCAudioSink receives. Driven by wasm/node_media_test.go
// with JSON lines, as peer.js.
//
// Environment: RINGO_WS_URL, RINGO_URI, RINGO_PASSWORD.
// Events: registered, session {id, originator}, session_event {id, name,
// originator, cause}, audio {id, frames, rms, hz} (every second of audio
// received), stats {id, ...}, result {id, ok, error}, stopped.
// Commands: call {id, target}, answer {id}, dtmf {id, tones, transport},
// terminate {id}, stop.
const Ringo = require('../ringo.js');
const { emit, serve } = require('./lines.js');

const wrtc = Ringo.wrtc;
if (!wrtc) {
  emit('error', { message: 'no @roamhq/wrtc: cd wasm && npm ci' });
  process.exit(2);
}
const { RTCAudioSource, RTCAudioSink } = wrtc.nonstandard;

// tone returns a MediaStream with a 440 Hz tone, fed every 10 ms.
function tone() {
  const source = new RTCAudioSource();
  const rate = 48000;
  const frames = rate / 100;
  let phase = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(frames);
    for (let i = 0; i < frames; i++) {
      samples[i] = Math.round(8000 * Math.sin(phase));
      phase += (2 * Math.PI * 440) / rate;
    }
    source.onData({ samples, sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: frames });
  }, 10);
  const track = source.createTrack();
  return { stream: new wrtc.MediaStream([track]), stop: () => { clearInterval(timer); track.stop(); } };
}

// listen measures the audio of each remote audio track: RMS and the
// frequency from zero crossings, once per second of audio.
function listen(id, pc) {
  pc.addEventListener('track', (e) => {
    if (e.track.kind !== 'audio') return;
    const sink = new RTCAudioSink(e.track);
    let n = 0;
    let sum = 0;
    let crossings = 0;
    let last = 0;
    let total = 0;
    sink.ondata = (d) => {
      const s = d.samples;
      const ch = d.channelCount || 1;
      for (let i = 0; i < s.length; i += ch) {
        const v = s[i];
        sum += v * v;
        if ((last < 0 && v >= 0) || (last >= 0 && v < 0)) crossings++;
        last = v;
        n++;
      }
      if (n >= d.sampleRate) {
        total += n;
        emit('audio', { id, frames: total, rms: Math.sqrt(sum / n), hz: crossings / 2 / (n / d.sampleRate) });
        n = 0;
        sum = 0;
        crossings = 0;
      }
    };
    sessions.get(id).sinks.push(sink);
  });
}

const ua = new Ringo.UA({
  sockets: [new Ringo.WebSocketInterface(process.env.RINGO_WS_URL)],
  uri: process.env.RINGO_URI,
  password: process.env.RINGO_PASSWORD,
  session_timers: false,
});
ua.on('registered', () => emit('registered'));

const sessions = new Map();
let incoming = 0;

function track(id, session, media) {
  sessions.set(id, { session, media, sinks: [] });
  if (session.connection) listen(id, session.connection);
  else session.on('peerconnection', (e) => listen(id, e.peerconnection));
  for (const name of ['progress', 'accepted', 'confirmed', 'ended', 'failed', 'newDTMF', 'hold', 'unhold']) {
    session.on(name, (e) => {
      emit('session_event', { id, name, originator: e.originator, cause: e.cause, tone: e.dtmf && e.dtmf.tone });
      if (name === 'ended' || name === 'failed') {
        const s = sessions.get(id);
        s.media.stop();
        s.sinks.forEach((k) => k.stop());
      }
    });
  }
}

ua.on('newRTCSession', (e) => {
  if (e.originator !== 'remote') return;
  const id = `in${++incoming}`;
  track(id, e.session, tone());
  emit('session', { id, originator: 'remote' });
});

function result(id, p) {
  Promise.resolve(p).then(() => emit('result', { id, ok: true }), (err) => emit('result', { id, ok: false, error: err.message, cause: err.cause }));
}

const commands = {
  call(c) {
    const media = tone();
    const s = ua.call(c.target, { mediaStream: media.stream });
    track(c.id, s, media);
    emit('session', { id: c.id, originator: 'local' });
  },
  answer(c) {
    const s = sessions.get(c.id);
    result(c.id, s.session.answer({ mediaStream: s.media.stream }));
  },
  dtmf(c) {
    result(c.id, sessions.get(c.id).session.sendDTMF(c.tones, { transportType: c.transport }));
  },
  terminate(c) {
    result(c.id, sessions.get(c.id).session.terminate());
  },
  stop() {
    ua.stop().then(() => {
      emit('stopped');
      // wrtc may crash while Node.js tears it down; the work is done.
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50);
    });
  },
};

serve(commands);

ua.start();
