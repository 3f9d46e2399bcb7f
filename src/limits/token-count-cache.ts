/**
 * Worker side of cluster-wide token limits: what this worker knows of each key's token count in the
 * current window. The first check of a key in a window asks the master (one round trip per key, window
 * and worker; the request waits for it); later checks are answered locally from the known count, which
 * grows with this worker's own charges and jumps to the master's count when the master announces that
 * the limit was reached. Charges are sent without waiting for an answer.
 */
import { msUntilWindowEnd, windowEndOf, windowStartOf } from './fixed-window.ts';
import type { TokenChargeMessage, TokenCountMessage } from './lease-protocol.ts';
import type { Admission } from './lease-cache.ts';

interface KeyCount {
  windowStart: number;
  windowMs: number;
  limit: number;
  /** Best known count of the window: the master's answer plus this worker's charges since. */
  used: number;
  isKnown: boolean;
  /** Id of the check in flight, or 0. */
  pendingId: number;
  /** Charges sent after the check in flight (its answer does not include them). */
  chargedWhilePending: number;
  waiters: ((admission: Admission) => void)[];
}

const FIRST_SWEEP_AT = 10_000;

export class TokenCountCache {
  readonly #send: (message: TokenChargeMessage) => void;
  readonly #now: () => number;
  readonly #counts = new Map<string, KeyCount>();
  #nextId = 1;
  #sweepAt = FIRST_SWEEP_AT;

  constructor(send: (message: TokenChargeMessage) => void, now: () => number = Date.now) {
    this.#send = send;
    this.#now = now;
  }

  /** 0 while the window's count is below `limit`, else the ms until the window ends; a promise on the first check. */
  check(key: string, limit: number, windowMs: number): Admission | Promise<Admission> {
    const nowMs = this.#now();
    const entry = this.#current(key, limit, windowMs, nowMs);
    if (entry.isKnown) return entry.used >= limit ? msUntilWindowEnd(nowMs, windowMs) : 0;
    return new Promise<Admission>((resolve) => {
      entry.waiters.push(resolve);
      if (entry.pendingId === 0) this.#ask(key, entry);
    });
  }

  /** Adds `tokens` to the window containing now (the response just ended) here and in the master. */
  charge(key: string, limit: number, windowMs: number, tokens: number): void {
    const entry = this.#current(key, limit, windowMs, this.#now());
    entry.used += tokens;
    if (entry.pendingId !== 0) entry.chargedWhilePending += tokens;
    this.#send({ type: 'limit-tokens', id: 0, key, limit, windowMs, windowStart: entry.windowStart, charge: tokens });
  }

  /** Applies a count from the master (an answer to this worker's check, or a limit-reached notice). */
  onCount(message: TokenCountMessage): void {
    const entry = this.#counts.get(message.key);
    if (entry === undefined || entry.windowStart !== message.windowStart) return;
    if (message.id === 0) {
      entry.used = Math.max(entry.used, message.used);
      return;
    }
    if (message.id !== entry.pendingId) return;
    entry.pendingId = 0;
    entry.isKnown = true;
    entry.used = message.used + entry.chargedWhilePending;
    entry.chargedWhilePending = 0;
    const admission = entry.used >= entry.limit ? msUntilWindowEnd(this.#now(), entry.windowMs) : 0;
    for (const resolve of entry.waiters.splice(0)) resolve(admission);
  }

  /** The master is gone: settles every waiting check with `admission` and forgets the counts. */
  failPending(admission: Admission): void {
    for (const entry of this.#counts.values()) for (const resolve of entry.waiters.splice(0)) resolve(admission);
    this.#counts.clear();
  }

  /** The count of `key` for the window containing `nowMs`; checks waiting on an ended window ask again. */
  #current(key: string, limit: number, windowMs: number, nowMs: number): KeyCount {
    const windowStart = windowStartOf(nowMs, windowMs);
    const entry = this.#counts.get(key);
    if (entry !== undefined && entry.windowStart === windowStart && entry.windowMs === windowMs) {
      entry.limit = limit;
      return entry;
    }
    const fresh: KeyCount = {
      windowStart,
      windowMs,
      limit,
      used: 0,
      isKnown: false,
      pendingId: 0,
      chargedWhilePending: 0,
      waiters: entry?.waiters ?? [],
    };
    this.#counts.set(key, fresh);
    if (this.#counts.size > this.#sweepAt) this.#sweep(nowMs);
    if (fresh.waiters.length > 0) this.#ask(key, fresh);
    return fresh;
  }

  #sweep(nowMs: number): void {
    for (const [key, entry] of this.#counts) {
      if (windowEndOf(entry.windowStart, entry.windowMs) <= nowMs && entry.waiters.length === 0 && entry.pendingId === 0) this.#counts.delete(key);
    }
    this.#sweepAt = Math.max(FIRST_SWEEP_AT, 2 * this.#counts.size);
  }

  #ask(key: string, entry: KeyCount): void {
    const id = this.#nextId++;
    entry.pendingId = id;
    entry.chargedWhilePending = 0;
    this.#send({ type: 'limit-tokens', id, key, limit: entry.limit, windowMs: entry.windowMs, windowStart: entry.windowStart, charge: 0 });
  }
}
