'use strict';
// A small messaging client written against JsSIP's API, the way
// applications wrap it: one class that creates the UA, listens for
// newRTCSession and newMessage, registers, and sends messages with
// eventHandlers. It answers every message with "echo: <text>" and stops
// after echoing "bye". Lines of JSON go to stdout.
//
// The Go test (wasm/jssip_api_test.go) runs this file as it is, on JsSIP,
// and again with only the require line below changed to Ringo's, and
// checks that both transcripts are the same. Do not adapt it to Ringo.
//
// Environment: APP_SERVER (ws://...), APP_URI, APP_PASSWORD, APP_NAME.

global.WebSocket = global.WebSocket || require('ws');
const JsSIP = require('jssip');

class SipClient {
  constructor({ server, uri, password, displayName }) {
    const socket = new JsSIP.WebSocketInterface(server);
    this.ua = new JsSIP.UA({
      sockets: [socket],
      uri,
      password,
      display_name: displayName,
      register: true,
      register_expires: 300,
      session_timers: false,
    });
    this.ua.on('connected', () => this.log('connected'));
    this.ua.on('disconnected', () => this.log('disconnected'));
    this.ua.on('registered', (e) => this.log('registered', { status: e.response.status_code }));
    this.ua.on('unregistered', () => {
      this.log('unregistered');
      setTimeout(() => process.exit(0), 200);
    });
    this.ua.on('registrationFailed', (e) => this.log('registrationFailed', { cause: e.cause }));
    this.ua.on('newMessage', (e) => this.onMessage(e));
    this.ua.on('newRTCSession', (e) => this.onSession(e));
  }

  log(event, fields) {
    process.stdout.write(JSON.stringify(Object.assign({ event }, fields)) + '\n');
  }

  start() {
    this.ua.start();
  }

  onMessage(e) {
    if (e.originator === 'local') {
      this.log('sending', { to: e.message.remote_identity.uri.toString(), direction: e.message.direction });
      return;
    }
    const from = e.request.from;
    this.log('message', {
      from: from.uri.toString(),
      user: from.uri.user,
      name: from.display_name,
      body: e.request.body,
      type: e.request.getHeader('Content-Type'),
      direction: e.message.direction,
    });
    const text = e.request.body;
    this.send(from.uri.toString(), `echo: ${text}`, () => {
      if (text === 'bye') {
        this.ua.stop();
      }
    });
  }

  send(target, text, then) {
    this.ua.sendMessage(target, text, {
      eventHandlers: {
        succeeded: (e) => {
          this.log('sent', { status: e.response.status_code, reason: e.response.reason_phrase });
          then();
        },
        failed: (e) => {
          this.log('failed', { cause: e.cause, status: e.response ? e.response.status_code : 0 });
          then();
        },
      },
    });
  }

  onSession(e) {
    const session = e.session;
    this.log('call', { originator: e.originator, direction: session.direction });
    session.on('failed', (ev) => this.log('call failed', { cause: ev.cause }));
    session.on('ended', (ev) => this.log('call ended', { cause: ev.cause }));
  }
}

const client = new SipClient({
  server: process.env.APP_SERVER,
  uri: process.env.APP_URI,
  password: process.env.APP_PASSWORD,
  displayName: process.env.APP_NAME,
});
client.start();
