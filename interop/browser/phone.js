'use strict';
// A JsSIP phone in a browser page, driven by interop/browser/driver.js. The
// page (index.html) loads the JsSIP bundle (window.JsSIP) and this file, which
// defines window.ringoPhone:
//
//   ringoPhone.start(config)   config: {ws_url, uri, password, auth_user,
//                              display_name, register, register_expires,
//                              auto_answer, stats_poll_ms, loopback_only, debug}
//   ringoPhone.command(cmd)    one command object, as the driver reads them
//
// Events go out through window.ringoEmit(event) (page.exposeFunction in the
// driver), one object with an "event" field each; the driver prints them as
// JSON lines. The commands and events are listed in driver.js.
(function () {
  const JsSIP = window.JsSIP;

  function emit(event, fields) {
    const ev = Object.assign({ event }, fields || {}, { event, t_ms: Math.round(performance.now() * 10) / 10 });
    // ringoEmit returns a promise; an event the driver never takes (page
    // closing) is not an error here.
    Promise.resolve(window.ringoEmit(ev)).catch(() => {});
  }

  function status(response) {
    return response ? { status: response.status_code, reason: response.reason_phrase } : {};
  }

  let ua = null;
  let cfg = {};
  let nextSession = 1;
  const sessions = new Map(); // id -> {session, id, started, first_rtp, poll}
  let current = null; // id of the newest session not yet ended

  // keepLoopback drops every ICE candidate whose address is not 127.0.0.1
  // (and every TCP candidate) from a local SDP, so the peer sends its
  // connectivity checks to loopback only. Chromium also gathers on the
  // machine's other interfaces; without this a call would pair them.
  function keepLoopback(sdp) {
    return sdp
      .split('\r\n')
      .filter((line) => {
        if (!line.startsWith('a=candidate:')) return true;
        const f = line.substring('a=candidate:'.length).split(' ');
        // foundation component transport priority address port typ ...
        return f[2] && f[2].toLowerCase() === 'udp' && f[4] === '127.0.0.1';
      })
      .join('\r\n');
  }

  function direction(pc) {
    const t = pc ? pc.getTransceivers().find((x) => x.receiver.track && x.receiver.track.kind === 'audio') : null;
    return t ? t.currentDirection || t.direction : null;
  }

  async function readStats(s) {
    const pc = s.session.connection;
    const out = {
      session: s.id,
      inbound_audio_packets: 0,
      inbound_audio_bytes: 0,
      outbound_audio_packets: 0,
      outbound_audio_bytes: 0,
      audio_level: 0,
      total_samples_received: 0,
      concealed_samples: 0,
      total_audio_energy: 0,
      packets_lost: 0,
      jitter: 0,
      direction: direction(pc),
      ice_state: pc ? pc.iceConnectionState : null,
      selected_pair: null,
      local_addresses: [],
      remote_addresses: [],
    };
    if (!pc || pc.connectionState === 'closed') return out;
    const report = await pc.getStats();
    const byId = new Map();
    report.forEach((r) => byId.set(r.id, r));
    report.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        out.inbound_audio_packets += r.packetsReceived || 0;
        out.inbound_audio_bytes += r.bytesReceived || 0;
        out.packets_lost += r.packetsLost || 0;
        out.jitter = Math.max(out.jitter, r.jitter || 0);
        if (typeof r.audioLevel === 'number') out.audio_level = Math.max(out.audio_level, r.audioLevel);
        out.total_samples_received += r.totalSamplesReceived || 0;
        out.concealed_samples += r.concealedSamples || 0;
        out.total_audio_energy += r.totalAudioEnergy || 0;
      } else if (r.type === 'outbound-rtp' && r.kind === 'audio') {
        out.outbound_audio_packets += r.packetsSent || 0;
        out.outbound_audio_bytes += r.bytesSent || 0;
      } else if (r.type === 'local-candidate' || r.type === 'remote-candidate') {
        // Chromium leaves a peer-reflexive remote candidate's address out.
        const list = r.type === 'local-candidate' ? out.local_addresses : out.remote_addresses;
        const a = `${r.candidateType}:${r.protocol}:${r.address || ''}`;
        if (!list.includes(a)) list.push(a);
      } else if (r.type === 'transport' && r.selectedCandidatePairId) {
        const pair = byId.get(r.selectedCandidatePairId);
        const l = pair && byId.get(pair.localCandidateId);
        const rm = pair && byId.get(pair.remoteCandidateId);
        if (l && rm) out.selected_pair = `${l.address}:${l.port} -> ${rm.address}:${rm.port}`;
      }
    });
    return out;
  }

  // poll reads the session's stats every stats_poll_ms from its creation
  // until its end, and emits "rtp_started" once, when the first inbound
  // audio packet shows up: setup_ms is the time since call() (outgoing) or
  // since the INVITE arrived (incoming).
  function startPolling(s) {
    const every = cfg.stats_poll_ms || 50;
    let busy = false;
    s.poll = setInterval(async () => {
      if (busy || s.first_rtp !== null) return;
      busy = true;
      try {
        const st = await readStats(s);
        if (st.inbound_audio_packets > 0 && s.first_rtp === null) {
          s.first_rtp = performance.now();
          emit('rtp_started', Object.assign(st, { setup_ms: Math.round(s.first_rtp - s.started) }));
          clearInterval(s.poll);
          s.poll = null;
        }
      } catch (err) {
        emit('error', { message: `getStats: ${err.message}`, session: s.id });
      } finally {
        busy = false;
      }
    }, every);
  }

  function release(s) {
    if (s.audio) {
      s.audio.srcObject = null;
      s.audio.remove();
      s.audio = null;
    }
    if (s.poll) clearInterval(s.poll);
    s.poll = null;
    if (s.watch) clearInterval(s.watch);
    s.watch = null;
  }

  function track(session, originator, request, started) {
    const s = { session, id: `s${nextSession++}`, started, first_rtp: null, poll: null, watch: null, audio: null };
    sessions.set(s.id, s);
    current = s.id;
    const sid = s.id;
    const on = (name, fn) => session.on(name, (e) => emit(name, Object.assign({ session: sid }, fn ? fn(e || {}) : {})));

    session.on('sdp', (e) => {
      if (e.originator === 'local' && cfg.loopback_only !== false) e.sdp = keepLoopback(e.sdp);
    });
    // An outgoing session has its RTCPeerConnection before newRTCSession,
    // an incoming one gets it on answer.
    const attach = (pc) => {
      pc.addEventListener('iceconnectionstatechange', () => emit('ice_state', { session: sid, state: pc.iceConnectionState }));
      // Chromium decodes remote audio only for a sink: without a playing
      // element, audioLevel and the sample counters stay at 0.
      pc.addEventListener('track', (te) => {
        if (te.track.kind !== 'audio') return;
        if (!s.audio) {
          s.audio = document.createElement('audio');
          s.audio.autoplay = true;
          document.body.appendChild(s.audio);
        }
        s.audio.srcObject = te.streams[0] || new MediaStream([te.track]);
        s.audio.play().catch((err) => emit('error', { session: sid, message: `audio play: ${err.message}` }));
      });
    };
    if (session.connection) attach(session.connection);
    else session.on('peerconnection', (e) => attach(e.peerconnection));
    on('connecting');
    on('sending');
    on('progress', (e) => ({ originator: e.originator, ...status(e.response) }));
    on('accepted', (e) => ({ originator: e.originator, ...status(e.response) }));
    on('confirmed', (e) => ({ originator: e.originator }));
    const end = (e) => {
      release(s);
      if (current === sid) current = null;
      return { originator: e.originator, cause: e.cause, ...status(e.message && e.message.status_code ? e.message : null) };
    };
    on('ended', end);
    on('failed', end);
    on('newDTMF', (e) => ({
      originator: e.originator,
      tone: e.dtmf ? e.dtmf.tone : null,
      duration: e.dtmf ? e.dtmf.duration : null,
    }));
    on('newInfo', (e) => ({
      originator: e.originator,
      content_type: e.info ? e.info.contentType : null,
      body: e.info ? e.info.body : null,
    }));
    on('hold', (e) => ({ originator: e.originator }));
    on('unhold', (e) => ({ originator: e.originator }));
    on('muted', (e) => ({ audio: !!e.audio, video: !!e.video }));
    on('unmuted', (e) => ({ audio: !!e.audio, video: !!e.video }));
    on('reinvite');
    on('update');
    on('getusermediafailed', (e) => ({ message: String(e && e.message) }));
    on('peerconnection:setremotedescriptionfailed', (e) => ({ message: String(e && e.message) }));

    const remote = session.remote_identity ? session.remote_identity.uri.toString() : null;
    const local = session.local_identity ? session.local_identity.uri.toString() : null;
    emit('newRTCSession', {
      session: sid,
      originator,
      from: originator === 'remote' ? remote : local,
      to: originator === 'remote' ? local : remote,
      call_id: request ? request.call_id : null,
    });
    startPolling(s);
    return s;
  }

  function lookup(c) {
    const id = c.session || current;
    const s = id && sessions.get(id);
    if (!s) throw new Error(c.session ? `unknown session ${JSON.stringify(c.session)}` : 'no current session');
    return s;
  }

  const mediaConstraints = (c) => ({ audio: c.audio !== false, video: !!c.video });

  const handlers = {
    register() {
      ua.register();
    },
    unregister(c) {
      ua.unregister({ all: !!c.all });
    },
    auto_answer(c) {
      cfg.auto_answer = c.on !== false;
    },
    call(c) {
      const started = performance.now();
      // JsSIP fires newRTCSession (originator local) inside ua.call: the
      // session is tracked there, with this start time.
      pendingStart = started;
      try {
        ua.call(c.target, {
          mediaConstraints: mediaConstraints(c),
          rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: !!c.video },
          extraHeaders: c.extra_headers || [],
        });
      } finally {
        pendingStart = null;
      }
    },
    answer(c) {
      lookup(c).session.answer({ mediaConstraints: mediaConstraints(c) });
    },
    hangup(c) {
      const opts = {};
      if (c.status_code) opts.status_code = c.status_code;
      if (c.reason_phrase) opts.reason_phrase = c.reason_phrase;
      lookup(c).session.terminate(opts);
    },
    hold(c) {
      if (!lookup(c).session.hold()) throw new Error('hold not possible now');
    },
    unhold(c) {
      if (!lookup(c).session.unhold()) throw new Error('unhold not possible now');
    },
    mute(c) {
      lookup(c).session.mute({ audio: c.audio !== false, video: !!c.video });
    },
    unmute(c) {
      lookup(c).session.unmute({ audio: c.audio !== false, video: !!c.video });
    },
    dtmf(c) {
      const s = lookup(c);
      const transportType = c.transport || 'INFO';
      if (transportType === 'RFC2833') {
        // Report each tone as RTCDTMFSender plays it: the receiving JsSIP
        // does not report RFC 4733 events, so this is what a test can see.
        const sender = s.session.connection.getSenders().find((x) => x.track && x.track.kind === 'audio');
        if (sender && sender.dtmf && !sender.dtmf.ringoHooked) {
          sender.dtmf.ringoHooked = true;
          sender.dtmf.addEventListener('tonechange', (e) => {
            if (e.tone) emit('dtmf_tone_sent', { session: s.id, tone: e.tone });
          });
        }
      }
      const opts = { transportType };
      if (c.duration) opts.duration = c.duration;
      if (c.gap) opts.interToneGap = c.gap;
      s.session.sendDTMF(c.tones, opts);
    },
    info(c) {
      lookup(c).session.sendInfo(c.content_type || 'text/plain', c.body || '');
    },
    message(c) {
      const result = (name) => (e) =>
        emit(name, Object.assign({ id: c.id || null, ...status(e.response) }, e.cause ? { cause: e.cause } : {}));
      ua.sendMessage(c.target, c.body === undefined ? '' : c.body, {
        contentType: c.content_type || 'text/plain',
        extraHeaders: c.extra_headers || [],
        eventHandlers: { succeeded: result('message_sent'), failed: result('message_failed') },
      });
    },
    async stats(c) {
      emit('stats', Object.assign(await readStats(lookup(c)), c.id ? { id: c.id } : {}));
    },
    watch_stats(c) {
      const s = lookup(c);
      if (s.watch) clearInterval(s.watch);
      s.watch = null;
      if (!c.interval_ms) return;
      s.watch = setInterval(async () => emit('stats', await readStats(s)), c.interval_ms);
    },
    stop() {
      return stop();
    },
  };

  let pendingStart = null;

  async function stop() {
    for (const s of sessions.values()) {
      release(s);
      if (!s.session.isEnded()) s.session.terminate();
    }
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
  }

  function start(config) {
    cfg = Object.assign({}, config);
    if (cfg.debug) JsSIP.debug.enable('JsSIP:*');
    else JsSIP.debug.disable();
    const c = {
      sockets: [new JsSIP.WebSocketInterface(cfg.ws_url)],
      uri: cfg.uri,
      register: cfg.register !== false,
      register_expires: cfg.register_expires || 600,
      session_timers: false,
      user_agent: `JsSIP ${JsSIP.version} (ringo interop, browser)`,
    };
    if (cfg.password) c.password = cfg.password;
    if (cfg.auth_user) c.authorization_user = cfg.auth_user;
    if (cfg.display_name) c.display_name = cfg.display_name;
    ua = new JsSIP.UA(c);
    ua.on('connecting', () => emit('connecting'));
    ua.on('connected', () => emit('connected'));
    ua.on('disconnected', (e) => emit('disconnected', { code: e.code, reason: e.reason, error: !!e.error }));
    ua.on('registered', (e) => emit('registered', status(e.response)));
    ua.on('unregistered', (e) => emit('unregistered', Object.assign(status(e.response), { cause: e.cause })));
    ua.on('registrationFailed', (e) =>
      emit('registration_failed', Object.assign(status(e.response), { cause: e.cause })));
    ua.on('newMessage', (e) => {
      if (e.originator !== 'remote') return;
      const req = e.request;
      emit('newMessage', {
        originator: e.originator,
        from: req.from.uri.toString(),
        display_name: req.from.display_name || '',
        to: req.to.uri.toString(),
        body: req.body || '',
        content_type: req.getHeader('Content-Type') || '',
      });
      e.message.accept();
    });
    ua.on('newRTCSession', (e) => {
      const started = e.originator === 'local' && pendingStart !== null ? pendingStart : performance.now();
      const s = track(e.session, e.originator, e.request, started);
      if (e.originator === 'remote' && cfg.auto_answer) {
        e.session.answer({ mediaConstraints: { audio: true, video: false } });
      }
      return s;
    });
    ua.start();
  }

  async function command(c) {
    const h = handlers[c.cmd];
    if (!h) {
      emit('error', { message: `unknown command ${JSON.stringify(c.cmd)}`, cmd: c.cmd, id: c.id });
      return;
    }
    try {
      await h(c);
    } catch (err) {
      emit('error', { message: String(err && err.message ? err.message : err), cmd: c.cmd, id: c.id });
    }
  }

  window.ringoPhone = { start, command };
})();
