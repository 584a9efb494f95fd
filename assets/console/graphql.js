// A small GraphQL client: queries and mutations over HTTP POST, subscriptions over
// one WebSocket speaking graphql-transport-ws. The socket reconnects with backoff and
// resumes each subscription after the last cursor it delivered, so a dropped
// connection loses no event and repeats none.

/** A GraphQL or transport failure with a message fit to show to a person. */
export class GraphQLError extends Error {
  constructor(message, code = 'INTERNAL', errors = []) {
    super(message);
    this.name = 'GraphQLError';
    this.code = code;
    this.errors = errors;
  }
}

function fromErrors(errors) {
  const first = errors[0] || {};
  const code = (first.extensions && first.extensions.code) || 'INTERNAL';
  return new GraphQLError(first.message || 'The server could not do that.', code, errors);
}

/**
 * POSTs one operation. `getToken` is read on every call so a switched person takes
 * effect at once. Resolves to `data`; rejects with a GraphQLError.
 */
export async function request(url, getToken, query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      // The console's own origin only: a host that signs people in with a cookie
      // vouches for them this way; socialgate itself reads no cookie.
      credentials: 'same-origin',
    });
  } catch {
    throw new GraphQLError('Cannot reach the server. Check your connection and try again.', 'NETWORK');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page: say what happened without showing it.
  }
  if (body && Array.isArray(body.errors) && body.errors.length) throw fromErrors(body.errors);
  if (!response.ok || !body || !body.data) {
    const code = response.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL';
    throw new GraphQLError(`The server answered ${response.status}. Try again in a moment.`, code);
  }
  return body.data;
}

const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 10_000;
const MAX_BACKOFF_MS = 15_000;

/**
 * Subscriptions over one graphql-transport-ws socket.
 *
 * `connectionPayload()` is awaited at every (re)connect, so it can return a fresh
 * token. `onState(state)` hears 'connecting' | 'live' | 'reconnecting' | 'closed' |
 * 'unauthorized'. `onAuthFailed(reason)` runs when the server refuses the token
 * (close 4403, with the server's reason); resolve true once a new token is available
 * to try again.
 */
export class SubscriptionClient {
  constructor(url, { connectionPayload, onState = () => {}, onAuthFailed = async () => false }) {
    this.url = url;
    this.connectionPayload = connectionPayload;
    this.onState = onState;
    this.onAuthFailed = onAuthFailed;
    this.subs = new Map();
    this.nextId = 1;
    this.socket = null;
    this.acked = false;
    this.failures = 0;
    this.stopped = true;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.state = 'closed';
    this.liveWaiters = [];
    // Bumped by every teardown, so an open() still awaiting its payload from before a
    // reconnect does not open a second socket with the old token.
    this.generation = 0;
    window.addEventListener('online', () => {
      if (!this.stopped && !this.socket) this.reconnectNow();
    });
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
  }

  /**
   * Starts a subscription. `resume` names the argument that takes the last cursor
   * (`after`) and how to read the cursor from a result; the client fills it in on
   * every resubscribe. Returns a function that ends the subscription; its
   * `resumeAfter(cursor)` sets where a resubscribe resumes while no event has come yet.
   */
  subscribe({ query, variables = {}, resume }, { next, error = () => {} }) {
    const id = String(this.nextId++);
    const sub = { id, query, variables: { ...variables }, resume, next, error };
    this.subs.set(id, sub);
    if (this.stopped) this.start();
    else if (this.acked) this.send({ id, type: 'subscribe', payload: this.payloadOf(sub) });
    const end = () => {
      if (this.subs.delete(id) && this.acked) this.send({ id, type: 'complete' });
    };
    end.resumeAfter = (cursor) => {
      if (resume && sub.variables[resume.argument] == null) sub.variables[resume.argument] = cursor;
    };
    return end;
  }

  /**
   * Resolves true once the socket is accepted and its subscriptions are sent, or
   * false after `timeoutMs`.
   */
  whenLive(timeoutMs) {
    if (this.acked) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.liveWaiters.push(resolve);
      setTimeout(() => resolve(false), timeoutMs);
    });
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Closes the socket for good (until the next subscribe) and drops subscriptions. */
  stop() {
    this.stopped = true;
    this.subs.clear();
    this.teardown(1000, 'client done');
    this.setState('closed');
  }

  /** Reconnects now, e.g. after the token changed. */
  reconnectNow() {
    this.failures = 0;
    this.teardown(1000, 'reconnecting');
    if (!this.stopped) this.open();
  }

  payloadOf(sub) {
    return { query: sub.query, variables: sub.variables };
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  teardown(code, reason) {
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.retryTimer = this.pingTimer = this.pongTimer = null;
    this.generation += 1;
    const socket = this.socket;
    this.socket = null;
    this.acked = false;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  async open() {
    this.setState(this.failures ? 'reconnecting' : 'connecting');
    const generation = this.generation;
    let payload;
    try {
      payload = await this.connectionPayload();
    } catch {
      this.scheduleRetry();
      return;
    }
    if (this.stopped || this.socket || generation !== this.generation) return;
    const socket = new WebSocket(this.url, 'graphql-transport-ws');
    this.socket = socket;
    socket.onopen = () => this.send({ type: 'connection_init', payload });
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.closed(event.code, event.reason);
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const sub = message.id ? this.subs.get(message.id) : null;
    switch (message.type) {
      case 'connection_ack':
        this.acked = true;
        this.failures = 0;
        this.setState('live');
        this.keepAlive();
        for (const s of this.subs.values()) {
          this.send({ id: s.id, type: 'subscribe', payload: this.payloadOf(s) });
        }
        for (const resolve of this.liveWaiters.splice(0)) resolve(true);
        break;
      case 'ping':
        this.send({ type: 'pong' });
        break;
      case 'pong':
        clearTimeout(this.pongTimer);
        break;
      case 'next':
        if (!sub) break;
        if (message.payload.errors && message.payload.errors.length) {
          sub.error(fromErrors(message.payload.errors));
          break;
        }
        if (sub.resume) {
          const cursor = sub.resume.cursorOf(message.payload.data);
          if (cursor != null) sub.variables[sub.resume.argument] = cursor;
        }
        sub.next(message.payload.data);
        break;
      case 'error':
        if (!sub) break;
        this.subs.delete(sub.id);
        sub.error(fromErrors(Array.isArray(message.payload) ? message.payload : [message.payload]));
        break;
      case 'complete':
        // The server ended it (it does so when shutting down): pick up where it left.
        if (sub) this.reconnectSoon();
        break;
      default:
        break;
    }
  }

  keepAlive() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      this.send({ type: 'ping' });
      clearTimeout(this.pongTimer);
      // A socket that no longer answers is dead even if the browser has not noticed.
      this.pongTimer = setTimeout(() => this.closed(4000), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  reconnectSoon() {
    this.teardown(1000, 'resuming');
    this.scheduleRetry();
  }

  async closed(code, reason = '') {
    this.teardown(1000, 'closing');
    if (this.stopped) return;
    if (code === 4403) {
      // The token was refused or ran out: only a new one helps.
      this.setState('reconnecting');
      const renewed = await this.onAuthFailed(reason).catch(() => false);
      if (this.stopped) return;
      if (!renewed) {
        this.setState('unauthorized');
        return;
      }
    }
    this.scheduleRetry(code === 4429 ? 4 : 0);
  }

  scheduleRetry(extra = 0) {
    if (this.stopped) return;
    this.failures += 1 + extra;
    this.setState('reconnecting');
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures - 1, 8));
    // Jitter keeps many dashboards from coming back in lockstep after a restart.
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && !this.socket) this.open();
    }, delay);
  }
}
