/**
 * The streaming proxy exchange: one `ProxyExchange` per request is the undici dispatch handler.
 * - Targets: starts at the balancer's pick; an error before undici started the request (connect refused,
 *   connect timeout, DNS, TLS handshake) moves to the next target, each tried at most once. The body is
 *   untouched until undici starts the request, so such a retry never loses bytes.
 * - Backpressure: `res.write() === false` pauses the upstream (controller.pause) until 'drain'; the request
 *   body is streamed by undici with its own backpressure.
 * - Cancellation: the client response closing before the end aborts the upstream request.
 * - Errors before the response head → a rendered error (502/504/413); after it → the client response is
 *   destroyed (HTTP/1.1 incomplete body, HTTP/2 RST_STREAM), never a clean end.
 * - Deadline: `timeouts.total` covers the whole exchange unless the response is text/event-stream.
 * - Circuit breakers (upstreams with `circuit_breaker`): an attempt goes only to a target whose breaker
 *   admits it, and gives it one verdict: a failure status, connect error or timeout before the head is a
 *   failure, any other head a success, a client that leaves or a body over the limit no verdict. Every
 *   target refusing → 503 circuit_open with Retry-After.
 * - Response head of a stream (SSE, or no Content-Length) on HTTP/1.1: it leaves with the first body chunk
 *   when that chunk came in the same upstream read (one write, one packet: the usual case), else a microtask
 *   flushes it alone once undici's parser returns, so a client never waits for a slow first token to see it.
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { GatewayError, isGatewayError } from '../core/errors.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import { takeBufferedBody } from './buffered-body.ts';
import type { DeadlineEntry } from './deadline-timer.ts';
import { sharedDeadlines } from './deadline-timer.ts';
import type { ForwardedApplier, ForwardedContext } from './forwarded.ts';
import type { HeaderRuleSet } from './header-rules.ts';
import { copyRequestHeaders, copyResponseHeaders } from './hop-by-hop.ts';
import { LimitedBody, upstreamBody } from './request-body.ts';
import type { GeneratedResponseOptions } from './respond-error.ts';
import { respondError, writeResponseHead } from './respond-error.ts';
import type { PathRewriter } from './rewrite.ts';
import type { TargetBreaker } from './target-breakers.ts';
import type { UpstreamPool } from './upstream-pool.ts';

type DispatchController = Dispatcher.DispatchController;

/**
 * What the proxy tells observability about one exchange (implemented by the worker's request record;
 * null when observability is off, so the exchange skips it with one check).
 */
export interface ExchangeObserver {
  /** An attempt is dispatched to `origin` ("http://host:port") of upstream `upstream`. */
  onUpstreamStart(upstream: string, origin: string): void;
  onUpstreamHead(status: number, isStream: boolean): void;
  /** A response body chunk is relayed to the client. */
  onBodyChunk(chunk: Uint8Array): void;
  /** The exchange failed; `errorType` is the gateway error code. */
  onUpstreamError(errorType: string): void;
}

/** Everything a proxied location needs, compiled once per config. */
export interface ProxyRoute {
  readonly upstream: UpstreamPool;
  readonly rewrite: PathRewriter | null;
  readonly requestRules: HeaderRuleSet | null;
  readonly forwarded: ForwardedApplier | null;
  readonly maxBodyBytes: number;
  /** Response rules + server header, for upstream responses and the gateway's own answers. */
  readonly generated: GeneratedResponseOptions;
}

const PHASE_CONNECTING = 0; // dispatched, undici has not started the request (no socket/stream yet)
const PHASE_SENT = 1; // request started upstream, no response head yet
const PHASE_RESPONDING = 2; // response head forwarded, body streaming
const PHASE_DONE = 3; // finished, failed, timed out or client gone: later callbacks are ignored

const CLIENT_GONE = new Error('client closed the connection');
const DEADLINE = new GatewayError('upstream_timeout', 'the upstream exceeded the total deadline');
const EVENT_STREAM = 'text/event-stream';

/** undici refusing what the client sent (bad header, body shorter than its length): not the target's fault. */
function isClientSideError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH';
}

function timeoutOrConnectError(err: Error, connecting: boolean): GatewayError {
  if (isGatewayError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new GatewayError('upstream_timeout', undefined, { cause: err });
  }
  return connecting
    ? new GatewayError('upstream_connect_error', undefined, { cause: err })
    : new GatewayError('upstream_error', undefined, { cause: err });
}

class ProxyExchange implements Dispatcher.DispatchHandler, DeadlineEntry {
  deadlineTick = 0;
  deadlinePrev: DeadlineEntry | null = null;
  deadlineNext: DeadlineEntry | null = null;
  readonly #res: GatewayResponse;
  readonly #route: ProxyRoute;
  readonly #requestId: string;
  readonly #options: Dispatcher.DispatchOptions;
  readonly #body: Readable | null;
  readonly #obs: ExchangeObserver | null;
  /** HTTP/2 compat response (decided once from the request, no instanceof on the hot path). */
  readonly #isH2: boolean;
  #phase = PHASE_CONNECTING;
  #ctl: DispatchController | null = null;
  #target = 0;
  #attempts = 0;
  #isWaitingDrain = false;
  /** HTTP/1.1 stream head written but not sent yet: it goes with the first chunk or a microtask sends it. */
  #isHeadPending = false;
  #hasDeadline = false;
  /** The breaker of the current attempt's target until it has its verdict. */
  #breaker: TargetBreaker | null = null;

  constructor(
    res: GatewayResponse,
    route: ProxyRoute,
    requestId: string,
    options: Dispatcher.DispatchOptions,
    body: Readable | null,
    isH2: boolean,
    obs: ExchangeObserver | null,
  ) {
    this.#res = res;
    this.#route = route;
    this.#requestId = requestId;
    this.#options = options;
    this.#body = body;
    this.#obs = obs;
    this.#isH2 = isH2;
  }

  start(): void {
    this.#res.on('close', this.#onClientClose);
    const totalMs = this.#route.upstream.timeouts.totalMs;
    if (totalMs > 0) {
      this.#hasDeadline = true;
      sharedDeadlines.add(this, totalMs);
    }
    this.#target = this.#route.upstream.pick();
    if (this.#target < 0) {
      this.#failCircuitOpen();
      return;
    }
    this.#dispatch();
  }

  #dispatch(): void {
    const targets = this.#route.upstream.targets;
    let target = targets[this.#target];
    for (;;) {
      this.#attempts++;
      if (target === undefined) {
        this.#fail(new GatewayError('no_upstream_available'));
        return;
      }
      const breaker = target.breaker;
      if (breaker === null) break;
      if (breaker.tryAcquire()) {
        this.#breaker = breaker;
        break;
      }
      // Half-open with its probes out (or opened since the pick): the next target, each considered once.
      if (this.#attempts >= targets.length) {
        this.#failCircuitOpen();
        return;
      }
      this.#target = (this.#target + 1) % targets.length;
      target = targets[this.#target];
    }
    this.#obs?.onUpstreamStart(this.#route.upstream.name, target.origin);
    try {
      target.pool.dispatch(this.#options, this);
    } catch (err) {
      this.onResponseError(null, err as Error);
    }
  }

  onRequestStart(ctl: DispatchController): void {
    if (this.#phase === PHASE_DONE) {
      ctl.abort(CLIENT_GONE);
      return;
    }
    this.#ctl = ctl;
    this.#phase = PHASE_SENT;
  }

  onResponseStart(ctl: DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (this.#phase === PHASE_DONE) {
      ctl.abort(CLIENT_GONE);
      return;
    }
    this.#phase = PHASE_RESPONDING;
    const breaker = this.#breaker;
    if (breaker !== null) {
      this.#breaker = null;
      if (this.#route.upstream.breakers?.isFailureStatus(statusCode) === true) breaker.onFailure();
      else breaker.onSuccess();
    }
    const res = this.#res;
    const out = copyResponseHeaders(headers);
    out['x-request-id'] = this.#requestId;
    const generated = this.#route.generated;
    if (generated.rules !== null) generated.rules.apply(out);
    const contentType = headers['content-type'];
    const isEventStream = typeof contentType === 'string' && contentType.startsWith(EVENT_STREAM);
    this.#obs?.onUpstreamHead(statusCode, isEventStream);
    if (isEventStream && this.#hasDeadline) {
      this.#hasDeadline = false;
      sharedDeadlines.delete(this);
    }
    try {
      if (this.#isH2) {
        writeResponseHead(res, statusCode, out, true);
      } else {
        (res as ServerResponse).writeHead(statusCode, out);
        // Streams of unknown length get their head now, not only with a first chunk that may be slow.
        if (isEventStream || headers['content-length'] === undefined) {
          this.#isHeadPending = true;
          queueMicrotask(this.#flushPendingHead);
        }
      }
    } catch (err) {
      this.#finish();
      ctl.abort(err as Error);
      if (!res.headersSent) respondError(res, new GatewayError('upstream_error', 'invalid upstream response head', { cause: err }), this.#requestId, generated);
      else res.destroy();
    }
  }

  onResponseData(ctl: DispatchController, chunk: Buffer): void {
    if (this.#phase === PHASE_DONE) return;
    this.#obs?.onBodyChunk(chunk);
    // An unsent head leaves with this chunk (node prepends it to the first write).
    this.#isHeadPending = false;
    if (!(this.#res as ServerResponse).write(chunk)) {
      ctl.pause();
      if (!this.#isWaitingDrain) {
        this.#isWaitingDrain = true;
        this.#res.once('drain', () => this.#onDrain());
      }
    }
  }

  onResponseEnd(): void {
    if (this.#phase === PHASE_DONE) return;
    this.#finish();
    this.#res.end();
  }

  onResponseError(_ctl: DispatchController | null, err: Error): void {
    if (this.#phase === PHASE_DONE) return;
    const res = this.#res;
    const body = this.#body;
    if (body instanceof LimitedBody && body.isTooLarge) {
      this.#cancelVerdict();
      this.#fail(new GatewayError('body_too_large'), true);
      return;
    }
    const breaker = this.#breaker;
    if (breaker !== null) {
      this.#breaker = null;
      if (isClientSideError(err)) breaker.onCancel();
      else breaker.onFailure();
    }
    if (this.#phase === PHASE_RESPONDING) {
      this.#finish();
      this.#obs?.onUpstreamError('upstream_error');
      res.destroy(err);
      return;
    }
    const targets = this.#route.upstream.targets;
    if (this.#phase === PHASE_CONNECTING && this.#attempts < targets.length && (body === null || !body.readableDidRead)) {
      this.#target = (this.#target + 1) % targets.length;
      this.#dispatch();
      return;
    }
    const failure = timeoutOrConnectError(err, this.#phase === PHASE_CONNECTING);
    this.#obs?.onUpstreamError(failure.code);
    this.#fail(failure);
  }

  onDeadline(): void {
    if (this.#phase === PHASE_DONE) return;
    const wasResponding = this.#phase === PHASE_RESPONDING;
    this.#phase = PHASE_DONE;
    const breaker = this.#breaker;
    if (breaker !== null) {
      this.#breaker = null;
      breaker.onFailure();
    }
    this.#obs?.onUpstreamError(DEADLINE.code);
    this.#ctl?.abort(DEADLINE);
    if (wasResponding) this.#res.destroy(DEADLINE);
    else respondError(this.#res, DEADLINE, this.#requestId, this.#route.generated);
  }

  /** Every target's circuit is open (or its probes are out): 503 with the time to the first probe. */
  #failCircuitOpen(): void {
    const retryAfterMs = this.#route.upstream.breakers?.retryAfterMs() ?? 1000;
    const err = new GatewayError('circuit_open', undefined, { headers: { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } });
    this.#obs?.onUpstreamError(err.code);
    this.#fail(err);
  }

  #cancelVerdict(): void {
    const breaker = this.#breaker;
    if (breaker !== null) {
      this.#breaker = null;
      breaker.onCancel();
    }
  }

  #fail(err: GatewayError, closeConnection = false): void {
    this.#finish();
    respondError(this.#res, err, this.#requestId, this.#route.generated, closeConnection);
  }

  #finish(): void {
    this.#phase = PHASE_DONE;
    this.#isHeadPending = false;
    if (this.#hasDeadline) {
      this.#hasDeadline = false;
      sharedDeadlines.delete(this);
    }
  }

  #onDrain(): void {
    this.#isWaitingDrain = false;
    if (this.#phase !== PHASE_DONE) this.#ctl?.resume();
  }

  #flushPendingHead = (): void => {
    if (!this.#isHeadPending) return;
    this.#isHeadPending = false;
    // No chunk and no end since the head was written (both clear the flag), so the head is still unsent.
    const res = this.#res as ServerResponse;
    if (!res.destroyed) res.flushHeaders();
  };

  #onClientClose = (): void => {
    if (this.#phase === PHASE_DONE) return;
    this.#cancelVerdict();
    this.#finish();
    // Before onRequestStart there is no controller yet; onRequestStart aborts on PHASE_DONE.
    this.#ctl?.abort(CLIENT_GONE);
  };
}

/** The forwarded applier's view of the request; the peer address is read only if the applier asks for it. */
class RequestForwardedContext implements ForwardedContext {
  readonly proto: 'http' | 'https';
  readonly host: string | undefined;
  readonly #req: GatewayRequest;

  constructor(req: GatewayRequest, proto: 'http' | 'https', host: string | undefined) {
    this.#req = req;
    this.proto = proto;
    this.host = host;
  }

  get remoteAddress(): string | undefined {
    return this.#req.socket?.remoteAddress;
  }
}

/**
 * Proxies one request to the route's upstream; never throws, never rejects. `obs` (null when observability
 * is off) hears the upstream attempt, response head, body chunks and failure.
 */
export function forwardRequest(
  req: GatewayRequest,
  res: GatewayResponse,
  route: ProxyRoute,
  requestId: string,
  proto: 'http' | 'https',
  obs: ExchangeObserver | null = null,
): void {
  const isH2 = req.httpVersionMajor === 2;
  if (res.writableEnded || (isH2 ? (res as Http2ServerResponse).stream.destroyed : res.destroyed)) return;
  const upstream = route.upstream;
  const reqHeaders = req.headers;
  const headers = copyRequestHeaders(reqHeaders, upstream.preserveHost);
  headers['x-request-id'] = requestId;
  if (route.forwarded !== null) {
    const host = reqHeaders.host ?? (isH2 ? (req as Http2ServerRequest).authority : undefined);
    route.forwarded(headers, new RequestForwardedContext(req, proto, host));
  }
  if (route.requestRules !== null) route.requestRules.apply(headers);
  const url = req.url ?? '/';
  // A body a plugin already read (request-restriction `params`) goes as bytes; it can always be resent.
  const replay = takeBufferedBody(req);
  const body = replay === undefined ? upstreamBody(req, route.maxBodyBytes, isH2) : null;
  const options: Dispatcher.DispatchOptions = {
    path: route.rewrite === null ? url : route.rewrite(url),
    method: req.method ?? 'GET',
    headers,
    body: replay ?? body,
  };
  new ProxyExchange(res, route, requestId, options, body, isH2, obs).start();
}
