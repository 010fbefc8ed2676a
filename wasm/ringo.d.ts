// TypeScript declarations for ringo.js: Ringo's JavaScript API, shaped like
// JsSIP's (see JsSIP's own typings for the full story of each name).

export as namespace Ringo;

type Listener<T> = (event: T) => void;

export declare class EventEmitter {
  on(name: string, fn: (...args: any[]) => void): this;
  addListener(name: string, fn: (...args: any[]) => void): this;
  once(name: string, fn: (...args: any[]) => void): this;
  off(name: string, fn: (...args: any[]) => void): this;
  removeListener(name: string, fn: (...args: any[]) => void): this;
  removeAllListeners(name?: string): this;
  listeners(name: string): Array<(...args: any[]) => void>;
  listenerCount(name: string): number;
  emit(name: string, ...args: any[]): boolean;
}

export declare class URI {
  constructor(scheme?: string, user?: string, host?: string, port?: number, parameters?: Record<string, string | null>, headers?: Record<string, string>);
  static parse(uri: string): URI | undefined;
  scheme: string;
  user: string | undefined;
  host: string;
  port: number | undefined;
  getParam(name: string): string | null | undefined;
  hasParam(name: string): boolean;
  toAor(): string;
  toString(): string;
}

export declare class NameAddrHeader {
  constructor(uri: URI, display_name?: string, parameters?: Record<string, string | null>);
  readonly uri: URI;
  readonly display_name: string | undefined;
  getParam(name: string): string | null | undefined;
  hasParam(name: string): boolean;
  toString(): string;
}

/** A received (or, in events of local requests, sent) SIP message. */
export interface IncomingMessage {
  readonly data: string;
  readonly body: string;
  readonly method: string;
  readonly ruri?: URI;
  readonly status_code?: number;
  readonly reason_phrase?: string;
  readonly call_id: string;
  readonly cseq: number;
  readonly from?: NameAddrHeader;
  readonly to?: NameAddrHeader;
  readonly from_tag?: string;
  readonly to_tag?: string;
  hasHeader(name: string): boolean;
  getHeader(name: string): string | undefined;
  getHeaders(name: string): string[];
  toString(): string;
}
export type IncomingRequest = IncomingMessage;
export type IncomingResponse = IncomingMessage;

/**
 * A request this UA sends, as JsSIP's OutgoingRequest. In newRTCSession it
 * has the start line, From (with the tag), To, Call-ID, CSeq and the extra
 * headers; the whole INVITE (Via, Contact, Allow, Supported, the SDP body)
 * replaces that in place at "sending". setHeader and body, set before or
 * during "sending", change the INVITE on the wire. An outgoing MESSAGE's
 * request gets its Call-ID, From tag and CSeq with the response.
 */
export interface OutgoingRequest extends IncomingMessage {
  extraHeaders: string[];
  setHeader(name: string, value: string | string[]): void;
}

/** The status line of a NOTIFY's message/sipfrag body. */
export interface StatusLine {
  status_code: number;
  reason_phrase: string;
}

/** JsSIP's ReferSubscriber: the progress of session.refer(). */
export declare class ReferSubscriber extends EventEmitter {
  /** The REFER's CSeq number, once it is accepted. */
  readonly id: number | null;
  on(name: 'requestSucceeded', fn: Listener<{ response: IncomingResponse }>): this;
  on(name: 'requestFailed', fn: Listener<{ response: IncomingResponse | null; cause: string }>): this;
  on(name: 'trying' | 'progress' | 'accepted' | 'failed', fn: Listener<{ request: IncomingRequest; status_line: StatusLine }>): this;
  on(name: string, fn: (...args: any[]) => void): this;
}

export interface ReferOptions extends ExtraHeaders {
  eventHandlers?: Partial<Record<'requestSucceeded' | 'requestFailed' | 'trying' | 'progress' | 'accepted' | 'failed', (e: any) => void>>;
  /** Attended transfer: the call whose dialog the Refer-To URI's Replaces names. */
  replaces?: RTCSession;
}

export declare class WebSocketInterface {
  constructor(url: string);
  readonly url: string;
  via_transport: string;
  readonly sip_uri: string;
}

export interface UAConfiguration {
  sockets: WebSocketInterface | Array<WebSocketInterface | { socket: WebSocketInterface; weight?: number }>;
  uri: string | URI;
  password?: string;
  authorization_user?: string;
  ha1?: string;
  realm?: string;
  display_name?: string;
  contact_uri?: string;
  instance_id?: string;
  via_host?: string;
  register?: boolean;
  register_expires?: number;
  registrar_server?: string;
  no_answer_timeout?: number;
  session_timers?: boolean;
  use_preloaded_route?: boolean;
  connection_recovery_min_interval?: number;
  connection_recovery_max_interval?: number;
  user_agent?: string;
  /** Ringo's extra: cap of the backoff between registration retries (s); negative turns retries off. */
  register_retry_max?: number;
  /** Ringo's extra for media/browser: the ICE gathering timeout in ms (default 5000). */
  ice_gathering_timeout?: number;
  [key: string]: unknown;
}

export interface ExtraHeaders {
  extraHeaders?: string[];
}

export interface MediaOptions extends ExtraHeaders {
  mediaConstraints?: MediaStreamConstraints;
  mediaStream?: MediaStream;
  pcConfig?: RTCConfiguration;
  /** Ringo's extra: the application's own SDP, sent instead of making media. */
  sdp?: string;
}

export interface CallOptions extends MediaOptions {
  eventHandlers?: Partial<Record<string, (...args: any[]) => void>>;
}

export interface SendMessageOptions extends ExtraHeaders {
  contentType?: string;
  fromDisplayName?: string;
  fromUserName?: string;
  eventHandlers?: {
    succeeded?: Listener<{ originator: 'remote'; response: IncomingResponse }>;
    failed?: Listener<{ originator: 'remote' | 'system'; response: IncomingResponse | null; cause: string }>;
  };
}

/** A request failure, as the Promises reject. */
export interface RingoError extends Error {
  cause: string;
  status_code?: number;
  reason_phrase?: string;
  response: IncomingResponse | null;
}

export declare class Message extends EventEmitter {
  readonly direction: 'incoming' | 'outgoing';
  readonly local_identity: NameAddrHeader;
  readonly remote_identity: NameAddrHeader;
  /** Ringo's extra: settles with the final response of an outgoing request. */
  promise: Promise<IncomingResponse>;
  accept(options?: ExtraHeaders): void;
  reject(options?: ExtraHeaders & { status_code?: number; reason_phrase?: string }): void;
  data: Record<string, unknown>;
}

export declare class Options extends Message {}

export interface EndEvent {
  originator: 'local' | 'remote' | 'system';
  message: IncomingMessage | null;
  cause: string;
}

export declare class RTCSession extends EventEmitter {
  readonly C: typeof C;
  readonly causes: typeof C.causes;
  readonly id: string | undefined;
  readonly direction: 'incoming' | 'outgoing';
  readonly local_identity: NameAddrHeader;
  readonly remote_identity: NameAddrHeader;
  readonly connection: RTCPeerConnection | null;
  readonly start_time: Date | null;
  readonly end_time: Date | null;
  readonly status: number;
  data: Record<string, unknown>;
  isInProgress(): boolean;
  isEstablished(): boolean;
  isEnded(): boolean;
  isOnHold(): { local: boolean; remote: boolean };
  isMuted(): { audio: boolean; video: boolean };
  answer(options?: MediaOptions): Promise<void>;
  terminate(options?: ExtraHeaders & { status_code?: number; reason_phrase?: string }): Promise<void>;
  hold(options?: object, done?: () => void): Promise<void>;
  unhold(options?: object, done?: () => void): Promise<void>;
  renegotiate(options?: { iceRestart?: boolean }, done?: () => void): Promise<void>;
  mute(options?: { audio?: boolean; video?: boolean }): void;
  unmute(options?: { audio?: boolean; video?: boolean }): void;
  sendDTMF(tones: string | number, options?: { duration?: number; interToneGap?: number; transportType?: 'INFO' | 'RFC2833' }): Promise<void>;
  sendInfo(contentType: string, body?: string, options?: ExtraHeaders): Promise<IncomingResponse>;
  /** Transfers the call (REFER); false when the call is not up. */
  refer(target: string | URI, options?: ReferOptions): ReferSubscriber | false;

  on(name: 'progress' | 'accepted', fn: Listener<{ originator: string; response: IncomingResponse | null }>): this;
  on(name: 'confirmed', fn: Listener<{ originator: string; ack: IncomingRequest | null }>): this;
  on(name: 'ended' | 'failed', fn: Listener<EndEvent>): this;
  on(name: 'hold' | 'unhold', fn: Listener<{ originator: 'local' | 'remote' }>): this;
  on(name: 'muted' | 'unmuted', fn: Listener<{ audio: boolean; video: boolean }>): this;
  on(name: 'newDTMF', fn: Listener<{ originator: string; dtmf: { tone: string; duration: number }; request: IncomingRequest | null }>): this;
  on(name: 'newInfo', fn: Listener<{ originator: string; info: { contentType: string; body: string }; request: IncomingRequest | null }>): this;
  on(name: 'peerconnection', fn: Listener<{ peerconnection: RTCPeerConnection }>): this;
  on(name: 'connecting' | 'sending', fn: Listener<{ request: OutgoingRequest }>): this;
  /** Edit e.sdp to change the description sent or applied. */
  on(name: 'sdp', fn: Listener<{ originator: 'local' | 'remote'; type: 'offer' | 'answer'; sdp: string }>): this;
  on(name: 'getusermediafailed', fn: Listener<{ message: string }>): this;
  on(name: 'reinvite' | 'update', fn: Listener<{ request: IncomingRequest; callback: undefined; reject(options?: { status_code?: number }): void }>): this;
  on(name: 'refer', fn: Listener<{
    request: IncomingRequest;
    /** Places the call asked for and returns its RTCSession (false when this call is not up). */
    accept(initCallback?: (session: RTCSession) => void, options?: CallOptions): RTCSession | false;
    /** Refuses the transfer: a final NOTIFY with status_code (default 603). */
    reject(options?: { status_code?: number }): void;
  }>): this;
  on(name: 'replaces', fn: Listener<{ request: IncomingRequest; accept(initCallback?: (session: RTCSession) => void): void; reject(): void }>): this;
  on(name: string, fn: (...args: any[]) => void): this;
}

export declare class Subscriber extends EventEmitter {
  readonly C: Record<string, number>;
  /** JsSIP's Subscriber.C.STATE_*: pending 0, active 1, terminated 2, init 3, notify_wait 4. */
  readonly state: number;
  readonly id: string;
  subscribe(body?: string | null): Promise<void>;
  terminate(body?: string | null): Promise<void>;
  on(name: 'accepted', fn: (response: IncomingResponse) => void): this;
  on(name: 'pending' | 'active', fn: () => void): this;
  on(name: 'notify', fn: (isFinal: boolean, request: IncomingRequest, body: string, contentType: string) => void): this;
  on(name: 'terminated', fn: (terminationCode: number, reason?: string | null, retryAfter?: number | null) => void): this;
  on(name: string, fn: (...args: any[]) => void): this;
}

export declare class Notifier extends EventEmitter {
  readonly C: Record<string, number>;
  readonly state: number;
  readonly id: string;
  start(body?: string | null): Promise<void>;
  setActiveState(): void;
  notify(body?: string | null): Promise<void>;
  terminate(body?: string | null, reason?: string | null, retryAfter?: number | null): Promise<void>;
  on(name: 'subscribe', fn: (isUnsubscribe: boolean, request: IncomingRequest, body: string, contentType: string) => void): this;
  on(name: 'expired', fn: () => void): this;
  on(name: 'terminated', fn: (terminationCode: number) => void): this;
  on(name: string, fn: (...args: any[]) => void): this;
}

export declare class UA extends EventEmitter {
  constructor(configuration: UAConfiguration);
  /** Connects (and registers unless register is false); the Promise settles once connected. */
  start(): Promise<void>;
  stop(): Promise<void>;
  register(): Promise<void>;
  unregister(options?: { all?: boolean }): Promise<void>;
  isRegistered(): boolean;
  isConnected(): boolean;
  readonly status: number;
  get(parameter: string): unknown;
  set(parameter: 'password' | 'ha1', value: string): boolean;
  normalizeTarget(target: string | URI): URI | undefined;
  call(target: string | URI, options?: CallOptions): RTCSession;
  sendMessage(target: string | URI, body: string, options?: SendMessageOptions): Message;
  sendOptions(target: string | URI, body?: string | null, options?: SendMessageOptions): Options;
  subscribe(target: string | URI, eventName: string, accept: string, options?: ExtraHeaders & {
    expires?: number; contentType?: string; allowEvents?: string;
    params?: { from_uri?: string; from_display_name?: string; to_display_name?: string };
  }): Subscriber;
  /** Call from a newSubscribe listener with its request. */
  notify(subscribe: IncomingRequest, contentType: string, options?: ExtraHeaders & {
    pending?: boolean; allowEvents?: string; defaultExpires?: number;
  }): Notifier;
  terminateSessions(options?: ExtraHeaders & { status_code?: number; reason_phrase?: string }): void;
  data: Record<string, unknown>;

  on(name: 'connecting', fn: Listener<{ socket: WebSocketInterface; attempts: number }>): this;
  on(name: 'connected', fn: Listener<{ socket: WebSocketInterface }>): this;
  on(name: 'disconnected', fn: Listener<{ socket: WebSocketInterface; error: boolean; code?: number; reason?: string }>): this;
  on(name: 'registered', fn: Listener<{ response: IncomingResponse }>): this;
  on(name: 'unregistered', fn: Listener<{ response: IncomingResponse | null; cause?: string }>): this;
  on(name: 'registrationFailed', fn: Listener<{ response: IncomingResponse | null; cause: string }>): this;
  on(name: 'registrationExpiring', fn: Listener<object>): this;
  on(name: 'newRTCSession', fn: Listener<{ originator: 'local' | 'remote'; session: RTCSession; request: IncomingRequest | OutgoingRequest }>): this;
  on(name: 'newMessage', fn: Listener<{ originator: 'local' | 'remote'; message: Message; request: IncomingRequest | OutgoingRequest }>): this;
  on(name: 'newOptions', fn: Listener<{ originator: 'local' | 'remote'; message: Options; request: IncomingRequest | OutgoingRequest }>): this;
  on(name: 'newSubscribe', fn: Listener<{ event: { event: string; params: Record<string, string | null> }; request: IncomingRequest }>): this;
  on(name: 'sipEvent', fn: Listener<{ event: { event: string; params: Record<string, string | null> }; request: IncomingRequest }>): this;
  on(name: string, fn: (...args: any[]) => void): this;
}

export declare const C: {
  STATUS_NULL: 0;
  STATUS_INVITE_SENT: 1;
  STATUS_1XX_RECEIVED: 2;
  STATUS_INVITE_RECEIVED: 3;
  STATUS_WAITING_FOR_ANSWER: 4;
  STATUS_ANSWERED: 5;
  STATUS_WAITING_FOR_ACK: 6;
  STATUS_CANCELED: 7;
  STATUS_TERMINATED: 8;
  STATUS_CONFIRMED: 9;
  causes: Record<string, string>;
  DTMF_TRANSPORT: { INFO: 'INFO'; RFC2833: 'RFC2833' };
};

export declare const name: 'Ringo';
export declare const version: string;
/** Resolves when the wasm module is loaded: at once in Node.js, after the fetch in a browser. */
export declare const ready: Promise<unknown>;
export declare const Exceptions: { ConfigurationError: new (parameter: string, value?: unknown) => Error };
/** In Node.js, @roamhq/wrtc when ringo.js found it and installed its classes as the WebRTC globals (for RTCAudioSource and RTCAudioSink). */
export declare const wrtc: any;
export declare const debug: { enable(pattern?: string): void; disable(): void };
/** Parses one SIP message with the Go parser; throws on a bad one. */
export declare function parse(text: string): IncomingMessage;
/** Parses text n times inside Go; returns nanoseconds per message. */
export declare function benchParse(text: string, n: number, typed?: boolean): number;
