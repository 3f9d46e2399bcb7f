/**
 * Graceful drain of a worker's client connections (zero-downtime.md §7.2). Node's `server.close()` is not
 * used: it destroys every connection that is "idle" at that instant, including keep-alive connections
 * whose next request is already on the wire (hundreds of failed requests per reload under load). Instead:
 *   1. the caller stops accepting with `net.Server.prototype.close` (no eager idle close);
 *   2. HTTP/1.1 responses whose head is not sent yet get `Connection: close`, so clients reconnect, and the
 *      new connection lands on a new worker; HTTP/2 sessions get GOAWAY (`session.close()`);
 *   3. keep-alive connections idle for at least `idleGraceMs` are destroyed (a busy client has sent its
 *      next request by then and received `Connection: close` on it);
 *   4. requests and streams run until they end or `timeoutMs` passes, then everything left is destroyed.
 * Connections are tracked from the moment they are accepted (`trackConnection`), so a connection that has
 * not sent a request yet is drained too.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';

interface ConnectionState {
  readonly socket: Socket;
  /** Requests whose response has not finished yet. */
  active: number;
  lastActiveAt: number;
  isHttp2: boolean;
}

/** What a tracked response carries (one symbol-keyed slot instead of a closure per request). */
interface TrackedResponse {
  [kResponseState]?: ConnectionState | null;
}

export interface DrainOptions {
  readonly timeoutMs: number;
  readonly idleGraceMs: number;
}

const kState = Symbol('louailink.connectionState');
const kResponseState = Symbol('louailink.responseConnection');
type Tagged = { [kState]?: ConnectionState };

/** How often a draining worker looks for idle keep-alive connections. */
const SWEEP_EVERY_MS = 100;

export class ConnectionDrain {
  readonly #connections = new Set<ConnectionState>();
  readonly #sessions = new Set<Http2Session>();
  #isDraining = false;
  #drained: Promise<void> | undefined;
  #requestsInFlight = 0;

  get isDraining(): boolean {
    return this.#isDraining;
  }

  get requestsInFlight(): number {
    return this.#requestsInFlight;
  }

  get connectionCount(): number {
    return this.#connections.size + this.#sessions.size;
  }

  /**
   * Call from the server's `connection` event for cleartext servers, from `secureConnection` for TLS ones
   * (never both: the request's socket must be the tracked one).
   */
  trackConnection(socket: Socket): void {
    const tagged = socket as Socket & Tagged;
    if (tagged[kState] !== undefined) return;
    const state: ConnectionState = { socket, active: 0, lastActiveAt: Date.now(), isHttp2: false };
    tagged[kState] = state;
    this.#connections.add(state);
    socket.once('close', () => this.#connections.delete(state));
  }

  /** Call from the server's `session` event (HTTP/2). */
  trackSession(session: Http2Session): void {
    this.#sessions.add(session);
    session.once('close', () => this.#sessions.delete(session));
    // The session's socket is a proxy that forwards property reads to the real socket.
    const state = (session.socket as Socket & Tagged | undefined)?.[kState];
    if (state !== undefined) state.isHttp2 = true;
    if (this.#isDraining) session.close();
  }

  /**
   * Call first thing for every request. Hot path: no closure and no set per request; the response keeps
   * its connection's state in a symbol slot and one listener shared by every response reads it back.
   */
  trackRequest(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
    this.#requestsInFlight += 1;
    const state = (req.socket as Socket & Tagged | undefined)?.[kState] ?? null;
    const isHttp1 = req.httpVersionMajor === 1;
    if (state !== null) {
      state.active += 1;
      if (!isHttp1) state.isHttp2 = true;
    }
    if (this.#isDraining && isHttp1) (res as ServerResponse).shouldKeepAlive = false;
    (res as TrackedResponse)[kResponseState] = state;
    res.on('close', this.#onResponseClose);
  }

  readonly #onResponseClose = ((drain: ConnectionDrain) =>
    function onResponseClose(this: TrackedResponse): void {
      drain.#requestsInFlight -= 1;
      const state = this[kResponseState];
      if (state === undefined || state === null) return;
      this[kResponseState] = null;
      state.active -= 1;
      state.lastActiveAt = Date.now();
    })(this);

  /**
   * Starts the drain; resolves when no connection is left, or at the deadline after destroying what is
   * left. Idempotent: later calls return the first call's promise (with its options).
   */
  drain(options: DrainOptions): Promise<void> {
    this.#drained ??= this.#startDrain(options);
    return this.#drained;
  }

  #startDrain(options: DrainOptions): Promise<void> {
    this.#isDraining = true;
    for (const state of this.#connections) {
      // The response in progress on an HTTP/1.1 connection is node's `_httpMessage` of its socket (a later
      // pipelined one is caught by trackRequest, which sees #isDraining).
      const res = (state.socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (res != null && !res.headersSent) res.shouldKeepAlive = false;
    }
    for (const session of this.#sessions) session.close();
    const deadline = Date.now() + options.timeoutMs;
    return new Promise<void>((resolve) => {
      const sweep = (): void => {
        const now = Date.now();
        if (now >= deadline) this.destroyAll();
        else this.#closeIdle(now, options.idleGraceMs);
        if (this.connectionCount === 0) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(sweep, SWEEP_EVERY_MS);
      sweep();
    });
  }

  /** Fast stop and drain deadline: every connection and session is destroyed now. */
  destroyAll(): void {
    for (const session of this.#sessions) session.destroy();
    for (const state of this.#connections) state.socket.destroy();
  }

  #closeIdle(now: number, idleGraceMs: number): void {
    for (const state of this.#connections) {
      if (state.isHttp2 || state.active > 0) continue;
      if (now - state.lastActiveAt >= idleGraceMs) state.socket.destroy();
    }
  }
}
