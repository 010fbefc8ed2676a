'use strict';
// The Ringo web phone: register, call, answer, hang up, hold, mute, DTMF
// and messages, on Ringo's JsSIP-shaped API. `ringo serve --web` serves it
// with config.json ({ws_url, domain}) to fill the account in.
(function () {
  const $ = (id) => document.getElementById(id);
  let ua = null;
  let session = null;
  let timer = null;

  function status(text) {
    $('status').textContent = text;
  }

  function callState(text) {
    $('call_state').textContent = text;
  }

  function logMessage(cls, text) {
    const li = document.createElement('li');
    li.className = cls;
    li.textContent = text;
    $('message_log').appendChild(li);
    li.scrollIntoView({ block: 'nearest' });
  }

  function buttons() {
    const registered = Boolean(ua && ua.isRegistered());
    const inCall = Boolean(session && !session.isEnded());
    const up = inCall && session.isEstablished();
    $('register').disabled = Boolean(ua);
    $('unregister').disabled = !ua;
    $('call').disabled = !registered || inCall;
    $('send').disabled = !registered;
    $('hangup').disabled = !inCall;
    $('hold').disabled = !up;
    $('mute').disabled = !up;
    $('hold').textContent = up && session.isOnHold().local ? 'Resume' : 'Hold';
    $('mute').textContent = up && session.isMuted().audio ? 'Unmute' : 'Mute';
    $('incoming').hidden = !(inCall && session.direction === 'incoming' && !up);
  }

  function startTimer() {
    const start = Date.now();
    clearInterval(timer);
    timer = setInterval(() => {
      const s = Math.floor((Date.now() - start) / 1000);
      $('duration').textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    }, 500);
  }

  function attachAudio(pc) {
    pc.addEventListener('track', (e) => {
      $('remote_audio').srcObject = e.streams[0] || new MediaStream([e.track]);
      $('remote_audio').play().catch(() => {});
    });
  }

  function track(s) {
    session = s;
    const peer = s.remote_identity ? s.remote_identity.uri.toString() : '';
    $('duration').textContent = '00:00';
    if (s.connection) {
      attachAudio(s.connection);
    } else {
      s.on('peerconnection', (e) => attachAudio(e.peerconnection));
    }
    s.on('progress', () => callState(`ringing ${peer}`));
    s.on('accepted', () => callState(`connecting ${peer}`));
    s.on('confirmed', () => {
      callState(`in call with ${peer}`);
      startTimer();
      buttons();
    });
    s.on('hold', (e) => {
      callState(e.originator === 'local' ? `on hold: ${peer}` : `${peer} put you on hold`);
      buttons();
    });
    s.on('unhold', () => {
      callState(`in call with ${peer}`);
      buttons();
    });
    s.on('muted', buttons);
    s.on('unmuted', buttons);
    s.on('newDTMF', (e) => {
      if (e.originator === 'remote') callState(`in call with ${peer}: DTMF ${e.dtmf.tone}`);
    });
    const end = (e) => {
      clearInterval(timer);
      callState(`call ended: ${e.cause}`);
      session = null;
      $('remote_audio').srcObject = null;
      buttons();
    };
    s.on('ended', end);
    s.on('failed', end);
    buttons();
  }

  function register(ev) {
    ev.preventDefault();
    const socket = new Ringo.WebSocketInterface($('server').value.trim());
    ua = new Ringo.UA({
      sockets: [socket],
      uri: $('uri').value.trim(),
      password: $('password').value || undefined,
      display_name: $('display_name').value || undefined,
      register: true,
    });
    ua.on('connecting', () => status('connecting…'));
    ua.on('connected', () => status('connected'));
    ua.on('disconnected', () => status('disconnected: retrying'));
    ua.on('registered', () => {
      status(`registered as ${$('uri').value.trim()}`);
      buttons();
    });
    ua.on('unregistered', () => {
      status('not registered');
      buttons();
    });
    ua.on('registrationFailed', (e) => {
      status(`registration failed: ${e.cause}`);
      buttons();
    });
    ua.on('newRTCSession', (e) => {
      if (session && !session.isEnded()) {
        e.session.terminate({ status_code: 486 }); // busy: one call at a time
        return;
      }
      if (e.originator === 'remote') {
        $('incoming_from').textContent = e.session.remote_identity.toString();
        callState('incoming call');
      }
      track(e.session);
    });
    ua.on('newMessage', (e) => {
      if (e.originator === 'remote') {
        logMessage('in', `${e.request.from.uri.user || e.request.from.uri}: ${e.request.body}`);
      }
    });
    ua.start();
    buttons();
  }

  function logout() {
    if (!ua) return;
    ua.stop().then(() => status('logged out'));
    ua = null;
    session = null;
    buttons();
  }

  function call() {
    const target = $('target').value.trim();
    if (!target) return;
    try {
      ua.call(target, { mediaConstraints: { audio: true, video: false } });
      callState(`calling ${target}`);
    } catch (err) {
      callState(`cannot call: ${err.message}`);
    }
  }

  function dtmf(tone) {
    if (session && session.isEstablished()) {
      session.sendDTMF(tone, { transportType: $('rfc4733').checked ? 'RFC2833' : 'INFO' })
        .catch((err) => callState(`DTMF failed: ${err.message}`));
    } else {
      $('target').value += tone;
    }
  }

  function send(ev) {
    ev.preventDefault();
    const to = $('message_to').value.trim();
    const text = $('message_text').value;
    if (!to || !text) return;
    const m = ua.sendMessage(to, text, {
      eventHandlers: {
        succeeded: () => logMessage('out', `to ${to}: ${text}`),
        failed: (e) => logMessage('err', `to ${to} failed (${e.cause}): ${text}`),
      },
    });
    m.promise.catch(() => {});
    $('message_text').value = '';
  }

  $('login').addEventListener('submit', register);
  $('unregister').addEventListener('click', logout);
  $('call').addEventListener('click', call);
  $('answer').addEventListener('click', () => session && session.answer({ mediaConstraints: { audio: true, video: false } }));
  $('decline').addEventListener('click', () => session && session.terminate({ status_code: 603 }));
  $('hangup').addEventListener('click', () => session && session.terminate());
  $('hold').addEventListener('click', () => {
    if (!session) return;
    const p = session.isOnHold().local ? session.unhold() : session.hold();
    p.catch((err) => callState(`hold failed: ${err.message}`));
  });
  $('mute').addEventListener('click', () => {
    if (!session) return;
    if (session.isMuted().audio) session.unmute({ audio: true });
    else session.mute({ audio: true });
  });
  for (const b of $('pad').querySelectorAll('button')) {
    b.addEventListener('click', () => dtmf(b.textContent));
  }
  $('message_form').addEventListener('submit', send);

  fetch('config.json').then((r) => (r.ok ? r.json() : {})).catch(() => ({})).then((c) => {
    if (c.ws_url && !$('server').value) $('server').value = c.ws_url;
    if (c.domain && !$('uri').value) $('uri').placeholder = `sip:alice@${c.domain}`;
  });
  Ringo.ready.then(() => status(`Ringo ${Ringo.version} loaded: register to start`),
    (err) => status(`cannot load Ringo: ${err.message}`));
  buttons();
})();
