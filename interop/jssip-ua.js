'use strict';
// A JsSIP UA in Node.js that Ringo's interop tests drive (see
// internal/testpeer.RunNode). It talks JSON lines: one event per line on
// stdout ({"event":"registered",...}), one command per line on stdin
// ({"cmd":"message",...}); JsSIP's own debug output, when asked for, goes to
// stderr.
//
// Environment:
//   RINGO_WS_URL            WebSocket URL of the server (required), ws://127.0.0.1:PORT
//   RINGO_URI               the UA's SIP URI (required), sip:alice@ringo.test
//   RINGO_PASSWORD          digest password (optional)
//   RINGO_AUTH_USER         authorization user (default: the URI's user)
//   RINGO_DISPLAY_NAME      display name (optional)
//   RINGO_REGISTER          "0" to not register on start (default: register)
//   RINGO_REGISTER_EXPIRES  registration expiry in seconds (default 600)
//   RINGO_MESSAGE_STATUS    status for incoming MESSAGEs (default 200)
//   RINGO_DEBUG             "1" for JsSIP's debug log on stderr
//
// Events (stdout), each with "event":
//   connecting, connected, disconnected {code, reason, error}
//   registered {status}, unregistered {status, cause}, registration_failed {status, cause}
//   message {from, display_name, to, request_uri, body, content_type, call_id, raw}
//   options {from, to, request_uri, call_id, raw}    (answered 200 by JsSIP)
//   message_sent {id, status, reason} / message_failed {id, status, reason, cause}
//   options_sent {id, status, reason} / options_failed {id, status, reason, cause}
//   subscribe {id, from, event_package, expires, accept, body, content_type, raw}  (incoming SUBSCRIBE; answer it
//       with the "notifier" command)
//   notifier_subscribe {id, is_unsubscribe, body, content_type}, notifier_expired {id},
//   notifier_terminated {id, code}
//   subscriber_accepted {id}, subscriber_pending {id}, subscriber_active {id},
//   subscriber_notify {id, is_final, body, content_type}, subscriber_terminated {id, code, reason, retry_after}
//   sip_event {event_package, from, body, content_type}  (out-of-dialog NOTIFY)
//   error {message, cmd}, stopped
//
// Commands (stdin), each with "cmd"; "id" is optional and echoed in results:
//   {"cmd":"message","target":URI,"body":S,"content_type":S,"extra_headers":[S]}
//   {"cmd":"options","target":URI}
//   {"cmd":"register"}  {"cmd":"unregister","all":false}
//   {"cmd":"subscribe","id":S,"target":URI,"event":S,"accept":S,"expires":N,"content_type":S,"body":S}
//       (again with the same id: refresh); {"cmd":"unsubscribe","id":S,"body":S}
//   {"cmd":"notifier","id":S,"content_type":S,"pending":false}  (for a "subscribe" event's id: 200 it)
//       with "on_unsubscribe":{"body":S,"reason":S}: answer an un-SUBSCRIBE with a final NOTIFY
//       carrying them (JsSIP's Notifier sends none unless its app calls terminate() then)
//   {"cmd":"notify","id":S,"body":S}  {"cmd":"notify_active","id":S}
//   {"cmd":"notify_terminate","id":S,"body":S,"reason":S,"retry_after":N}
//   {"cmd":"stop"}  (unregister, stop, exit 0; end of stdin does the same)

// JsSIP's WebSocketInterface opens `new WebSocket(url, 'sip')` on the global.
global.WebSocket = require('ws');
const JsSIP = require('jssip');
const readline = require('readline');

function emit(event, fields) {
  // "event" names the line's kind; a field of the same name cannot hide it.
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields || {}, { event })) + '\n');
}

function need(name) {
  const v = process.env[name];
  if (!v) {
    emit('error', { message: `${name} is not set` });
    process.exit(2);
  }
  return v;
}

if (process.env.RINGO_DEBUG === '1') {
  JsSIP.debug.enable('JsSIP:*');
} else {
  JsSIP.debug.disable();
}

const socket = new JsSIP.WebSocketInterface(need('RINGO_WS_URL'));
const config = {
  sockets: [socket],
  uri: need('RINGO_URI'),
  register: process.env.RINGO_REGISTER !== '0',
  register_expires: Number(process.env.RINGO_REGISTER_EXPIRES || 600),
  session_timers: false,
  user_agent: `JsSIP ${JsSIP.version} (ringo interop)`,
};
if (process.env.RINGO_PASSWORD) config.password = process.env.RINGO_PASSWORD;
if (process.env.RINGO_AUTH_USER) config.authorization_user = process.env.RINGO_AUTH_USER;
if (process.env.RINGO_DISPLAY_NAME) config.display_name = process.env.RINGO_DISPLAY_NAME;
const messageStatus = Number(process.env.RINGO_MESSAGE_STATUS || 200);

const ua = new JsSIP.UA(config);

function status(response) {
  return response ? { status: response.status_code, reason: response.reason_phrase } : {};
}

ua.on('connecting', () => emit('connecting'));
ua.on('connected', () => emit('connected'));
ua.on('disconnected', (e) => emit('disconnected', { code: e.code, reason: e.reason, error: !!e.error }));
ua.on('registered', (e) => emit('registered', status(e.response)));
ua.on('unregistered', (e) => emit('unregistered', Object.assign(status(e.response), { cause: e.cause })));
ua.on('registrationFailed', (e) => emit('registration_failed', Object.assign(status(e.response), { cause: e.cause })));

ua.on('newMessage', (e) => {
  if (e.originator !== 'remote') return;
  const req = e.request;
  emit('message', {
    from: req.from.uri.toString(),
    display_name: req.from.display_name || '',
    to: req.to.uri.toString(),
    request_uri: req.ruri.toString(),
    body: req.body || '',
    content_type: req.getHeader('Content-Type') || '',
    call_id: req.call_id,
    raw: req.data,
  });
  if (messageStatus >= 300) {
    e.message.reject({ status_code: messageStatus });
  } else {
    e.message.accept();
  }
});

ua.on('newOptions', (e) => {
  if (e.originator !== 'remote') return;
  const req = e.request;
  emit('options', {
    from: req.from.uri.toString(),
    to: req.to.uri.toString(),
    request_uri: req.ruri.toString(),
    call_id: req.call_id,
    raw: req.data,
  });
  // With a listener JsSIP leaves the answer to us.
  e.message.accept();
});

ua.on('sipEvent', (e) => {
  const req = e.request;
  emit('sip_event', {
    event_package: e.event ? e.event.event : '',
    from: req.from.uri.toString(),
    body: req.body || '',
    content_type: req.getHeader('Content-Type') || '',
  });
});

// Incoming SUBSCRIBEs wait for a "notifier" command; subscribers we create.
const incoming = new Map(); // id -> SUBSCRIBE request (until "notifier")
const notifiers = new Map(); // id -> Notifier
const subscribers = new Map(); // id -> Subscriber
let nextID = 1;

ua.on('newSubscribe', (e) => {
  const req = e.request;
  const id = `sub${nextID++}`;
  incoming.set(id, req);
  emit('subscribe', {
    id,
    from: req.from.uri.toString(),
    event_package: e.event ? e.event.event : '',
    expires: req.hasHeader('Expires') ? Number(req.getHeader('Expires')) : null,
    accept: req.getHeader('Accept') || '',
    body: req.body || '',
    content_type: req.getHeader('Content-Type') || '',
    raw: req.data,
  });
});

function sendResult(kind, id) {
  return {
    succeeded: (e) => emit(`${kind}_sent`, Object.assign({ id }, status(e.response))),
    failed: (e) => emit(`${kind}_failed`, Object.assign({ id }, status(e.response), { cause: e.cause })),
  };
}

function lookup(map, id) {
  const v = map.get(id);
  if (!v) throw new Error(`unknown id ${JSON.stringify(id)}`);
  return v;
}

let stopping = false;

async function stop() {
  if (stopping) return;
  stopping = true;
  // Unregister first and wait for the answer: ua.stop() with a transaction
  // in flight would hold the socket open for two more seconds.
  if (ua.isRegistered()) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 3000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      ua.once('unregistered', done);
      ua.once('registrationFailed', done);
      ua.unregister();
    });
  }
  ua.stop();
  emit('stopped');
  // Let the WebSocket close frame go out.
  setTimeout(() => process.exit(0), 50);
}

const handlers = {
  message(c) {
    const opts = {
      contentType: c.content_type || 'text/plain',
      extraHeaders: c.extra_headers || [],
      eventHandlers: sendResult('message', c.id),
    };
    ua.sendMessage(c.target, c.body === undefined ? '' : c.body, opts);
  },
  options(c) {
    ua.sendOptions(c.target, c.body, {
      extraHeaders: c.extra_headers || [],
      eventHandlers: sendResult('options', c.id),
    });
  },
  register() {
    ua.register();
  },
  unregister(c) {
    ua.unregister({ all: !!c.all });
  },
  subscribe(c) {
    const id = c.id || `s${nextID++}`;
    let s = subscribers.get(id);
    if (!s) {
      s = ua.subscribe(c.target, c.event, c.accept || 'text/plain', {
        expires: c.expires,
        contentType: c.content_type || 'text/plain',
        extraHeaders: c.extra_headers || [],
      });
      s.on('accepted', () => emit('subscriber_accepted', { id }));
      s.on('pending', () => emit('subscriber_pending', { id }));
      s.on('active', () => emit('subscriber_active', { id }));
      s.on('notify', (isFinal, req, body, contentType) =>
        emit('subscriber_notify', { id, is_final: isFinal, body: body || '', content_type: contentType || '' }));
      s.on('terminated', (code, reason, retryAfter) => {
        subscribers.delete(id);
        emit('subscriber_terminated', { id, code, reason: reason || '', retry_after: retryAfter === undefined ? null : retryAfter });
      });
      subscribers.set(id, s);
    }
    s.subscribe(c.body);
  },
  unsubscribe(c) {
    lookup(subscribers, c.id).terminate(c.body);
  },
  notifier(c) {
    const req = lookup(incoming, c.id);
    incoming.delete(c.id);
    const n = ua.notify(req, c.content_type || 'text/plain', {
      pending: !!c.pending,
      extraHeaders: c.extra_headers || [],
    });
    n.on('subscribe', (isUnsubscribe, r, body, contentType) => {
      emit('notifier_subscribe', { id: c.id, is_unsubscribe: isUnsubscribe, body: body || '', content_type: contentType || '' });
      if (isUnsubscribe && c.on_unsubscribe) {
        n.terminate(c.on_unsubscribe.body || null, c.on_unsubscribe.reason || null);
      }
    });
    n.on('expired', () => emit('notifier_expired', { id: c.id }));
    n.on('terminated', (code) => {
      notifiers.delete(c.id);
      emit('notifier_terminated', { id: c.id, code });
    });
    notifiers.set(c.id, n);
    n.start();
  },
  notify(c) {
    lookup(notifiers, c.id).notify(c.body);
  },
  notify_active(c) {
    lookup(notifiers, c.id).setActiveState();
  },
  notify_terminate(c) {
    lookup(notifiers, c.id).terminate(c.body, c.reason, c.retry_after);
  },
  stop() {
    stop();
  },
};

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let c;
  try {
    c = JSON.parse(line);
  } catch (err) {
    emit('error', { message: `bad command line: ${err.message}` });
    return;
  }
  const h = handlers[c.cmd];
  if (!h) {
    emit('error', { message: `unknown command ${JSON.stringify(c.cmd)}`, cmd: c.cmd });
    return;
  }
  try {
    h(c);
  } catch (err) {
    emit('error', { message: err.message, cmd: c.cmd });
  }
});
rl.on('close', () => stop());
process.on('SIGTERM', () => stop());

ua.start();
