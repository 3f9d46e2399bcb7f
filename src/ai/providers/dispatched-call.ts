/**
 * One upstream call through undici's dispatch API, the way the reverse proxy calls its upstreams: the
 * response body reaches the exchange as the socket delivers it, with no Readable per response, no promise
 * or 'data' event per chunk and no AbortSignal listener inside undici (pool.request() has all three; on a
 * token stream they were a large part of the gateway's own CPU per event).
 *
 * - `dispatchCall` resolves with the reply once the response head arrives and rejects when the call fails
 *   before it (connect error, response-head timeout, the cancellation). A buffered call (a non-streaming
 *   answer) resolves only at the body's end, with the whole body in `whole`, and rejects on any failure
 *   before that: one promise for the whole upstream exchange.
 * - The body is a ChunkSource: `forEachChunk` hands every chunk over synchronously; a promise verdict pauses
 *   the upstream (back-pressure) until it settles, `false` stops reading and aborts the rest. Chunks that
 *   arrive before anyone reads (the head and the first bytes often share a packet) wait in a small queue;
 *   past MAX_UNCLAIMED_BYTES the upstream is paused until they are read.
 * - A reset, an idle (body) timeout or the cancellation after the head rejects the reader.
 * - `discard()` reads and drops the rest so the connection can be reused, and aborts a body that goes on
 *   past MAX_DISCARDED_BYTES.
 */
import type { Dispatcher } from 'undici';
import type { Cancellation } from '../../lib/cancellation.ts';
import { utf8Text } from '../../lib/utf8-text.ts';
import type { ChunkSource, ChunkVerdict, UpstreamHeaders, UpstreamReply } from './provider.ts';

const MAX_UNCLAIMED_BYTES = 64 * 1024;
const MAX_DISCARDED_BYTES = 256 * 1024;

type OnChunk = (chunk: Uint8Array) => ChunkVerdict;

function abortError(cancellation: Cancellation): Error {
  return cancellation.reason ?? Object.assign(new Error('the upstream call was aborted'), { name: 'AbortError' });
}

class DispatchedCall implements Dispatcher.DispatchHandler, UpstreamReply, ChunkSource {
  status = 0;
  headers: UpstreamHeaders = {};
  whole: Uint8Array | undefined = undefined;
  readonly #cancellation: Cancellation;
  /** Resolve only at the body's end, with `whole` (a non-streaming answer). */
  readonly #isBuffered: boolean;
  readonly #resolveHead: (reply: UpstreamReply) => void;
  readonly #rejectHead: (err: Error) => void;
  #ctl: Dispatcher.DispatchController | null = null;
  /** The reply promise has settled (at the head, or at the end of a buffered body). */
  #isReplied = false;
  #isEnded = false;
  #error: Error | null = null;
  /** Chunks not handed over yet: before a reader came, or while its last verdict is pending. */
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #onChunk: OnChunk | null = null;
  #isWaitingVerdict = false;
  /** The upstream is paused: a verdict is pending, or unread chunks piled up. */
  #isPaused = false;
  #isDiscarding = false;
  #discardedBytes = 0;
  #finishRead: ((err: Error | null) => void) | null = null;

  constructor(cancellation: Cancellation, isBuffered: boolean, resolveHead: (reply: UpstreamReply) => void, rejectHead: (err: Error) => void) {
    this.#cancellation = cancellation;
    this.#isBuffered = isBuffered;
    this.#resolveHead = resolveHead;
    this.#rejectHead = rejectHead;
  }

  get body(): ChunkSource {
    return this;
  }

  start(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): void {
    this.#cancellation.setHook(this.#onCancel);
    try {
      dispatcher.dispatch(options, this);
    } catch (err) {
      this.onResponseError(null, err instanceof Error ? err : new Error(String(err)));
    }
  }

  onRequestStart(ctl: Dispatcher.DispatchController): void {
    this.#ctl = ctl;
    if (this.#cancellation.isCancelled) ctl.abort(abortError(this.#cancellation));
  }

  onResponseStart(_ctl: Dispatcher.DispatchController, statusCode: number, headers: UpstreamHeaders): void {
    this.status = statusCode;
    this.headers = headers;
    if (this.#isBuffered) return;
    this.#isReplied = true;
    this.#resolveHead(this);
  }

  onResponseData(ctl: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#isDiscarding) {
      this.#discardedBytes += chunk.length;
      if (this.#discardedBytes > MAX_DISCARDED_BYTES) ctl.abort(new Error('discarded upstream body too long'));
      return;
    }
    if (this.#onChunk !== null && !this.#isWaitingVerdict && this.#queue.length === 0) {
      this.#deliver(chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    if (this.#onChunk === null && !this.#isBuffered && this.#queuedBytes > MAX_UNCLAIMED_BYTES) this.#pause();
  }

  onResponseEnd(): void {
    this.#isEnded = true;
    this.#cancellation.clearHook(this.#onCancel);
    if (!this.#isReplied) {
      const queue = this.#queue;
      const whole = queue.length === 1 ? (queue[0] as Uint8Array) : Buffer.concat(queue);
      // The body stays readable as one chunk too (forEachChunk), like any other reply's.
      this.whole = whole;
      this.#queue = [whole];
      this.#isReplied = true;
      this.#resolveHead(this);
      return;
    }
    if (this.#onChunk !== null && this.#queue.length === 0 && !this.#isWaitingVerdict) this.#settle(null);
  }

  onResponseError(_ctl: Dispatcher.DispatchController | null, err: Error): void {
    this.#cancellation.clearHook(this.#onCancel);
    const error = this.#cancellation.isCancelled ? abortError(this.#cancellation) : err;
    if (!this.#isReplied) {
      this.#isReplied = true;
      this.#queue = [];
      this.#rejectHead(error);
      return;
    }
    this.#error = error;
    this.#queue = [];
    this.#settle(this.#error);
  }

  forEachChunk(onChunk: OnChunk): Promise<void> {
    if (this.#onChunk !== null || this.#isDiscarding) return Promise.reject(new Error('the upstream body is already being read'));
    if (this.#error !== null) return Promise.reject(this.#error);
    return new Promise<void>((resolve, reject) => {
      this.#finishRead = (err) => (err === null ? resolve() : reject(err));
      this.#onChunk = onChunk;
      this.#drainQueue();
    });
  }

  async text(): Promise<string> {
    if (this.whole !== undefined) return utf8Text(this.whole);
    const chunks: Uint8Array[] = [];
    await this.forEachChunk((chunk) => {
      chunks.push(chunk);
      return true;
    });
    return utf8Text(chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks));
  }

  discard(): void {
    if (this.whole !== undefined || this.#isEnded || this.#error !== null) return;
    this.#isDiscarding = true;
    this.#onChunk = null;
    this.#queue = [];
    this.#settle(null);
    this.#isWaitingVerdict = false;
    this.#resume();
  }

  #pause(): void {
    if (this.#isPaused) return;
    this.#isPaused = true;
    this.#ctl?.pause();
  }

  /** Resuming may hand over data at once (onResponseData inside resume()), so the queue is empty by then. */
  #resume(): void {
    if (!this.#isPaused) return;
    this.#isPaused = false;
    this.#ctl?.resume();
  }

  /** Hands queued chunks to the reader until one asks to wait or to stop; resumes the upstream if paused. */
  #drainQueue(): void {
    while (this.#queue.length > 0 && this.#onChunk !== null && !this.#isWaitingVerdict) {
      const chunk = this.#queue.shift() as Uint8Array;
      this.#queuedBytes -= chunk.length;
      this.#deliver(chunk);
    }
    if (this.#onChunk === null || this.#isWaitingVerdict) return;
    if (this.#isEnded) this.#settle(null);
    else this.#resume();
  }

  #deliver(chunk: Uint8Array): void {
    const onChunk = this.#onChunk as OnChunk;
    let verdict: ChunkVerdict;
    try {
      verdict = onChunk(chunk);
    } catch (err) {
      this.#stop(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (verdict === true) return;
    if (verdict === false) {
      this.#stop(null);
      return;
    }
    this.#isWaitingVerdict = true;
    this.#pause();
    verdict.then(
      (isMore) => {
        this.#isWaitingVerdict = false;
        if (!isMore) {
          this.#stop(null);
          return;
        }
        if (this.#onChunk !== null) this.#drainQueue();
      },
      (err: unknown) => {
        this.#isWaitingVerdict = false;
        this.#stop(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  /** The reader is done before the body's end: settle its promise, abort the rest of the upstream body. */
  #stop(err: Error | null): void {
    this.#queue = [];
    this.#settle(err);
    if (!this.#isEnded && this.#error === null) this.#ctl?.abort(new Error('the upstream body is no longer read'));
  }

  #settle(err: Error | null): void {
    const finish = this.#finishRead;
    this.#finishRead = null;
    this.#onChunk = null;
    finish?.(err);
  }

  readonly #onCancel = (reason: Error): void => {
    this.#ctl?.abort(reason);
  };
}

/**
 * Sends one request through `dispatcher`; resolves with the reply at the response head, or for a
 * buffered call (`isBuffered`) at the body's end with the whole body.
 */
export function dispatchCall(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, cancellation: Cancellation, isBuffered = false): Promise<UpstreamReply> {
  if (cancellation.isCancelled) return Promise.reject(abortError(cancellation));
  return new Promise<UpstreamReply>((resolve, reject) => new DispatchedCall(cancellation, isBuffered, resolve, reject).start(dispatcher, options));
}
