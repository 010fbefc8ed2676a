'use strict';
// A Ringo UA on the wasm build in Node.js that the Go tests in wasm/ drive
// (through internal/testpeer.RunNode), as interop/jssip-ua.js drives JsSIP:
// one JSON event per line on stdout, one JSON command per line on stdin.
//
// Environment: RINGO_WS_URL, RINGO_URI (required), RINGO_PASSWORD,
// RINGO_DISPLAY_NAME, RINGO_WASM_DIR (where ringo.wasm and wasm_exec.js
// are; ringo.js reads it), RINGO_REJECT_BODY (reject a MESSAGE with this
// body with 486).
//
// Events: loaded {ms}, connecting, connected, disconnected {error, code, reason}, registered
// {status}, unregistered, registrationFailed {status, cause}, message
// {originator, from, body, content_type, x_test}, options {from},
// message_sent / message_failed {id, status, cause}, options_sent /
// options_failed, session {originator, id, from}, session_event {id,
// name, originator, cause, status, tone, body, content_type}, result {id,
// ok, error, status}, stopped.
//
// Commands: message {id, target, body, content_type, extra_headers},
// options {id, target}, call {id, target, sdp}, answer {id, sdp},
// terminate {id}, hold {id}, unhold {id}, dtmf {id, tones}, info {id,
// content_type, body}, status {id}, stop.

const t0 = process.hrtime.bigint();
const Ringo = require('../ringo.js');
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
const { emit, serve } = require('./lines.js');

emit('loaded', { ms: loadMs, version: Ringo.version });

const env = process.env;
const ua = new Ringo.UA({
  sockets: [new Ringo.WebSocketInterface(env.RINGO_WS_URL)],
  uri: env.RINGO_URI,
  password: env.RINGO_PASSWORD,
  display_name: env.RINGO_DISPLAY_NAME,
  register: true,
  register_expires: 120,
  session_timers: false,
});

for (const name of ['connecting', 'connected', 'unregistered']) {
  ua.on(name, () => emit(name));
}
ua.on('disconnected', (e) => emit('disconnected', { error: e.error, code: e.code, reason: e.reason }));
ua.on('registered', (e) => emit('registered', { status: e.response.status_code }));
ua.on('registrationFailed', (e) => emit('registrationFailed', { status: e.response && e.response.status_code, cause: e.cause }));
ua.on('newMessage', (e) => {
  if (e.originator !== 'remote') {
    return;
  }
  const r = e.request;
  emit('message', {
    originator: e.originator, from: r.from.uri.toString(), display_name: r.from.display_name || '',
    body: r.body, content_type: r.getHeader('content-type'), x_test: r.getHeader('X-Test') || '',
    remote_user: e.message.remote_identity.uri.user,
  });
  if (env.RINGO_REJECT_BODY && r.body === env.RINGO_REJECT_BODY) {
    e.message.reject({ status_code: 486, reason_phrase: 'Busy Here' });
  }
});
ua.on('newOptions', (e) => {
  if (e.originator === 'remote') {
    emit('options', { from: e.request.from.uri.toString() });
  }
});

const sessions = new Map();
const subscribers = new Map();
let notifier = null;

// Incoming SUBSCRIBEs are accepted with a Notifier whose first NOTIFY
// carries RINGO_NOTIFY_BODY.
ua.on('newSubscribe', (e) => {
  emit('new_subscribe', { event_package: e.event.event, from: e.request.from.uri.toString(), expires: e.request.getHeader('Expires') });
  notifier = ua.notify(e.request, 'text/plain');
  notifier.on('subscribe', (isUnsubscribe, request, body) => emit('notifier_subscribe', { is_unsubscribe: isUnsubscribe, body, method: request.method }));
  notifier.on('terminated', (code) => emit('notifier_terminated', { code, state: notifier.state }));
  result('notifier_start', notifier.start().then(() => notifier.notify(env.RINGO_NOTIFY_BODY || '')));
});

function track(id, session) {
  sessions.set(id, session);
  for (const name of ['progress', 'accepted', 'confirmed', 'ended', 'failed', 'hold', 'unhold', 'muted', 'unmuted', 'newDTMF', 'newInfo']) {
    session.on(name, (e) => emit('session_event', {
      id, name, originator: e.originator, cause: e.cause,
      status: e.response ? e.response.status_code : undefined,
      tone: e.dtmf ? e.dtmf.tone : undefined,
      body: e.info ? e.info.body : undefined,
      content_type: e.info ? e.info.contentType : undefined,
    }));
  }
}

let incoming = 0;
ua.on('newRTCSession', (e) => {
  if (e.originator === 'remote') {
    const id = `in${++incoming}`;
    track(id, e.session);
    emit('session', { originator: 'remote', id, from: e.request.from.uri.toString(), direction: e.session.direction });
  }
});

function result(id, p) {
  Promise.resolve(p).then((v) => emit('result', { id, ok: true, status: v && v.status_code }),
    (err) => emit('result', { id, ok: false, error: err.message, cause: err.cause, status: err.status_code }));
}

const commands = {
  message(c) {
    const m = ua.sendMessage(c.target, c.body, {
      contentType: c.content_type, extraHeaders: c.extra_headers,
      eventHandlers: {
        succeeded: (e) => emit('message_sent', { id: c.id, status: e.response.status_code }),
        failed: (e) => emit('message_failed', { id: c.id, status: e.response && e.response.status_code, cause: e.cause }),
      },
    });
    result(c.id, m.promise);
  },
  options(c) {
    const o = ua.sendOptions(c.target, null, {
      eventHandlers: {
        succeeded: (e) => emit('options_sent', { id: c.id, status: e.response.status_code }),
        failed: (e) => emit('options_failed', { id: c.id, status: e.response && e.response.status_code, cause: e.cause }),
      },
    });
    result(c.id, o.promise);
  },
  call(c) {
    const s = ua.call(c.target, { sdp: c.sdp });
    track(c.id, s);
    emit('session', { originator: 'local', id: c.id, direction: s.direction });
  },
  answer(c) {
    result(c.id, sessions.get(c.id).answer({ sdp: c.sdp }));
  },
  terminate(c) {
    result(c.id, sessions.get(c.id).terminate());
  },
  hold(c) {
    result(c.id, sessions.get(c.id).hold());
  },
  unhold(c) {
    result(c.id, sessions.get(c.id).unhold());
  },
  dtmf(c) {
    result(c.id, sessions.get(c.id).sendDTMF(c.tones, { duration: 100, interToneGap: 50 }));
  },
  info(c) {
    result(c.id, sessions.get(c.id).sendInfo(c.content_type, c.body));
  },
  status(c) {
    const s = sessions.get(c.id);
    emit('status', { id: c.id, established: s.isEstablished(), ended: s.isEnded(), hold: s.isOnHold(), muted: s.isMuted(), status: s.status });
  },
  mute(c) {
    sessions.get(c.id).mute({ audio: true });
  },
  subscribe(c) {
    const s = subscribers.get(c.id) || ua.subscribe(c.target, c.event, c.accept, { expires: c.expires, contentType: 'text/plain' });
    if (!subscribers.has(c.id)) {
      subscribers.set(c.id, s);
      s.on('accepted', () => emit('subscriber_accepted', { id: c.id }));
      s.on('active', () => emit('subscriber_active', { id: c.id, state: s.state }));
      s.on('pending', () => emit('subscriber_pending', { id: c.id }));
      s.on('notify', (isFinal, request, body, contentType) => emit('subscriber_notify', { id: c.id, is_final: isFinal, body, content_type: contentType, method: request.method }));
      s.on('terminated', (code, reason, retryAfter) => emit('subscriber_terminated', { id: c.id, code, reason, retry_after: retryAfter, state: s.state }));
    }
    result(c.id, s.subscribe(c.body));
  },
  unsubscribe(c) {
    result(c.id, subscribers.get(c.id).terminate(c.body));
  },
  notify(c) {
    result(c.id, notifier.notify(c.body));
  },
  stop() {
    ua.stop().then(() => {
      emit('stopped');
      process.exit(0);
    });
  },
};

serve(commands);

ua.start();
