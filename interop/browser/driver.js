'use strict';
// Drives JsSIP phones in headless Chromium for Ringo's interop tests (see
// internal/testpeer.StartBrowser). One driver is one Chromium; each phone is
// a page of its own (in a browser context of its own) that runs phone.js on
// the JsSIP bundle that build.js makes at start-up. The pages are served by a
// small HTTP server of this script's on 127.0.0.1.
//
// It talks JSON lines like interop/jssip-ua.js: one command per line on stdin,
// one event per line on stdout. Every phone event carries "phone", the name
// given in "open"; events of the driver itself have none.
//
// Environment:
//   RINGO_CHROMIUM        the Chromium binary (default /usr/bin/chromium);
//                         never downloaded
//   RINGO_CHROMIUM_ARGS   extra command-line switches, space separated
//   RINGO_BROWSER_DEBUG   "1": the pages' console on stderr
//
// Driver commands and events:
//   started {url, browser_version}             once Chromium runs
//   {"cmd":"open","phone":NAME, "ws_url":URL, "uri":URI, "password":S,
//    "auth_user":S, "display_name":S, "register":true, "register_expires":N,
//    "auto_answer":false, "stats_poll_ms":50, "loopback_only":true, "debug":false}
//       -> opened {phone}, then the phone's events (connecting, connected,
//          registered ...)
//   {"cmd":"close","phone":NAME}               -> stopped, closed {phone}
//   {"cmd":"stop"} (or end of stdin, SIGTERM)   -> stopped; exit 0
//   error {message, cmd, phone, id}            a command failed
//
// Phone commands, each with "phone" (and an optional "session", default the
// phone's newest session that has not ended; "id" is echoed in errors):
//   register, unregister {all}
//   call {target, audio:true, video:false, extra_headers:[S]}
//   answer, hangup {status_code, reason_phrase}, hold, unhold,
//   mute {audio:true, video:false}, unmute {...}
//   dtmf {tones, transport:"INFO"|"RFC2833", duration, gap}  (JsSIP's default
//       transport is INFO; RFC2833 goes through RTCDTMFSender)
//   info {content_type, body}
//   message {target, body, content_type:"text/plain", extra_headers:[S], id}
//       -> message_sent {id, status, reason} / message_failed {id, status,
//          reason, cause}
//   auto_answer {on:true}                      answer incoming calls at once
//   stats {id}                                 -> one stats event
//   watch_stats {interval_ms}                  stats events every interval (0: off)
//   stop                                       hang up, unregister, stop the UA
//
// Phone events (all with "phone" and t_ms, the page's clock in ms):
//   connecting, connected, disconnected {code, reason, error}
//   registered {status, reason}, unregistered {status, reason, cause},
//   registration_failed {status, reason, cause}
//   newRTCSession {session, originator, from, to, call_id}
//   and for that session: connecting, sending, progress {originator, status,
//   reason}, accepted {...}, confirmed {originator}, ended / failed
//   {originator, cause, status, reason}, newDTMF {originator, tone, duration},
//   newInfo {originator, content_type, body}, hold / unhold {originator},
//   muted / unmuted {audio, video}, reinvite, update, ice_state {state},
//   dtmf_tone_sent {tone} (RFC2833 only, as RTCDTMFSender plays it),
//   getusermediafailed {message}
//   rtp_started {session, setup_ms, ...stats}: once per session, when getStats
//       (polled every stats_poll_ms) first shows an inbound audio packet;
//       setup_ms counts from call() (caller) or the INVITE's arrival (callee)
//   stats {session, inbound_audio_packets, inbound_audio_bytes,
//       outbound_audio_packets, outbound_audio_bytes, audio_level,
//       total_samples_received, concealed_samples, total_audio_energy
//       (the remote audio plays in an <audio> element, muted), packets_lost, jitter, direction, ice_state, selected_pair,
//       local_addresses, remote_addresses}  (the candidates getStats knows,
//       as "TYPE:PROTOCOL:ADDRESS"; a peer-reflexive remote has no address)
//   newMessage {originator, from, display_name, to, body, content_type}: a
//       MESSAGE received (and answered 200)
//   stopped, error {message, cmd, id}, page_error {message}
const fs = require('fs');
const http = require('http');
const path = require('path');
const readline = require('readline');
const { bundle } = require('./build');

function emit(event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields || {}, { event })) + '\n');
}

const debug = process.env.RINGO_BROWSER_DEBUG === '1';

// The switches Chromium needs here: headless as root without a sandbox or
// GPU, no traffic of its own (updates, sync, QUIC), fake microphone and
// camera with the permission prompt answered, and WebRTC allowed to use the
// loopback interface. Playwright adds --headless, --no-sandbox and a new
// --user-data-dir of its own (under TMPDIR, removed on close).
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  // phone.js plays the remote audio (Chromium decodes it only then) without
  // a click. Playwright's --mute-audio keeps the speakers quiet.
  '--autoplay-policy=no-user-gesture-required',
  // Timers of pages that are not in front (every page but one) run at full
  // speed: JsSIP's timers and the 50 ms stats polling need it.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

const files = {
  '/': { type: 'text/html; charset=utf-8', file: path.join(__dirname, 'index.html') },
  '/index.html': { type: 'text/html; charset=utf-8', file: path.join(__dirname, 'index.html') },
  '/phone.js': { type: 'text/javascript; charset=utf-8', file: path.join(__dirname, 'phone.js') },
};

function serve(jssip) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let body;
    let type;
    if (url.pathname === '/jssip.js') {
      body = jssip;
      type = 'text/javascript; charset=utf-8';
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    } else if (files[url.pathname]) {
      body = fs.readFileSync(files[url.pathname].file);
      type = files[url.pathname].type;
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

let browser = null;
let server = null;
let baseURL = '';
const phones = new Map(); // name -> {context, page, queue}
let stopping = null;

async function open(c) {
  const name = c.phone;
  if (!name) throw new Error('open: "phone" is required');
  if (phones.has(name)) throw new Error(`phone ${JSON.stringify(name)} is already open`);
  if (!c.ws_url || !c.uri) throw new Error('open: "ws_url" and "uri" are required');
  const context = await browser.newContext();
  const page = await context.newPage();
  const phone = { context, page, queue: Promise.resolve(), closed: false };
  phones.set(name, phone);
  page.on('console', (msg) => {
    if (debug || msg.type() === 'error') process.stderr.write(`[${name}] console.${msg.type()}: ${msg.text()}\n`);
  });
  page.on('pageerror', (err) => emit('page_error', { phone: name, message: String(err && err.stack ? err.stack : err) }));
  page.on('crash', () => emit('page_error', { phone: name, message: 'page crashed' }));
  await page.exposeFunction('ringoEmit', (ev) => {
    if (!phone.closed) emit(ev.event, Object.assign({ phone: name }, ev));
  });
  await page.goto(`${baseURL}/?phone=${encodeURIComponent(name)}`);
  const cfg = Object.assign({}, c);
  delete cfg.cmd;
  delete cfg.phone;
  emit('opened', { phone: name, url: page.url() });
  await page.evaluate((config) => window.ringoPhone.start(config), cfg);
}

async function close(name) {
  const phone = phones.get(name);
  if (!phone) throw new Error(`no phone ${JSON.stringify(name)}`);
  phones.delete(name);
  try {
    await phone.queue;
    await Promise.race([
      phone.page.evaluate(() => window.ringoPhone.command({ cmd: 'stop' })),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ]);
  } finally {
    phone.closed = true;
    await phone.context.close().catch(() => {});
    emit('closed', { phone: name });
  }
}

function phoneCommand(c) {
  const phone = phones.get(c.phone);
  if (!phone) throw new Error(`no phone ${JSON.stringify(c.phone)}`);
  // One phone's commands run in order; another phone's need not wait.
  phone.queue = phone.queue
    .then(() => phone.page.evaluate((cmd) => window.ringoPhone.command(cmd), c))
    .catch((err) => emit('error', { phone: c.phone, cmd: c.cmd, id: c.id, message: String(err && err.message) }));
}

function stop(code) {
  if (stopping) return stopping;
  stopping = (async () => {
    await Promise.all([...phones.keys()].map((name) => close(name).catch(() => {})));
    if (browser) await browser.close().catch(() => {});
    if (server) server.close();
    emit('stopped');
    process.exitCode = code || 0;
    // Let stdout drain, then go even if a handle is left.
    setTimeout(() => process.exit(code || 0), 100).unref();
  })();
  return stopping;
}

async function handle(c) {
  switch (c.cmd) {
    case 'open':
      return open(c);
    case 'close':
      return close(c.phone);
    case 'stop':
      return stop(0);
    default:
      if (!c.phone) throw new Error(`unknown driver command ${JSON.stringify(c.cmd)} (phone commands need "phone")`);
      return phoneCommand(c);
  }
}

async function main() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (err) {
    emit('error', { message: `playwright-core not installed (cd interop && npm ci): ${err.message}` });
    process.exit(3);
  }
  const executablePath = process.env.RINGO_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    emit('error', { message: `Chromium not found at ${executablePath} (apt-get install chromium)` });
    process.exit(3);
  }
  const jssip = await bundle();
  server = await serve(jssip);
  baseURL = `http://127.0.0.1:${server.address().port}`;
  const extra = (process.env.RINGO_CHROMIUM_ARGS || '').split(' ').filter(Boolean);
  browser = await chromium.launch({
    executablePath,
    headless: true,
    chromiumSandbox: false,
    args: chromiumArgs.concat(extra),
    // The driver handles SIGTERM itself (closing the phones first).
    handleSIGTERM: false,
    handleSIGINT: false,
    handleSIGHUP: true,
  });
  browser.on('disconnected', () => {
    if (!stopping) {
      emit('error', { message: 'Chromium exited' });
      stop(1);
    }
  });
  emit('started', { url: baseURL, browser_version: browser.version(), chromium: executablePath });

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
    Promise.resolve()
      .then(() => handle(c))
      .catch((err) => emit('error', { phone: c.phone, cmd: c.cmd, id: c.id, message: String(err && err.message) }));
  });
  rl.on('close', () => stop(0));
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));

main().catch((err) => {
  emit('error', { message: `driver: ${err && err.stack ? err.stack : err}` });
  stop(1);
});
