/**
 * The IPC messages of cluster-wide limits. Fixed windows and buckets: a worker asks the master for a
 * batch of admissions of one key in one window; the master grants at most what is left of the limit, so
 * the admissions of all workers together never exceed it. Token limits: workers charge the tokens of
 * finished responses, and learn the count (first check of a window, or when the limit is reached).
 * Window starts are epoch-aligned, so every process names the same window for the same instant.
 * Concurrency slots have their own messages (./slot-protocol.ts).
 */
import { isCount, isRecord } from './message-guards.ts';

/**
 * Worker → master: `charge` tokens used by a response that ended in the window starting at `windowStart`
 * (token limits: `tpm`, token quotas). With `id` > 0 the master answers with the window's count (the
 * worker's first check of a key in a window); `id` 0 is a plain charge, never answered.
 */
export interface TokenChargeMessage {
  readonly type: 'limit-tokens';
  readonly id: number;
  readonly key: string;
  /** The limit the worker applies: the master tells every worker when a charge reaches it. */
  readonly limit: number;
  /** 0 = UTC calendar months. */
  readonly windowMs: number;
  readonly windowStart: number;
  readonly charge: number;
}

/**
 * Master → worker: tokens counted cluster-wide in a window. The answer to a check (`id` > 0, to that
 * worker), or `id` 0 sent to every worker when a charge made the count reach the limit.
 */
export interface TokenCountMessage {
  readonly type: 'limit-token-count';
  readonly id: number;
  readonly key: string;
  readonly windowStart: number;
  readonly used: number;
}

/** Worker → master: "give me up to `want` admissions of `key` in the window starting at `windowStart`". */
export interface LeaseRequestMessage {
  readonly type: 'limit-lease';
  /** Per worker, increasing; echoed in the grant. */
  readonly id: number;
  readonly key: string;
  readonly limit: number;
  /** Window length; 0 = UTC calendar months (./fixed-window.ts). */
  readonly windowMs: number;
  readonly windowStart: number;
  /** Requests waiting for this grant; 0 = asking ahead (the master may answer 0 without the window being used up). */
  readonly want: number;
  /**
   * Set for a token-bucket limit: the master takes tokens from its bucket for `key` instead of counting
   * the window; the window is then only the lease's lifetime (unused tokens expire with it).
   */
  readonly bucket?: { readonly capacity: number; readonly refillPerSecond: number };
}

/**
 * Worker → master: `count` admissions of `key` leased for the window starting at `windowStart` that the
 * worker will not spend (it drains: a new generation takes over), given back so they are not lost for
 * the rest of the window — which matters for daily and monthly quotas.
 */
export interface LeaseReturnMessage {
  readonly type: 'limit-return';
  readonly key: string;
  readonly windowMs: number;
  readonly windowStart: number;
  readonly count: number;
}

/** Master → worker: `granted` admissions (0 = the window's limit is used up). */
export interface LeaseGrantMessage {
  readonly type: 'limit-grant';
  readonly id: number;
  readonly key: string;
  readonly windowStart: number;
  readonly granted: number;
  /** With a grant of 0 for a bucket: ms until the master's bucket has a token again. */
  readonly retryAfterMs?: number;
}


function isBucketSpec(value: unknown): boolean {
  return (
    isRecord(value) &&
    isCount(value.capacity) &&
    (value.capacity as number) >= 1 &&
    typeof value.refillPerSecond === 'number' &&
    value.refillPerSecond > 0 &&
    Number.isFinite(value.refillPerSecond)
  );
}

/** Narrows a message the master received from a worker (check it before the generic worker messages). */
export function isLeaseRequestMessage(value: unknown): value is LeaseRequestMessage {
  return (
    isRecord(value) &&
    value.type === 'limit-lease' &&
    isCount(value.id) &&
    typeof value.key === 'string' &&
    isCount(value.limit) &&
    isCount(value.windowMs) &&
    isCount(value.windowStart) &&
    isCount(value.want) &&
    (value.bucket === undefined || isBucketSpec(value.bucket))
  );
}

/** Narrows a message a worker received from the master. */
export function isLeaseGrantMessage(value: unknown): value is LeaseGrantMessage {
  return (
    isRecord(value) &&
    value.type === 'limit-grant' &&
    isCount(value.id) &&
    typeof value.key === 'string' &&
    isCount(value.windowStart) &&
    isCount(value.granted) &&
    (value.retryAfterMs === undefined || isCount(value.retryAfterMs))
  );
}

/** Narrows a token charge or check the master received from a worker. */
export function isTokenChargeMessage(value: unknown): value is TokenChargeMessage {
  return (
    isRecord(value) &&
    value.type === 'limit-tokens' &&
    isCount(value.id) &&
    typeof value.key === 'string' &&
    isCount(value.limit) &&
    isCount(value.windowMs) &&
    isCount(value.windowStart) &&
    isCount(value.charge)
  );
}

/** Narrows a token count a worker received from the master. */
export function isTokenCountMessage(value: unknown): value is TokenCountMessage {
  return (
    isRecord(value) &&
    value.type === 'limit-token-count' &&
    isCount(value.id) &&
    typeof value.key === 'string' &&
    isCount(value.windowStart) &&
    isCount(value.used)
  );
}

/** Narrows a lease return the master received from a worker. */
export function isLeaseReturnMessage(value: unknown): value is LeaseReturnMessage {
  return (
    isRecord(value) &&
    value.type === 'limit-return' &&
    typeof value.key === 'string' &&
    isCount(value.windowMs) &&
    isCount(value.windowStart) &&
    isCount(value.count)
  );
}
