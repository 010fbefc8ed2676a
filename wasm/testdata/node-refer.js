'use strict';
// Several Ringo UAs on the wasm build in one Node.js process, for the
// transfer and request tests of wasm/node_refer_test.go: every event of
// every call is reported, in order, with its payload, one JSON line each.
//
// Environment: RINGO_WS_URL, RINGO_WASM_DIR.
// Commands: ua {ua, user, refer: accept|reject|none, replaces: accept|
// reject|none, reinvite (a status to reject re-INVITEs with), answer_sdp,
// sdp_edit, sending_header}, call {ua, id,
// target, sdp, extra_headers}, refer {id, rid, target, replaces,
// extra_headers}, message {ua, id, target, body}, terminate {id}, stop.
// Events: registered {ua}, session {ua, id, originator, request},
// s:<id> {id, name, ...} (a call's events), r:<rid> {name, ...} (a
// transfer's ReferSubscriber events), message
// {ua, id, name, request}, result {id, ok, error}.
const Ringo = require('../ringo.js');
const { emit, serve } = require('./lines.js');

// req summarises a request object as the listeners see it.
function req(r) {
  if (!r) {
    return null;
  }
  return {
    method: r.method, ruri: r.ruri && r.ruri.toString(), call_id: r.call_id || '', from_tag: r.from_tag || '',
    from: r.from && r.from.uri.toString(), to: r.to && r.to.uri.toString(), cseq: r.cseq || 0, body: r.body || '',
    via: r.hasHeader('via'), contact: r.hasHeader('contact'), content_type: r.getHeader('content-type') || '',
    x_test: r.getHeader('x-test') || '', replaces: r.getHeader('replaces') || '', referred_by: r.getHeader('referred-by') || '',
    refer_to: r.getHeader('refer-to') || '', x_sending: r.getHeader('x-sending') || '',
  };
}

const uas = new Map();
const sessions = new Map();
let pendingId = null; // the id of the session that newRTCSession is about to announce
let counter = 0;

function track(ua, policy, id, session) {
  sessions.set(id, session);
  const names = ['connecting', 'sending', 'sdp', 'peerconnection', 'progress', 'accepted', 'confirmed', 'ended', 'failed',
    'refer', 'replaces', 'reinvite', 'update', 'getusermediafailed'];
  for (const name of names) {
    session.on(name, (e) => {
      const f = { id, name, originator: e.originator, cause: e.cause };
      if (e.response) f.status = e.response.status_code;
      if (e.request) f.request = req(e.request);
      if (name === 'sdp') {
        f.type = e.type;
        if (policy.sdp_edit && e.originator === 'local') {
          e.sdp += policy.sdp_edit + '\r\n';
        }
      }
      if (name === 'sending' && policy.sending_header) {
        e.request.setHeader('X-Sending', policy.sending_header);
      }
      if (name === 'ended' || name === 'failed') {
        f.status = e.message && e.message.status_code;
      }
      if (name === 'sending') {
        f.session_id = session.id;
      }
      emit(`s:${id}`, f);
      if (name === 'refer') {
        if (policy.refer === 'accept') {
          const nid = `${policy.name}-ref${++counter}`;
          pendingId = nid;
          const s = e.accept((s2) => emit('init_callback', { id: nid, session: s2 instanceof Ringo.RTCSession }), { sdp: policy.answer_sdp });
          emit('refer_accepted', { id: nid, returned: s === sessions.get(nid) });
        } else if (policy.refer === 'reject') {
          e.reject({ status_code: 486 });
        }
      }
      if ((name === 'reinvite' || name === 'update') && policy.reinvite) {
        e.reject({ status_code: policy.reinvite });
      }
      if (name === 'replaces') {
        if (policy.replaces === 'accept') {
          pendingId = `${policy.name}-in${++counter}`;
          e.accept();
        } else {
          e.reject();
        }
      }
    });
  }
  if (policy.refer === 'none') {
    session.removeAllListeners('refer');
  }
  if (policy.replaces === 'none') {
    session.removeAllListeners('replaces');
  }
}

const commands = {
  ua(c) {
    const ua = new Ringo.UA({
      sockets: [new Ringo.WebSocketInterface(process.env.RINGO_WS_URL)],
      uri: `sip:${c.user}@ringo.test`,
      display_name: c.display_name,
      register: true,
      session_timers: false,
    });
    const policy = Object.assign({ name: c.ua }, c);
    uas.set(c.ua, ua);
    ua.on('registered', () => emit('registered', { ua: c.ua }));
    ua.on('newRTCSession', (e) => {
      const id = pendingId || `${c.ua}-in${++counter}`;
      pendingId = null;
      track(ua, policy, id, e.session);
      emit('session', { ua: c.ua, id, originator: e.originator, request: req(e.request), session_id: e.session.id || '', same_request: e.request === e.session._request });
      if (e.originator === 'remote' && policy.answer_sdp) {
        e.session.answer({ sdp: policy.answer_sdp }).catch((err) => emit('error', { message: err.message }));
      }
    });
    ua.on('newMessage', (e) => {
      if (e.originator === 'local') {
        const r = e.request;
        emit('message', { ua: c.ua, name: 'newMessage', request: req(r) });
        e.message.on('succeeded', () => emit('message', { ua: c.ua, name: 'succeeded', request: req(r) }));
      }
    });
    ua.start();
  },
  call(c) {
    pendingId = c.id;
    uas.get(c.ua).call(c.target, { sdp: c.sdp, extraHeaders: c.extra_headers });
  },
  refer(c) {
    const s = sessions.get(c.id);
    const opts = { extraHeaders: c.extra_headers };
    if (c.replaces) {
      opts.replaces = sessions.get(c.replaces);
    }
    const names = ['requestSucceeded', 'requestFailed', 'trying', 'progress', 'accepted', 'failed'];
    const handlers = {};
    for (const name of names) {
      handlers[name] = (e) => emit(`r:${c.rid}`, {
        rid: c.rid, name, status: e.response ? e.response.status_code : undefined, cause: e.cause,
        status_code: e.status_line && e.status_line.status_code, reason_phrase: e.status_line && e.status_line.reason_phrase,
        notify: e.request ? e.request.method : undefined, sub_id: sub.id,
      });
    }
    opts.eventHandlers = handlers;
    const sub = s.refer(c.target, opts);
    emit('refer_returned', { rid: c.rid, subscriber: sub instanceof Ringo.ReferSubscriber });
  },
  message(c) {
    uas.get(c.ua).sendMessage(c.target, c.body, { extraHeaders: c.extra_headers });
  },
  terminate(c) {
    sessions.get(c.id).terminate();
  },
  stop() {
    Promise.all([...uas.values()].map((ua) => ua.stop())).then(() => {
      emit('stopped');
      process.exit(0);
    });
  },
};

serve(commands);
emit('ready');
