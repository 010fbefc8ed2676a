/*
 * Ringo for JavaScript: the Ringo SIP user agent compiled to WebAssembly,
 * behind an API shaped like JsSIP's, for browsers and Node.js.
 *
 *   const JsSIP = require('ringo-sip');            // Node.js: ready at once
 *   <script src="ringo.js"></script>               // browser: window.Ringo,
 *   await Ringo.ready;                             //   ready once loaded
 *
 *   const ua = new JsSIP.UA({sockets: [new JsSIP.WebSocketInterface(url)], uri, password});
 *   ua.on('newMessage', (e) => console.log(e.request.body));
 *   ua.start();
 *
 * This file is the loader and the JavaScript classes. The SIP stack runs in
 * Go (dist/ringo.wasm, next to Go's own dist/wasm_exec.js); the classes here
 * hold handles to its objects and receive their events. Nothing here waits:
 * methods that need the network return Promises (JsSIP's callbacks and
 * eventHandlers work as in JsSIP), and events arrive on the JavaScript thread
 * in the order the UA emitted them.
 */
(function (root, factory) {
  'use strict';
  if (typeof module === 'object' && module.exports) {
    module.exports = factory(root, true);
  } else {
    root.Ringo = factory(root, false);
  }
})(typeof globalThis !== 'undefined' ? globalThis : this, function (global, isNode) {
  'use strict';

  // VERSION is the package's version (package.json), known before the
  // wasm file loads, as JsSIP.version is; start checks that ringo.wasm is
  // the same version.
  const VERSION = '0.1.0';
  let native = null; // the Go side's functions, once loaded
  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  ready.catch(() => {});
  const noop = () => {};

  // handled marks p as handled, so that a rejection the application
  // ignores (as JsSIP code ignores return values) is not fatal in Node.js,
  // and returns p for those who await it.
  function handled(p) {
    p.catch(noop);
    return p;
  }

  // invoke calls a native function and throws what it returns as an Error.
  function invoke(name, ...args) {
    if (!native) {
      throw new Error('Ringo is not loaded yet: await Ringo.ready');
    }
    const r = native[name](...args);
    if (r instanceof Error) {
      throw r;
    }
    return r;
  }

  // invokeAsync calls a native function that reports through done(err,
  // value) and returns a Promise of the value.
  function invokeAsync(name, ...args) {
    return handled(new Promise((resolve, reject) => {
      invoke(name, ...args, (err, value) => {
        if (err) {
          reject(toError(err));
        } else {
          resolve(value);
        }
      });
    }));
  }

  function toError(e) {
    const err = new Error(e.message);
    err.cause = e.cause;
    if (e.status_code) {
      err.status_code = e.status_code;
      err.reason_phrase = e.reason_phrase;
    }
    err.response = e.response ? new IncomingMessage(e.response) : null;
    return err;
  }

  // ---------------------------------------------------------------- events

  class EventEmitter {
    constructor() {
      this._events = new Map();
    }

    on(name, fn) {
      if (typeof fn !== 'function') {
        throw new TypeError('listener must be a function');
      }
      if (!this._events.has(name)) {
        this._events.set(name, []);
      }
      this._events.get(name).push(fn);
      this._listenersChanged(name);
      return this;
    }

    addListener(name, fn) {
      return this.on(name, fn);
    }

    once(name, fn) {
      const wrapper = (...args) => {
        this.off(name, wrapper);
        fn.apply(this, args);
      };
      wrapper.listener = fn;
      return this.on(name, wrapper);
    }

    off(name, fn) {
      const list = this._events.get(name);
      if (list) {
        const i = list.findIndex((f) => f === fn || f.listener === fn);
        if (i >= 0) {
          list.splice(i, 1);
        }
        this._listenersChanged(name);
      }
      return this;
    }

    removeListener(name, fn) {
      return this.off(name, fn);
    }

    removeAllListeners(name) {
      if (name === undefined) {
        this._events.clear();
      } else {
        this._events.delete(name);
      }
      return this;
    }

    listeners(name) {
      return (this._events.get(name) || []).map((f) => f.listener || f);
    }

    listenerCount(name) {
      return (this._events.get(name) || []).length;
    }

    // emit calls the listeners in order. A listener that throws does not
    // stop the others, nor reach the Go side: it is reported as an
    // uncaught exception on its own.
    emit(name, ...args) {
      const list = this._events.get(name);
      if (!list || list.length === 0) {
        return false;
      }
      for (const fn of list.slice()) {
        try {
          fn.apply(this, args);
        } catch (err) {
          setTimeout(() => {
            throw err;
          });
        }
      }
      return true;
    }

    _listenersChanged() {}
  }

  // ------------------------------------------------------- SIP value types

  const compactForms = {
    i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
    f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', r: 'refer-to',
    b: 'referred-by', x: 'session-expires', u: 'allow-events', a: 'accept-contact',
    j: 'reject-contact', d: 'request-disposition', y: 'identity', n: 'identity-info',
  };

  function headerKey(name) {
    const k = String(name).toLowerCase();
    return compactForms[k] || k;
  }

  // URI is JsSIP's URI: scheme, user, host, port, parameters, headers.
  class URI {
    constructor(scheme, user, host, port, parameters, headers) {
      this.scheme = scheme || 'sip';
      this.user = user || undefined;
      this.host = host;
      this.port = port || undefined;
      this._parameters = Object.assign({}, parameters);
      this._headers = Object.assign({}, headers);
    }

    static _from(d) {
      const u = new URI(d.scheme, d.user, d.host, d.port, d.params, d.headers);
      u._string = d.string;
      return u;
    }

    // parse reads a SIP URI with the Go parser; it returns undefined for
    // a bad one, as JsSIP's URI.parse.
    static parse(s) {
      const m = native && native.parse(`OPTIONS ${s} SIP/2.0\r\nContent-Length: 0\r\n\r\n`);
      if (!m || m instanceof Error) {
        return undefined;
      }
      return URI._from(m.ruri);
    }

    getParam(k) {
      return this._parameters[String(k).toLowerCase()];
    }

    hasParam(k) {
      return Object.prototype.hasOwnProperty.call(this._parameters, String(k).toLowerCase());
    }

    toAor() {
      return `${this.scheme}:${this.user ? `${this.user}@` : ''}${this.host}`;
    }

    toString() {
      if (this._string) {
        return this._string;
      }
      let s = `${this.scheme}:${this.user ? `${this.user}@` : ''}${this.host}${this.port ? `:${this.port}` : ''}`;
      for (const [k, v] of Object.entries(this._parameters)) {
        s += `;${k}${v === null || v === undefined ? '' : `=${v}`}`;
      }
      return s;
    }
  }

  // NameAddrHeader is JsSIP's: a display name, a URI and parameters.
  class NameAddrHeader {
    constructor(uri, display_name, parameters) {
      this._uri = uri;
      this._display_name = display_name;
      this._parameters = Object.assign({}, parameters);
    }

    static _from(d) {
      const n = new NameAddrHeader(URI._from(d.uri), d.display_name || undefined, d.params);
      n._string = d.string;
      return n;
    }

    get uri() {
      return this._uri;
    }

    get display_name() {
      return this._display_name;
    }

    getParam(k) {
      return this._parameters[String(k).toLowerCase()];
    }

    hasParam(k) {
      return Object.prototype.hasOwnProperty.call(this._parameters, String(k).toLowerCase());
    }

    toString() {
      if (this._string) {
        return this._string;
      }
      const name = this._display_name ? `"${this._display_name}" ` : '';
      return `${name}<${this._uri}>`;
    }
  }

  // IncomingMessage is a SIP request or response as JsSIP's
  // IncomingRequest and IncomingResponse show it.
  class IncomingMessage {
    constructor(d) {
      this._fill(d);
    }

    _fill(d) {
      this.data = d.data;
      this.body = d.body;
      this.method = d.method;
      this.call_id = d.call_id;
      this.cseq = d.cseq;
      this.from = d.from ? NameAddrHeader._from(d.from) : undefined;
      this.to = d.to ? NameAddrHeader._from(d.to) : undefined;
      this.from_tag = d.from_tag || undefined;
      this.to_tag = d.to_tag || undefined;
      if (d.ruri) {
        this.ruri = URI._from(d.ruri);
      }
      if (d.status_code) {
        this.status_code = d.status_code;
        this.reason_phrase = d.reason_phrase;
      }
      this.headers = {};
      for (const [name, value] of d.headers) {
        const k = headerKey(name);
        (this.headers[k] = this.headers[k] || []).push({ raw: value, name });
      }
    }

    hasHeader(name) {
      return Boolean(this.headers[headerKey(name)]);
    }

    getHeader(name) {
      const h = this.headers[headerKey(name)];
      return h ? h[0].raw : undefined;
    }

    getHeaders(name) {
      return (this.headers[headerKey(name)] || []).map((h) => h.raw);
    }

    toString() {
      return this.data;
    }
  }

  // OutgoingRequest is a request this UA sends, as JsSIP's
  // OutgoingRequest: known in part before the Go UA builds it (see
  // uaRequest), completed in place when it is (the INVITE at "sending", a
  // MESSAGE's Call-ID, From tag and CSeq with its response). setHeader
  // before or during "sending" changes the INVITE on the wire, as does
  // assigning body.
  class OutgoingRequest extends IncomingMessage {
    constructor(d) {
      super(d);
      this.extraHeaders = [];
      this._set = new Map();
    }

    setHeader(name, value) {
      const v = [].concat(value).join(', ');
      this._set.set(String(name), v);
      this.headers[headerKey(name)] = [{ raw: v, name: String(name) }];
    }

    // _update takes the request as the Go UA built it; headers set by the
    // application stay set.
    _update(d) {
      this._fill(d);
      for (const [name, v] of this._set) {
        this.headers[headerKey(name)] = [{ raw: v, name }];
      }
    }

    // _ids fills in the Call-ID, From tag and CSeq from the response.
    _ids(response) {
      if (response && !this.call_id) {
        this.call_id = response.call_id;
        this.from_tag = response.from_tag;
        this.cseq = response.cseq;
        if (response.from) {
          this.from = response.from;
        }
      }
    }
  }

  function wrapMessage(d) {
    if (d && typeof d === 'object' && Array.isArray(d.headers)) {
      return new IncomingMessage(d);
    }
    return d === undefined ? null : d;
  }

  // ------------------------------------------------------------ transport

  // WebSocketInterface names a SIP-over-WebSocket server, as JsSIP's: the
  // Go side opens the WebSocket (the global WebSocket; in Node.js the ws
  // package when there is none).
  class WebSocketInterface {
    constructor(url) {
      const m = /^(wss?):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i.exec(String(url));
      if (!m) {
        throw new TypeError(`Invalid argument: ${url}`);
      }
      this._url = String(url);
      this._via_transport = m[1].toUpperCase();
      this._sip_uri = `sip:${m[2]}${m[3] ? `:${m[3]}` : ''};transport=ws`;
    }

    get url() {
      return this._url;
    }

    get via_transport() {
      return this._via_transport;
    }

    set via_transport(v) {
      this._via_transport = String(v).toUpperCase();
    }

    get sip_uri() {
      return this._sip_uri;
    }
  }

  // ------------------------------------------------------------- the UA

  const C = {
    // RTCSession states, as JsSIP's RTCSession.C.
    STATUS_NULL: 0,
    STATUS_INVITE_SENT: 1,
    STATUS_1XX_RECEIVED: 2,
    STATUS_INVITE_RECEIVED: 3,
    STATUS_WAITING_FOR_ANSWER: 4,
    STATUS_ANSWERED: 5,
    STATUS_WAITING_FOR_ACK: 6,
    STATUS_CANCELED: 7,
    STATUS_TERMINATED: 8,
    STATUS_CONFIRMED: 9,
    causes: {
      CONNECTION_ERROR: 'Connection Error',
      REQUEST_TIMEOUT: 'Request Timeout',
      SIP_FAILURE_CODE: 'SIP Failure Code',
      INTERNAL_ERROR: 'Internal Error',
      BUSY: 'Busy',
      REJECTED: 'Rejected',
      REDIRECTED: 'Redirected',
      UNAVAILABLE: 'Unavailable',
      NOT_FOUND: 'Not Found',
      ADDRESS_INCOMPLETE: 'Address Incomplete',
      INCOMPATIBLE_SDP: 'Incompatible SDP',
      MISSING_SDP: 'Missing SDP',
      AUTHENTICATION_ERROR: 'Authentication Error',
      BYE: 'Terminated',
      WEBRTC_ERROR: 'WebRTC Error',
      CANCELED: 'Canceled',
      NO_ANSWER: 'No Answer',
      EXPIRES: 'Expires',
      NO_ACK: 'No ACK',
      DIALOG_ERROR: 'Dialog Error',
      USER_DENIED_MEDIA_ACCESS: 'User Denied Media Access',
      BAD_MEDIA_DESCRIPTION: 'Bad Media Description',
      RTP_TIMEOUT: 'RTP Timeout',
    },
    DTMF_TRANSPORT: { INFO: 'INFO', RFC2833: 'RFC2833' },
  };

  class ConfigurationError extends Error {
    constructor(parameter, value) {
      super(value === undefined ? `Missing parameter: ${parameter}` : `Invalid value ${JSON.stringify(value)} for parameter "${parameter}"`);
      this.name = 'CONFIGURATION_ERROR';
      this.code = 1;
      this.parameter = parameter;
      this.value = value;
    }
  }

  // UA is JsSIP's UA. Its configuration takes JsSIP's parameter names.
  class UA extends EventEmitter {
    constructor(configuration) {
      super();
      if (!configuration || typeof configuration !== 'object') {
        throw new ConfigurationError('configuration');
      }
      for (const p of ['sockets', 'uri']) {
        if (configuration[p] === undefined || configuration[p] === null || configuration[p] === '') {
          throw new ConfigurationError(p);
        }
      }
      this._configuration = Object.assign({}, configuration);
      this._configuration.uri = String(configuration.uri);
      this._sockets = [].concat(configuration.sockets).map((s) => (s && s.socket ? s.socket : s));
      this._id = 0;
      this._status = 'init';
      this._sessions = new Set();
      this._wantExpiring = false;
      this.data = {};
      if (native) {
        this._create();
      }
    }

    get C() {
      return { STATUS_INIT: 0, STATUS_READY: 1, STATUS_USER_CLOSED: 2, STATUS_NOT_READY: 3 };
    }

    _create() {
      if (this._id) {
        return;
      }
      const config = Object.assign({}, this._configuration, {
        sockets: [].concat(this._configuration.sockets).map((s) => (s && s.socket
          ? { socket: { url: s.socket.url }, weight: s.weight || 0 }
          : { socket: { url: s && s.url }, weight: 0 })),
      });
      try {
        this._id = invoke('uaNew', config, this);
      } catch (err) {
        throw new ConfigurationError(/sockets/.test(err.message) ? 'sockets' : 'uri', err.message);
      }
      if (this._wantExpiring) {
        invoke('uaWantExpiring', this._id, true);
      }
    }

    // start connects, then registers unless register is false. It returns
    // a Promise (an extra) that settles once connected.
    start() {
      if (this._status === 'started') {
        return handled(Promise.resolve());
      }
      this._status = 'started';
      return handled(ready.then(() => {
        this._create();
        return invokeAsync('uaStart', this._id);
      }));
    }

    // stop unregisters, ends the calls and disconnects; the Promise (an
    // extra) settles when it is done.
    stop() {
      if (this._status !== 'started') {
        return handled(Promise.resolve());
      }
      this._status = 'stopped';
      for (const s of this._sessions) {
        if (!s.isEnded()) {
          s.terminate();
        }
      }
      // A Go UA runs once: start() after stop() makes a new one, as
      // JsSIP's UA starts again.
      const id = this._id;
      this._id = 0;
      return invokeAsync('uaStop', id);
    }

    register() {
      return this._whenStarted(() => invokeAsync('uaRegister', this._id));
    }

    unregister(options = {}) {
      return this._whenStarted(() => invokeAsync('uaUnregister', this._id, Boolean(options.all)));
    }

    _whenStarted(f) {
      return handled(ready.then(() => {
        this._create();
        return f();
      }));
    }

    isRegistered() {
      return Boolean(this._id) && this._status === 'started' && invoke('uaIsRegistered', this._id);
    }

    isConnected() {
      return Boolean(this._id) && this._status === 'started' && invoke('uaIsConnected', this._id);
    }

    get status() {
      return { init: 0, started: 1, stopped: 2 }[this._status];
    }

    get(parameter) {
      return this._configuration[parameter];
    }

    set(parameter, value) {
      if (parameter === 'password' || parameter === 'ha1') {
        this._configuration[parameter] = value;
        return true;
      }
      return false;
    }

    normalizeTarget(target) {
      if (target instanceof URI) {
        return target;
      }
      if (!native) {
        return undefined;
      }
      this._create();
      const s = invoke('uaNormalizeTarget', this._id, String(target));
      return s ? URI.parse(s) : undefined;
    }

    _identity() {
      return new NameAddrHeader(URI.parse(this._configuration.uri), this._configuration.display_name);
    }

    // sendMessage sends a MESSAGE; options take JsSIP's eventHandlers
    // (succeeded, failed), contentType and extraHeaders. It returns JsSIP's
    // Message; message.promise (an extra) settles with the response.
    sendMessage(target, body, options = {}) {
      return this._sendRequest(Message, 'uaSendMessage', target, body, options);
    }

    // sendOptions sends an OPTIONS, as sendMessage does.
    sendOptions(target, body, options = {}) {
      return this._sendRequest(Options, 'uaSendOptions', target, body, options);
    }

    _sendRequest(Kind, fn, target, body, options) {
      const uri = this.normalizeTarget(target);
      if (!uri) {
        throw new TypeError(`Invalid target: ${target}`);
      }
      const msg = new Kind(this, 'outgoing');
      msg._local_identity = this._identity();
      msg._remote_identity = new NameAddrHeader(uri);
      const handlers = options.eventHandlers || {};
      for (const name of Object.keys(handlers)) {
        msg.on(name, handlers[name]);
      }
      const opts = { contentType: options.contentType, extraHeaders: options.extraHeaders,
        fromDisplayName: options.fromDisplayName, fromUserName: options.fromUserName };
      const method = Kind === Message ? 'MESSAGE' : 'OPTIONS';
      const contentType = options.contentType || (Kind === Message ? 'text/plain' : undefined);
      // The request as far as it is known now; its Call-ID, From tag and
      // CSeq come with the response.
      const request = new OutgoingRequest(invoke('uaRequest', this._id, method, String(target), {
        displayName: options.fromDisplayName !== undefined ? options.fromDisplayName : this._configuration.display_name,
        userName: options.fromUserName, extraHeaders: options.extraHeaders,
        contentType, body: body === undefined || body === null ? '' : String(body),
      }));
      request.extraHeaders = [].concat(options.extraHeaders || []);
      msg._request = request;
      this.emit(Kind === Message ? 'newMessage' : 'newOptions', { originator: 'local', message: msg, request });
      msg.promise = handled(this._whenStarted(() => invokeAsync(fn, this._id, String(target), body === undefined ? '' : String(body), opts))
        .then((resp) => {
          const response = wrapMessage(resp);
          request._ids(response);
          msg.emit('succeeded', { originator: 'remote', response });
          return response;
        }, (err) => {
          request._ids(err.response);
          msg.emit('failed', { originator: err.response ? 'remote' : 'system', response: err.response, cause: err.cause });
          throw err;
        }));
      return msg;
    }

    // call places a call and returns its RTCSession at once, as JsSIP.
    // options take JsSIP's eventHandlers, extraHeaders, mediaConstraints,
    // mediaStream and pcConfig; options.sdp (an extra) sends the
    // application's own SDP offer instead of making media.
    call(target, options = {}) {
      return this._connect(target, options, null, (session, request) => invokeAsync('uaCall', this._id, String(target),
        mediaOptions(options), session, { call_id: request.call_id, from_tag: request.from_tag }));
    }

    // _connect makes the RTCSession of an outgoing call and its
    // OutgoingRequest (the INVITE with its Call-ID and From tag, the rest
    // once built), emits newRTCSession and starts the call with place, as
    // JsSIP's RTCSession.connect; previewHeaders go in the request only
    // (the Go UA adds them itself).
    _connect(target, options, initCallback, place, previewHeaders = []) {
      const uri = this.normalizeTarget(target);
      if (!uri) {
        throw new TypeError(`Invalid target: ${target}`);
      }
      const request = new OutgoingRequest(invoke('uaRequest', this._id, 'INVITE', String(target), {
        ids: true, displayName: this._configuration.display_name, contentType: 'application/sdp',
        extraHeaders: [].concat(options.extraHeaders || [], previewHeaders),
      }));
      request.extraHeaders = [].concat(options.extraHeaders || []);
      const session = new RTCSession(this, 'outgoing');
      session._request = request;
      session._local_identity = request.from;
      session._remote_identity = request.to;
      const handlers = options.eventHandlers || {};
      for (const name of Object.keys(handlers)) {
        session.on(name, handlers[name]);
      }
      this._sessions.add(session);
      if (typeof initCallback === 'function') {
        initCallback(session);
      }
      this.emit('newRTCSession', { originator: 'local', session, request });
      session._bind(this._whenStarted(() => place(session, request)));
      return session;
    }

    // subscribe returns JsSIP's Subscriber for eventName at target;
    // nothing is sent before its subscribe() or terminate().
    subscribe(target, eventName, accept, options = {}) {
      this._create();
      const sub = new Subscriber();
      sub._id = invoke('uaSubscribe', this._id, String(target), String(eventName), String(accept), {
        expires: options.expires, contentType: options.contentType, allowEvents: options.allowEvents,
        params: options.params, extraHeaders: options.extraHeaders,
      }, sub);
      return sub;
    }

    // notify returns JsSIP's Notifier for the SUBSCRIBE a newSubscribe
    // listener got; call it from that listener, as in JsSIP.
    notify(subscribe, contentType, options = {}) {
      if (!subscribe || !subscribe._ringoSubscribe) {
        throw new TypeError('notify needs the request of a newSubscribe event, while its listeners run');
      }
      const n = new Notifier();
      n._id = invoke('uaNotify', this._id, subscribe._ringoSubscribe, String(contentType), {
        pending: Boolean(options.pending), allowEvents: options.allowEvents, extraHeaders: options.extraHeaders,
        defaultExpires: options.defaultExpires,
      }, n);
      n._state = options.pending ? 0 : 1;
      return n;
    }

    terminateSessions(options) {
      for (const s of this._sessions) {
        if (!s.isEnded()) {
          s.terminate(options);
        }
      }
    }

    _listenersChanged(name) {
      if (name === 'registrationExpiring') {
        this._wantExpiring = this.listenerCount(name) > 0;
        if (this._id) {
          invoke('uaWantExpiring', this._id, this._wantExpiring);
        }
      }
    }

    // The Go side calls these three on the event goroutine.

    _emit(name, payload) {
      const p = Object.assign({}, payload);
      for (const k of ['response', 'request']) {
        if (k in p) {
          p[k] = wrapMessage(p[k]);
        }
      }
      if (p.socket) {
        p.socket = this._sockets.find((s) => s && s.url === p.socket.url) || p.socket;
      }
      if (name === 'newSubscribe' || name === 'sipEvent') {
        if (name === 'newSubscribe') {
          p.request._ringoSubscribe = p.subscribe_id;
          delete p.subscribe_id;
          if (this.listenerCount(name) === 0) {
            return; // the UA answers 489
          }
        }
        p.request.event = p.event;
      }
      this.emit(name, p);
      if (name === 'newSubscribe') {
        delete p.request._ringoSubscribe;
      }
    }

    // _incoming emits newMessage or newOptions; the handlers' accept() or
    // reject() is read from message._reply when they return.
    _incoming(event, payload) {
      const request = wrapMessage(payload.request);
      const message = new (event === 'newMessage' ? Message : Options)(this, 'incoming');
      message._request = request;
      message._local_identity = request.to;
      message._remote_identity = request.from;
      if (event === 'newMessage' && this.listenerCount('newMessage') === 0) {
        message._reply = { status_code: 405 }; // as JsSIP
      } else {
        this.emit(event, { originator: 'remote', message, request });
      }
      message._closed = true;
      return message;
    }

    _makeSession(id, direction, request) {
      const session = new RTCSession(this, direction);
      session._id = id;
      session._request = wrapMessage(request);
      session._local_identity = session._request.to;
      session._remote_identity = session._request.from;
      session._bound = Promise.resolve(id);
      this._sessions.add(session);
      return session;
    }
  }

  function mediaOptions(options) {
    return {
      extraHeaders: options.extraHeaders,
      sdp: options.sdp,
      mediaConstraints: options.mediaConstraints,
      mediaStream: options.mediaStream,
      pcConfig: options.pcConfig,
    };
  }

  // Message is JsSIP's Message (and, as Options, its Options): an
  // outgoing request, or an incoming one to accept or reject.
  class Message extends EventEmitter {
    constructor(ua, direction) {
      super();
      this._ua = ua;
      this._direction = direction;
      this._closed = false;
      this.data = {};
    }

    get direction() {
      return this._direction;
    }

    get local_identity() {
      return this._local_identity;
    }

    get remote_identity() {
      return this._remote_identity;
    }

    get request() {
      return this._request;
    }

    accept(options = {}) {
      this._answer(200, options);
    }

    reject(options = {}) {
      const code = options.status_code || 480;
      if (code < 300 || code >= 700) {
        throw new TypeError(`Invalid status_code: ${code}`);
      }
      this._answer(code, options);
    }

    _answer(code, options) {
      if (this._direction !== 'incoming') {
        throw new Error(`"${code < 300 ? 'accept' : 'reject'}" not supported for outgoing ${this.constructor.name}`);
      }
      if (this._closed || this._reply) {
        throw new Error('incoming request already answered');
      }
      this._reply = { status_code: code, reason_phrase: options.reason_phrase, extraHeaders: options.extraHeaders };
    }
  }

  class Options extends Message {}

  const SubscriptionC = {
    STATE_PENDING: 0,
    STATE_ACTIVE: 1,
    STATE_TERMINATED: 2,
    STATE_INIT: 3,
    STATE_WAITING_NOTIFY: 4,
    // Subscriber termination codes.
    SUBSCRIBE_RESPONSE_TIMEOUT: 0,
    SUBSCRIBE_TRANSPORT_ERROR: 1,
    SUBSCRIBE_NON_OK_RESPONSE: 2,
    SUBSCRIBE_WRONG_OK_RESPONSE: 3,
    SUBSCRIBE_AUTHENTICATION_FAILED: 4,
    UNSUBSCRIBE_TIMEOUT: 5,
    FINAL_NOTIFY_RECEIVED: 6,
    RECEIVE_BAD_NOTIFY: 7,
    // Notifier termination codes.
    NOTIFY_RESPONSE_TIMEOUT: 0,
    NOTIFY_TRANSPORT_ERROR: 1,
    NOTIFY_NON_OK_RESPONSE: 2,
    NOTIFY_AUTHENTICATION_FAILED: 3,
    FINAL_NOTIFY_SENT: 4,
    UNSUBSCRIBE_RECEIVED: 5,
    SUBSCRIPTION_EXPIRED: 6,
  };

  // Subscription is what JsSIP's Subscriber and Notifier share: a state,
  // an id, and events with positional arguments.
  class Subscription extends EventEmitter {
    constructor() {
      super();
      this._id = 0;
      this._ended = false;
      this._dialogId = '';
      this.data = {};
    }

    get C() {
      return SubscriptionC;
    }

    get state() {
      this._refresh();
      return this._state;
    }

    get id() {
      this._refresh();
      return this._dialogId;
    }

    _refresh() {
      if (this._ended || !this._id) {
        return;
      }
      try {
        const st = invoke(this._stateFn, this._id);
        this._state = st.state;
        this._dialogId = st.id;
      } catch (err) {
        // ended on the Go side; the event is on its way
      }
    }

    // _emitArgs is called by the Go side with an event's arguments.
    _emitArgs(name, ...args) {
      const a = args.map(wrapMessage);
      if (name === 'terminated') {
        this._refresh();
        this._ended = true;
        this._state = SubscriptionC.STATE_TERMINATED;
      }
      this.emit(name, ...a);
    }
  }

  // Subscriber is JsSIP's Subscriber, from ua.subscribe().
  class Subscriber extends Subscription {
    constructor() {
      super();
      this._state = SubscriptionC.STATE_INIT;
      this._stateFn = 'subState';
    }

    subscribe(body = null) {
      return invokeAsync('subSubscribe', this._id, body === null ? undefined : String(body));
    }

    terminate(body = null) {
      return invokeAsync('subTerminate', this._id, body === null ? undefined : String(body));
    }
  }

  // Notifier is JsSIP's Notifier, from ua.notify().
  class Notifier extends Subscription {
    constructor() {
      super();
      this._stateFn = 'ntfState';
    }

    // start accepts the subscription (200) and sends the first NOTIFY;
    // the body is Ringo's extra (JsSIP sends none until notify()).
    start(body = null) {
      return invokeAsync('ntfStart', this._id, body === null ? undefined : String(body));
    }

    setActiveState() {
      invoke('ntfActive', this._id);
    }

    notify(body = null) {
      return invokeAsync('ntfNotify', this._id, body === null ? undefined : String(body));
    }

    terminate(body = null, reason = null, retryAfter = null) {
      if (this._ended) {
        return handled(Promise.resolve());
      }
      return invokeAsync('ntfTerminate', this._id, body === null ? undefined : String(body),
        reason === null ? undefined : String(reason), retryAfter === null ? undefined : Number(retryAfter));
    }
  }

  // ReferSubscriber is JsSIP's: the progress of a transfer that
  // session.refer() started. Events: requestSucceeded {response},
  // requestFailed {response, cause}, then, from the NOTIFYs, trying,
  // progress, accepted or failed {request, status_line: {status_code,
  // reason_phrase}}. id is the REFER's CSeq number, once accepted.
  class ReferSubscriber extends EventEmitter {
    constructor(session) {
      super();
      this._session = session;
      this._id = null;
    }

    get id() {
      return this._id;
    }

    _emit(name, payload) {
      const p = Object.assign({}, payload);
      for (const k of ['response', 'request']) {
        if (k in p) {
          p[k] = wrapMessage(p[k]);
        }
      }
      if (name === 'requestSucceeded' && p.response) {
        this._id = p.response.cseq;
      }
      this.emit(name, p);
    }
  }

  // RTCSession is JsSIP's RTCSession: a call.
  class RTCSession extends EventEmitter {
    constructor(ua, direction) {
      super();
      this._ua = ua;
      this._direction = direction;
      this._id = 0;
      this._ended = false;
      this._status = direction === 'incoming' ? C.STATUS_WAITING_FOR_ANSWER : C.STATUS_NULL;
      this._start_time = null;
      this._end_time = null;
      this._connection = null;
      this.data = {};
    }

    get C() {
      return C;
    }

    get causes() {
      return C.causes;
    }

    get direction() {
      return this._direction;
    }

    get local_identity() {
      return this._local_identity;
    }

    get remote_identity() {
      return this._remote_identity;
    }

    get id() {
      return this._request ? this._request.call_id + (this._request.from_tag || '') : undefined;
    }

    get connection() {
      if (!this._connection && this._id && !this._ended) {
        this._connection = invoke('sessConnection', this._id) || null;
      }
      return this._connection;
    }

    get start_time() {
      this._refresh();
      return this._start_time;
    }

    get end_time() {
      this._refresh();
      return this._end_time;
    }

    get status() {
      this._refresh();
      return this._status;
    }

    _refresh() {
      if (!this._id || this._ended) {
        return;
      }
      let st;
      try {
        st = invoke('sessStatus', this._id);
      } catch (err) {
        return; // ended on the Go side; the event is on its way
      }
      this._status = st.status;
      this._hold = st.hold;
      this._muted = st.muted;
      this._start_time = st.start_time ? new Date(st.start_time) : null;
      this._end_time = st.end_time ? new Date(st.end_time) : null;
    }

    isInProgress() {
      const s = this.status;
      return s === C.STATUS_NULL || s === C.STATUS_INVITE_SENT || s === C.STATUS_1XX_RECEIVED ||
        s === C.STATUS_INVITE_RECEIVED || s === C.STATUS_WAITING_FOR_ANSWER;
    }

    isEstablished() {
      const s = this.status;
      return s === C.STATUS_ANSWERED || s === C.STATUS_WAITING_FOR_ACK || s === C.STATUS_CONFIRMED;
    }

    isEnded() {
      return this._ended;
    }

    isOnHold() {
      this._refresh();
      return Object.assign({ local: false, remote: false }, this._hold);
    }

    isMuted() {
      this._refresh();
      return Object.assign({ audio: false, video: false }, this._muted);
    }

    // _bind takes the Promise of the Go handle of an outgoing call.
    _bind(p) {
      this._bound = p.then((id) => {
        this._id = id;
        return id;
      }, (err) => {
        if (!this._ended) {
          this._emit('failed', { originator: 'local', message: null, cause: err.cause || C.causes.WEBRTC_ERROR });
        }
        throw err;
      });
      handled(this._bound);
    }

    // _do runs f(handle) once the call has its Go handle.
    _do(f) {
      if (this._id) {
        return handled(Promise.resolve().then(() => f(this._id)));
      }
      if (!this._bound) {
        return handled(Promise.reject(new Error('the call has not started')));
      }
      return handled(this._bound.then(f));
    }

    // answer accepts an incoming call (options: JsSIP's extraHeaders,
    // mediaConstraints, mediaStream, pcConfig; sdp as an extra).
    answer(options = {}) {
      if (this._direction !== 'incoming') {
        throw new Error('"answer" not supported for outgoing RTCSession');
      }
      return this._do((id) => invokeAsync('sessAnswer', id, mediaOptions(options)));
    }

    terminate(options = {}) {
      if (this._ended) {
        throw new Error('Invalid status: the call has ended');
      }
      return this._do((id) => invokeAsync('sessTerminate', id, {
        status_code: options.status_code, reason_phrase: options.reason_phrase, extraHeaders: options.extraHeaders,
      }));
    }

    hold(options = {}, done) {
      const p = this._do((id) => invokeAsync('sessHold', id));
      if (typeof done === 'function') {
        p.then(() => done(), noop);
      }
      return p;
    }

    unhold(options = {}, done) {
      const p = this._do((id) => invokeAsync('sessUnhold', id));
      if (typeof done === 'function') {
        p.then(() => done(), noop);
      }
      return p;
    }

    renegotiate(options = {}, done) {
      const p = this._do((id) => invokeAsync('sessRenegotiate', id, { iceRestart: Boolean(options.iceRestart) }));
      if (typeof done === 'function') {
        p.then(() => done(), noop);
      }
      return p;
    }

    mute(options = { audio: true, video: false }) {
      this._do((id) => invoke('sessMute', id, Boolean(options.audio), Boolean(options.video)));
    }

    unmute(options = { audio: true, video: true }) {
      this._do((id) => invoke('sessUnmute', id, Boolean(options.audio), Boolean(options.video)));
    }

    // sendDTMF sends tones by SIP INFO (JsSIP's default) or, with
    // transportType 'RFC2833', as RFC 4733 packets.
    sendDTMF(tones, options = {}) {
      if (tones === undefined || tones === null || !/^[0-9A-DR#*,]+$/i.test(String(tones))) {
        throw new TypeError(`Invalid tones: ${tones}`);
      }
      return this._do((id) => invokeAsync('sessSendDTMF', id, String(tones), {
        duration: options.duration, interToneGap: options.interToneGap, transportType: options.transportType,
      }));
    }

    sendInfo(contentType, body, options = {}) {
      return this._do((id) => invokeAsync('sessSendInfo', id, String(contentType), body === undefined ? '' : String(body), options))
        .then(wrapMessage);
    }

    // refer transfers the call (REFER, RFC 3515) to target, or with
    // options.replaces (another RTCSession) to that call's party
    // (attended transfer: Replaces in the Refer-To URI). It returns
    // JsSIP's ReferSubscriber, or false when the call is not up.
    refer(target, options = {}) {
      const st = this.status;
      if (st !== C.STATUS_WAITING_FOR_ACK && st !== C.STATUS_CONFIRMED) {
        return false;
      }
      const uri = this._ua.normalizeTarget(target);
      if (!uri) {
        throw new TypeError(`Invalid target: ${target}`);
      }
      const sub = new ReferSubscriber(this);
      const handlers = options.eventHandlers || {};
      for (const name of Object.keys(handlers)) {
        sub.on(name, handlers[name]);
      }
      let replaces;
      if (options.replaces) {
        if (!(options.replaces instanceof RTCSession) || !options.replaces._id) {
          throw new TypeError('replaces: an established RTCSession of this library is required');
        }
        replaces = options.replaces._id;
      }
      this._do((id) => invokeAsync('sessRefer', id, String(uri), { extraHeaders: options.extraHeaders, replaces }, sub))
        .catch((err) => {
          // JsSIP's causes: a failure response rejects the REFER.
          sub._emit('requestFailed', { response: err.response || null, cause: err.response ? C.causes.REJECTED : err.cause });
        });
      return sub;
    }

    // _connecting is called by the Go side when the local media is ready
    // and the offer is about to be made: JsSIP's "connecting".
    _connecting() {
      this.emit('connecting', { request: this._request });
    }

    // _sending is called on the UA loop with the INVITE about to be sent:
    // JsSIP's "sending". The listeners may assign request.body and call
    // request.setHeader; what they changed goes back to the Go side.
    _sending(d) {
      const request = this._request;
      request._update(d);
      this._status = C.STATUS_INVITE_SENT;
      this.emit('sending', { request });
      return { headers: Array.from(request._set.entries()), body: request.body };
    }

    // _reinvite is called on the UA loop with a re-INVITE or UPDATE:
    // JsSIP's "reinvite" and "update", whose reject() answers it; it
    // returns the status code, or 0 to go on.
    _reinvite(d) {
      const request = wrapMessage(d);
      let code = 0;
      this.emit(request.method === 'UPDATE' ? 'update' : 'reinvite', {
        request,
        callback: undefined,
        reject: (options = {}) => {
          const c = options.status_code || 403;
          if (c < 300 || c >= 700) {
            throw new TypeError(`Invalid status_code: ${c}`);
          }
          code = c;
        },
      });
      return code;
    }

    // _refer is called by the Go side with a REFER received in the call,
    // already answered 202: JsSIP's "refer". Without a listener it returns
    // false, and the transfer is refused (NOTIFY 603).
    _refer(ref, d, target, replaces) {
      if (this.listenerCount('refer') === 0) {
        return false;
      }
      const request = wrapMessage(d);
      let done = false;
      const settle = () => {
        if (done) {
          throw new Error('the REFER was already accepted or rejected');
        }
        done = true;
      };
      this.emit('refer', {
        request,
        // accept places the call asked for (with the Replaces of the
        // Refer-To URI) and returns its RTCSession; its progress goes
        // back to the referrer by NOTIFY.
        accept: (initCallback, options = {}) => {
          const st = this.status;
          if (st !== C.STATUS_WAITING_FOR_ACK && st !== C.STATUS_CONFIRMED) {
            return false;
          }
          settle();
          const preview = [];
          if (replaces) {
            preview.push(`Replaces: ${decodeURIComponent(replaces)}`);
          }
          if (request.hasHeader('referred-by')) {
            preview.push(`Referred-By: ${request.getHeader('referred-by')}`);
          }
          const ua = this._ua;
          return ua._connect(target, options, initCallback, (session, req) => invokeAsync('referAccept', ref, ua._id,
            mediaOptions(options), session, { call_id: req.call_id, from_tag: req.from_tag }), preview);
        },
        reject: (options = {}) => {
          settle();
          invoke('referReject', ref, { status_code: options.status_code });
        },
      });
      return true;
    }

    // _replaces is called by the Go side when an INVITE with Replaces for
    // this call arrived (session is its new RTCSession): JsSIP's
    // "replaces", whose accept() emits newRTCSession for it and reject()
    // refuses it (486). Without a listener, Ringo emits newRTCSession at
    // once. This call ends when the new one is confirmed.
    _replaces(session, d) {
      const request = session._request;
      const announce = (initCallback) => {
        if (typeof initCallback === 'function') {
          initCallback(session);
        }
        this._ua.emit('newRTCSession', { originator: 'remote', session, request });
      };
      if (this.listenerCount('replaces') === 0) {
        announce();
        return;
      }
      let done = false;
      this.emit('replaces', {
        request,
        accept: (initCallback) => {
          if (!done) {
            done = true;
            announce(initCallback);
          }
        },
        reject: () => {
          if (!done) {
            done = true;
            session.terminate({ status_code: 486 });
          }
        },
      });
    }

    // _sdp is called by the Go side with each description: JsSIP's "sdp"
    // event, whose listeners may replace e.sdp.
    _sdp(originator, type, sdp) {
      const e = { originator, type, sdp };
      this.emit('sdp', e);
      return typeof e.sdp === 'string' ? e.sdp : sdp;
    }

    // _emit is called by the Go side with the call's events.
    _emit(name, payload) {
      const p = Object.assign({}, payload);
      if (name === 'peerconnection') {
        this._connection = p.peerconnection;
      }
      for (const k of ['response', 'request', 'message', 'ack']) {
        if (k in p) {
          p[k] = wrapMessage(p[k]);
        }
      }
      if (name === 'ended' || name === 'failed') {
        this._refresh();
        this._ended = true;
        this._status = name === 'ended' ? C.STATUS_TERMINATED : (this._status === C.STATUS_NULL ? C.STATUS_TERMINATED : C.STATUS_CANCELED);
        if (!this._end_time) {
          this._end_time = new Date();
        }
        this._ua._sessions.delete(this);
      }
      if (name === 'accepted' && !this._start_time) {
        this._start_time = new Date();
      }
      if (name === 'progress' && p.response && !this._request) {
        this._request = { call_id: p.response.call_id, from_tag: p.response.from_tag };
      }
      this.emit(name, p);
    }
  }

  // --------------------------------------------------------------- loading

  function start(go, instance) {
    const had = { fs: 'fs' in global, process: 'process' in global, Go: 'Go' in global };
    global.__ringoInit = (n) => {
      native = n;
    };
    go.run(instance); // runs Go's main until it waits: native is set by then
    delete global.__ringoInit;
    if (!native) {
      throw new Error('ringo.wasm did not start');
    }
    if (native.version() !== VERSION) {
      throw new Error(`ringo.wasm is version ${native.version()}, ringo.js ${VERSION}: serve the two from one build`);
    }
    // wasm_exec.js filled these globals in for the Go runtime, which has
    // read them by now.
    for (const k of Object.keys(had)) {
      if (!had[k]) {
        delete global[k];
      }
    }
    readyResolve(api);
  }

  // installWebRTC makes calls possible in Node.js: when there is no
  // RTCPeerConnection and @roamhq/wrtc can be required (from this package
  // or the application), its classes become globals and its mediaDevices
  // navigator.mediaDevices, which media/browser uses. Without it, Node.js
  // does everything but calls with media (options.sdp still works).
  function installWebRTC() {
    if (typeof global.RTCPeerConnection === 'function' || process.env.RINGO_NO_WRTC === '1') {
      return;
    }
    let wrtc = null;
    for (const req of [require, require.main && require.main.require.bind(require.main)]) {
      try {
        wrtc = req('@roamhq/wrtc');
        break;
      } catch (err) {
        // not installed there
      }
    }
    if (!wrtc) {
      return;
    }
    for (const k of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack',
      'RTCRtpSender', 'RTCRtpReceiver', 'RTCRtpTransceiver']) {
      if (wrtc[k] && typeof global[k] === 'undefined') {
        global[k] = wrtc[k];
      }
    }
    if (typeof global.navigator === 'undefined') {
      global.navigator = { mediaDevices: wrtc.mediaDevices };
    } else if (!global.navigator.mediaDevices) {
      try {
        Object.defineProperty(global.navigator, 'mediaDevices', { value: wrtc.mediaDevices, configurable: true });
      } catch (err) {
        // a read-only navigator: calls need options.mediaStream
      }
    }
    api.wrtc = wrtc;
  }

  function loadNode() {
    const fs = require('fs');
    const path = require('path');
    if (typeof global.WebSocket === 'undefined') {
      // ws from this package's node_modules, or the application's.
      for (const req of [require, require.main && require.main.require.bind(require.main)]) {
        try {
          global.WebSocket = req('ws');
          break;
        } catch (err) {
          // Without a WebSocket, new UA() says how to get one.
        }
      }
    }
    installWebRTC();
    const dir = process.env.RINGO_WASM_DIR || path.join(__dirname, 'dist');
    if (typeof global.Go !== 'function') {
      require(path.join(dir, 'wasm_exec.js'));
    }
    const go = new global.Go();
    const module = new WebAssembly.Module(fs.readFileSync(path.join(dir, 'ringo.wasm')));
    start(go, new WebAssembly.Instance(module, go.importObject));
  }

  // loadBrowser fetches wasm_exec.js and ringo.wasm from dist/ next to
  // this script, or from RINGO_WASM_URL (a folder URL) if the page set it.
  async function loadBrowser(base) {
    if (typeof global.Go !== 'function') {
      await new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = new URL('wasm_exec.js', base).href;
        s.onload = resolve;
        s.onerror = () => reject(new Error(`cannot load ${s.src}`));
        document.head.appendChild(s);
      });
    }
    const go = new global.Go();
    const url = new URL('ringo.wasm', base).href;
    let result;
    if (WebAssembly.instantiateStreaming) {
      result = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
    } else {
      const bytes = await (await fetch(url)).arrayBuffer();
      result = await WebAssembly.instantiate(bytes, go.importObject);
    }
    start(go, result.instance);
  }

  const api = {
    name: 'Ringo',
    version: VERSION,
    ready,
    C,
    UA,
    WebSocketInterface,
    URI,
    NameAddrHeader,
    RTCSession,
    ReferSubscriber,
    Message,
    Options,
    Subscriber,
    Notifier,
    Exceptions: { ConfigurationError },
    // debug is JsSIP.debug's shape: enable('Ringo:*') logs SIP traces to
    // the console, disable() stops.
    debug: {
      enable(pattern) {
        ready.then(() => native.debug(pattern === undefined || pattern ? 'debug' : 'off'));
      },
      disable() {
        ready.then(() => native.debug('off'));
      },
    },
    // parse parses one SIP message with the Go parser (a tool for tests
    // and benchmarks); it throws on a bad message.
    parse(text) {
      return new IncomingMessage(invoke('parse', String(text)));
    },
    // benchParse parses text n times inside Go and returns nanoseconds per
    // message; typed also reads the headers JsSIP parses eagerly.
    benchParse(text, n, typed) {
      return invoke('benchParse', String(text), n, Boolean(typed));
    },
  };

  if (isNode) {
    try {
      loadNode();
    } catch (err) {
      readyReject(err);
      throw err;
    }
  } else {
    const script = typeof document !== 'undefined' && document.currentScript;
    const base = global.RINGO_WASM_URL || (script ? new URL('dist/', script.src).href : 'dist/');
    loadBrowser(base).catch(readyReject);
  }
  return api;
});
