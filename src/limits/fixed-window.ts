/**
 * Fixed windows aligned to the epoch (as AI Gateway Lite does): every process computes the same window
 * for the same instant, so a worker and the master agree on which window a request counts against.
 * A window length of `MONTH_WINDOW` (0) means UTC calendar months (quotas); days are plain 86 400 000 ms
 * windows, which the epoch aligns to UTC midnight.
 */

/** The `windowMs` of UTC calendar-month windows. */
export const MONTH_WINDOW = 0;

/** Start (epoch ms) of the window containing `nowMs`. */
export function windowStartOf(nowMs: number, windowMs: number): number {
  if (windowMs === MONTH_WINDOW) {
    const date = new Date(nowMs);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  return nowMs - (nowMs % windowMs);
}

/** End (epoch ms, exclusive) of the window that starts at or contains `atMs`. */
export function windowEndOf(atMs: number, windowMs: number): number {
  if (windowMs === MONTH_WINDOW) {
    const date = new Date(atMs);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return windowStartOf(atMs, windowMs) + windowMs;
}

/** Milliseconds until the window containing `nowMs` ends (≥ 1). */
export function msUntilWindowEnd(nowMs: number, windowMs: number): number {
  return Math.max(1, windowEndOf(nowMs, windowMs) - nowMs);
}

/** `Retry-After` (RFC 9110 §10.2.3) in whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}
