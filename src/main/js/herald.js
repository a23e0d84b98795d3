// Herald's browser client. It speaks the Vert.x event-bus bridge protocol over SockJS to any node of a
// Herald cluster and makes the hub's guarantees hold in the page: after a dropped connection or a dead
// node it reconnects (exponential backoff with jitter, rotating through `urls`), registers every type
// again from the last seq and epoch it saw, so handlers get each event once and in order, re-joins its
// rooms, and keeps its token fresh. See docs/client.md for the behaviour in full.
import SockJS from 'sockjs-client';

/** The hub's close reasons (io.herald.CloseReason) and whether connecting again can help. */
const HUB_CLOSES = {
  shutdown: true, frame_too_large: false, token_required: false, token_invalid: false, token_expired: true,
  idle_timeout: true, rate_limited: true, too_many_connections: true, slow_consumer: true, internal_error: true,
  unavailable: true, revoked: true,
};
/** Close reasons that are about the token: a token function may give one that works. */
const TOKEN_REASONS = new Set(['token_required', 'token_invalid', 'token_expired', 'revoked', 'token_revoked']);
/** The hub closes connections it heard nothing from for 60 s: ping well within that. */
const DEFAULT_PING_MS = 20000;

const DEFAULTS = {
  transports: undefined,        // SockJS transports to allow, e.g. ['websocket', 'xhr-streaming']; default: all
  minReconnectMs: 500,          // first reconnect waits between half this and this
  maxReconnectMs: 15000,        // the wait doubles per failed attempt, up to this
  stableMs: 5000,               // a connection open this long starts the backoff over when it drops
  pingMs: DEFAULT_PING_MS,
  requestTimeoutMs: 10000,      // join, leave, presence, publish: how long to wait for the hub's reply
  tokenRefreshMs: 60000,        // ask the token function for a new token this long before `exp` (at most half the token's life)
};

/** A refusal from the hub (an `err` frame), or a request that could not be answered. */
export class HeraldError extends Error {
  constructor(code, message, { status, address } = {}) {
    super(message || code);
    this.name = 'HeraldError';
    this.code = code;          // the hub's vocabulary: access_denied, recovery_incomplete, …
    this.status = status;      // the hub's failureCode (403, 410, …), when it sent one
    this.address = address;    // the event type or control address the refusal is about
  }
}

export class Herald {
  #urls;
  #token;
  #options;
  #status = 'connecting';
  #closeInfo = null;
  #closedByApp = false;

  #socket = null;
  #openedAt = 0;
  #hubClose = null;          // the err frame without address that came just before a close
  #attempt = 0;
  #urlIndex = 0;
  #reconnectTimer = null;
  #pingTimer = null;
  #refreshTimer = null;
  #currentToken = null;
  #refusedToken = null;      // a token the hub refused at connect: never offered again

  #handlers = new Map();     // event type -> Set of handlers
  #positions = new Map();    // event type -> { seq, epoch } of the last event handed to the application
  #rooms = new Set();        // rooms joined, joined again after each reconnect
  #pending = new Map();      // reply address -> { resolve, reject, timer }
  #openWaiters = new Set();  // requests made while not connected: sent at the next open
  #listeners = { status: new Set(), recovery: new Set(), error: new Set() };

  /**
   * @param {object} options
   * @param {string[]} [options.urls]  base URLs of the nodes ('http://host:8080'), tried in turn
   * @param {string} [options.url]     one base URL (instead of urls)
   * @param {string|(() => string|Promise<string>)} [options.token] a JWT, or a function giving a fresh one
   */
  constructor({ urls, url, token, ...options } = {}) {
    this.#urls = (urls || (url ? [url] : [])).map(endpoint);
    if (this.#urls.length === 0) {
      throw new TypeError('Herald needs urls: ["http://host:8080", …]');
    }
    this.#token = token;
    this.#options = { ...DEFAULTS, ...options };
    this.#connect();
  }

  /** 'connecting' (first connection) | 'open' | 'reconnecting' | 'closed' */
  get status() {
    return this.#status;
  }

  /** The SockJS transport of the open connection ('websocket', 'xhr-streaming', …), or null. */
  get transport() {
    return this.#socket && this.#status === 'open' ? this.#socket.transport || null : null;
  }

  /** Why the last connection ended: { reason, code, message, reconnect } (null before any close). */
  get closeInfo() {
    return this.#closeInfo;
  }

  /** Calls handler(envelope) for each event of the type, once and in seq order; returns the unsubscribe. */
  on(type, handler) {
    let handlers = this.#handlers.get(type);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(type, handlers);
      this.#sendFrame(registerFrame(type, undefined));
    }
    const own = (event) => handler(event); // one entry per call, even for the same function
    handlers.add(own);
    return () => {
      if (!handlers.delete(own) || handlers.size > 0 || this.#handlers.get(type) !== handlers) {
        return;
      }
      this.#handlers.delete(type);
      this.#positions.delete(type);
      this.#sendFrame({ type: 'unregister', address: type });
    };
  }

  /** Calls callback(status, closeInfo) on each change of status; returns the unsubscribe. */
  onStatus(callback) {
    return listen(this.#listeners.status, callback);
  }

  /**
   * Calls callback(type, error) when the hub could not replay what was missed of a type (history no longer
   * covers the gap, or the stream restarted): events after the gap follow, but the application should
   * reload that type's state. Returns the unsubscribe.
   */
  onRecoveryIncomplete(callback) {
    return listen(this.#listeners.recovery, callback);
  }

  /** Calls callback(error) for refusals not tied to a request, e.g. access_denied for a type; returns the unsubscribe. */
  onError(callback) {
    return listen(this.#listeners.error, callback);
  }

  /** Joins a room; kept across reconnects. Rejects with a HeraldError (access_denied, …). */
  async join(room) {
    const reply = await this.request('herald:join', { room });
    this.#rooms.add(room);
    return reply;
  }

  async leave(room) {
    this.#rooms.delete(room);
    return this.request('herald:leave', { room });
  }

  /**
   * Who is online: in a room, or everyone the token may see without one (room null or undefined). Answers come in
   * pages of at most 500: pass { limit, next } with the previous answer's next while its more is true.
   */
  presence(room, page) {
    const body = room === undefined || room === null ? {} : { room };
    return this.request('herald:presence', page ? { ...body, ...page } : body);
  }

  /** Publishes an event of a type the token's role may publish; resolves to { id, seq, epoch }. */
  publish(type, data) {
    return this.request(type, data);
  }

  /** A request to the hub (`send` with a reply address); waits for the connection if it is not open. */
  request(address, body) {
    if (this.#status === 'closed') {
      return Promise.reject(new HeraldError('closed', 'the client is closed', { address }));
    }
    return new Promise((resolve, reject) => {
      const replyAddress = 'herald.reply.' + randomId();
      const entry = { resolve, reject };
      entry.send = () => {
        this.#openWaiters.delete(entry);
        this.#pending.set(replyAddress, entry);
        this.#sendFrame({ type: 'send', address, body, replyAddress, headers: {} });
      };
      entry.timer = setTimeout(() => {
        this.#openWaiters.delete(entry);
        this.#pending.delete(replyAddress);
        reject(new HeraldError('timeout', `no reply to ${address} within ${this.#options.requestTimeoutMs} ms`, { address }));
      }, this.#options.requestTimeoutMs);
      if (this.#status === 'open') {
        entry.send();
      } else {
        this.#openWaiters.add(entry);
      }
    });
  }

  /** Closes the connection for good. */
  close() {
    if (this.#status === 'closed') {
      return;
    }
    this.#closedByApp = true;
    this.#stopConnection();
    this.#setStatus('closed', { reason: 'client_closed', code: 1000, message: 'closed by the application', reconnect: false });
    this.#failRequests(new HeraldError('closed', 'the client was closed'));
  }

  // --- connection ----------------------------------------------------------------------------------

  async #connect() {
    let token;
    try {
      token = await this.#tokenForConnect();
    } catch (err) {
      if (this.#closedByApp) return;
      this.#afterClose({ reason: 'token_unavailable', code: 0, message: String(err && err.message || err), reconnect: true });
      return;
    }
    if (this.#closedByApp) return;
    if (token !== undefined && token === this.#refusedToken) {
      this.#setStatus('closed', this.#closeInfo); // the token function has nothing new: stop here
      this.#failRequests(new HeraldError(this.#closeInfo.reason, this.#closeInfo.message));
      return;
    }
    const url = this.#urls[this.#urlIndex] + (token ? '?token=' + encodeURIComponent(token) : '');
    const socket = new SockJS(url, null, this.#options.transports ? { transports: this.#options.transports } : {});
    this.#socket = socket;
    this.#hubClose = null;
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#opened();
    };
    socket.onmessage = (message) => {
      if (socket !== this.#socket) return;
      this.#onFrame(message.data);
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#afterClose(this.#describeClose(event, token));
    };
  }

  #opened() {
    this.#openedAt = Date.now();
    // the hub handles a connection's frames in order: these registers, then the joins, then what was queued
    for (const type of this.#handlers.keys()) {
      this.#sendFrame(registerFrame(type, this.#positions.get(type)), true);
    }
    for (const room of this.#rooms) {
      this.request('herald:join', { room }).catch((err) => this.#emit('error', err));
    }
    this.#pingTimer = setInterval(() => this.#sendFrame({ type: 'ping' }), this.#options.pingMs);
    this.#scheduleRefresh();
    this.#setStatus('open', null);
    [...this.#openWaiters].forEach((entry) => entry.send());
  }

  #describeClose(event, token) {
    const hub = this.#hubClose;
    // over WebSocket the close carries the hub's code and reason; the other SockJS transports say 3000
    // "Go away!", so there the err frame that came just before the close names the reason
    const closeReason = event && event.reason;
    const reason = hub ? hub.failureType : (closeReason in HUB_CLOSES ? closeReason : 'connection_lost');
    const info = {
      reason,
      code: event && event.code !== 3000 ? event.code : hub && hub.failureCode,
      message: hub ? hub.message : closeReason || 'connection lost',
      reconnect: HUB_CLOSES[reason] !== false,
    };
    if (TOKEN_REASONS.has(reason)) {
      // a refused token is never offered again; a token function may give another one, a fixed token cannot
      this.#refusedToken = token;
      this.#currentToken = null;
      info.reconnect = typeof this.#token === 'function';
    }
    return info;
  }

  #afterClose(info) {
    const lasted = this.#openedAt ? Date.now() - this.#openedAt : 0;
    this.#stopConnection();
    if (this.#closedByApp) return;
    if (!info.reconnect) {
      this.#setStatus('closed', info);
      this.#failRequests(new HeraldError(info.reason, info.message));
      return;
    }
    this.#failRequests(new HeraldError('disconnected', 'the connection closed before the reply came'));
    if (lasted >= this.#options.stableMs) {
      this.#attempt = 0;
    }
    const ceiling = Math.min(this.#options.maxReconnectMs, this.#options.minReconnectMs * 2 ** this.#attempt);
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    this.#attempt++;
    this.#urlIndex = (this.#urlIndex + 1) % this.#urls.length;
    this.#setStatus('reconnecting', { ...info, retryInMs: Math.round(delay) });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
  }

  #stopConnection() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#reconnectTimer);
    this.#pingTimer = this.#refreshTimer = this.#reconnectTimer = null;
    this.#openedAt = 0;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      try { socket.close(); } catch (e) { /* already closing */ }
    }
  }

  #setStatus(status, info) {
    if (info) {
      this.#closeInfo = info;
    }
    if (status === this.#status && status !== 'reconnecting') return;
    this.#status = status;
    for (const callback of [...this.#listeners.status]) {
      safely(callback, status, info);
    }
  }

  #sendFrame(frame, evenIfNotReported) {
    const socket = this.#socket;
    // frames are only sent while open: what matters is sent again on the next open (registers, joins)
    if (socket && (this.#status === 'open' || evenIfNotReported) && socket.readyState === 1) {
      socket.send(JSON.stringify(frame));
    }
  }

  /** Requests sent on the connection that ended fail; those still waiting for an open fail only when closed for good. */
  #failRequests(error) {
    for (const [address, entry] of this.#pending) {
      clearTimeout(entry.timer);
      this.#pending.delete(address);
      entry.reject(error);
    }
    if (this.#status === 'closed') {
      for (const entry of this.#openWaiters) {
        clearTimeout(entry.timer);
        entry.reject(error);
      }
      this.#openWaiters.clear();
    }
  }

  // --- frames ------------------------------------------------------------------------------------------

  #onFrame(data) {
    let frame;
    try {
      frame = typeof data === 'string' ? JSON.parse(data) : data;
    } catch (e) {
      return;
    }
    if (frame.type === 'rec') {
      this.#onRec(frame);
    } else if (frame.type === 'err') {
      this.#onErr(frame);
    }
  }

  #onRec(frame) {
    this.#hubClose = null; // that err was about a frame, not a close (a close follows its err at once)
    const reply = this.#pending.get(frame.address);
    if (reply) {
      this.#pending.delete(frame.address);
      clearTimeout(reply.timer);
      reply.resolve(frame.body);
      return;
    }
    const handlers = this.#handlers.get(frame.address);
    const event = frame.body;
    if (!handlers || !event || typeof event.seq !== 'number') return;
    const last = this.#positions.get(frame.address);
    if (last && last.epoch === event.epoch && event.seq <= last.seq) {
      return; // seen already (the hub sends each event once; this is the safety net)
    }
    this.#positions.set(frame.address, { seq: event.seq, epoch: event.epoch });
    for (const handler of [...handlers]) {
      safely(handler, event);
    }
  }

  #onErr(frame) {
    const error = new HeraldError(frame.failureType, frame.message, { status: frame.failureCode, address: frame.address });
    if (!frame.address) {
      // the hub names the reason of a close in an err frame without address just before it
      if (frame.failureType in HUB_CLOSES) {
        this.#hubClose = frame;
      } else {
        this.#emit('error', error);
      }
      return;
    }
    const reply = this.#pending.get(frame.address);
    if (reply) {
      this.#pending.delete(frame.address);
      clearTimeout(reply.timer);
      reply.reject(error);
    } else if (frame.failureType === 'recovery_incomplete') {
      this.#emit('recovery', frame.address, error);
    } else {
      this.#emit('error', error);
    }
  }

  #emit(kind, ...args) {
    for (const callback of [...this.#listeners[kind]]) {
      safely(callback, ...args);
    }
  }

  // --- tokens ------------------------------------------------------------------------------------------

  async #tokenForConnect() {
    if (typeof this.#token !== 'function') {
      return this.#token || undefined;
    }
    const current = this.#currentToken;
    if (current && current !== this.#refusedToken && msUntilRefresh(current, this.#options.tokenRefreshMs) > 0) {
      return current;
    }
    this.#currentToken = await this.#token();
    return this.#currentToken;
  }

  /** With a token function: a new token before this one's `exp`, handed to the hub over the open connection. */
  #scheduleRefresh() {
    clearTimeout(this.#refreshTimer);
    if (typeof this.#token !== 'function' || !this.#currentToken) return;
    const wait = msUntilRefresh(this.#currentToken, this.#options.tokenRefreshMs);
    if (wait === Infinity) return;
    this.#refreshTimer = setTimeout(() => this.#refresh(), Math.max(0, wait));
  }

  async #refresh() {
    try {
      const token = await this.#token();
      if (this.#status !== 'open') return; // the next connect takes it
      this.#currentToken = token;
      await this.request('herald:token', { token });
      this.#scheduleRefresh();
    } catch (err) {
      this.#emit('error', err instanceof HeraldError ? err : new HeraldError('token_unavailable', String(err && err.message || err)));
      if (this.#status === 'open') {
        this.#refreshTimer = setTimeout(() => this.#refresh(), 5000); // until it works or the hub closes for token_expired
      }
    }
  }
}

function registerFrame(type, position) {
  const headers = position ? { since: String(position.seq), epoch: position.epoch } : {};
  return { type: 'register', address: type, headers };
}

/** 'http://host:8080' or 'http://host:8080/eventbus' -> the SockJS endpoint. */
function endpoint(url) {
  const base = String(url).replace(/\/+$/, '');
  return base.endsWith('/eventbus') ? base : base + '/eventbus';
}

/** Milliseconds until a JWT should be replaced: `margin` before its exp, at most half its remaining life. Infinity without exp. */
function msUntilRefresh(token, margin) {
  const exp = jwtExpiry(token);
  if (exp === null) return Infinity;
  const left = exp * 1000 - Date.now();
  return left - Math.min(margin, left / 2);
}

/** The `exp` claim of a JWT, or null. */
export function jwtExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(payload.padEnd(payload.length + (4 - payload.length % 4) % 4, '='))).exp;
    return typeof exp === 'number' ? exp : null;
  } catch (e) {
    return null;
  }
}

function listen(set, callback) {
  const own = (...args) => callback(...args);
  set.add(own);
  return () => set.delete(own);
}

/** An application callback that throws must not stop delivery to the others: report it asynchronously. */
function safely(callback, ...args) {
  try {
    callback(...args);
  } catch (err) {
    setTimeout(() => { throw err; });
  }
}

function randomId() {
  return globalThis.crypto && globalThis.crypto.randomUUID ? globalThis.crypto.randomUUID()
    : Date.now().toString(36) + Math.random().toString(36).slice(2);
}
