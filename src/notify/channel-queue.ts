/**
 * One channel's outbox: messages are POSTed one at a time in order, each retried with exponential backoff
 * (500 ms, 1 s, 2 s … at most 30 s apart, `retries` times) on network errors, timeouts, 429 and 5xx; other
 * answers are final. At most `MAX_PENDING` messages wait; beyond that the oldest is dropped (a dead
 * receiver must not grow the master's memory). Timers are unref'd: an outbox never keeps the master alive.
 */
import { request } from 'undici';
import type { Dispatcher } from 'undici';

export interface ChannelQueueOptions {
  /** Channel name, for logs (never the URL: it often holds a token). */
  readonly name: string;
  readonly url: string;
  readonly retries: number;
  readonly timeoutMs: number;
  /** The notifier's own connection pool (closed with it). */
  readonly dispatcher: Dispatcher;
  /** A message given up on (after every retry, or dropped). */
  readonly onFailure: (reason: string) => void;
  readonly baseDelayMs?: number;
}

export const MAX_PENDING = 100;
const MAX_DELAY_MS = 30_000;

type AttemptResult = { readonly ok: true } | { readonly ok: false; readonly isFinal: boolean; readonly reason: string };

export class ChannelQueue {
  readonly #options: ChannelQueueOptions;
  readonly #pending: string[] = [];
  #isSending = false;
  #isClosed = false;
  readonly #aborts = new Set<AbortController>();
  #timer: NodeJS.Timeout | undefined;
  #wakeTimer: () => void = () => undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: ChannelQueueOptions) {
    this.#options = options;
  }

  /** Queues a JSON body; returns at once. */
  push(body: string): void {
    if (this.#isClosed) return;
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending.shift();
      this.#options.onFailure(`more than ${MAX_PENDING} messages waiting; dropped the oldest`);
    }
    this.#pending.push(body);
    if (!this.#isSending) void this.#run();
  }

  /** Resolves once nothing waits or is in flight. */
  idle(): Promise<void> {
    if (!this.#isSending && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Drops what waits and aborts the message in flight. */
  close(): void {
    this.#isClosed = true;
    this.#pending.length = 0;
    for (const abort of this.#aborts) abort.abort();
    clearTimeout(this.#timer);
    this.#wakeTimer();
  }

  async #run(): Promise<void> {
    this.#isSending = true;
    while (!this.#isClosed) {
      const body = this.#pending.shift();
      if (body === undefined) break;
      await this.#deliver(body);
    }
    this.#isSending = false;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #deliver(body: string): Promise<void> {
    const { retries, baseDelayMs = 500 } = this.#options;
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.#attempt(body);
      if (result.ok || this.#isClosed) return;
      if (result.isFinal || attempt >= retries) {
        this.#options.onFailure(`${result.reason}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`);
        return;
      }
      await this.#sleep(Math.min(baseDelayMs * 2 ** attempt, MAX_DELAY_MS));
    }
  }

  async #attempt(body: string): Promise<AttemptResult> {
    const abort = new AbortController();
    this.#aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.#options.timeoutMs);
    timer.unref();
    try {
      const response = await request(this.#options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'louailink-notify' },
        body,
        signal: abort.signal,
        dispatcher: this.#options.dispatcher,
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true };
      return { ok: false, isFinal: status !== 429 && status < 500, reason: `HTTP ${status}` };
    } catch (err) {
      const reason = abort.signal.aborted ? `no answer within ${this.#options.timeoutMs} ms` : ((err as { code?: string }).code ?? (err as Error).message);
      return { ok: false, isFinal: false, reason };
    } finally {
      clearTimeout(timer);
      this.#aborts.delete(abort);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeTimer = resolve;
      this.#timer = setTimeout(resolve, ms);
      this.#timer.unref();
    });
  }
}
