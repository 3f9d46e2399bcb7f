/**
 * Fixed windows aligned to the epoch (as AI Gateway Lite does): every process computes the same window
 * for the same instant, so a worker and the master agree on which window a request counts against.
 */

/** Start (epoch ms) of the window containing `nowMs`. */
export function windowStartOf(nowMs: number, windowMs: number): number {
  return nowMs - (nowMs % windowMs);
}

/** Milliseconds until the window containing `nowMs` ends (≥ 1). */
export function msUntilWindowEnd(nowMs: number, windowMs: number): number {
  return Math.max(1, windowStartOf(nowMs, windowMs) + windowMs - nowMs);
}

/** `Retry-After` (RFC 9110 §10.2.3) in whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}
