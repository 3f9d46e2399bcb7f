/**
 * When to replace a crashed worker, and when to give up. The first crash is answered at once (a worker
 * killed by accident is back within a second); crashes of workers that never became stable back off
 * exponentially; too many unstable crashes inside a window mean the master should exit non-zero so the
 * service manager sees the failure instead of a silent crash loop. Pure: the caller passes the clock.
 */
export interface CrashPolicyOptions {
  /** A worker that lived at least this long was stable: its crash resets the backoff. */
  readonly stableAfterMs: number;
  /** Delay before the second consecutive unstable restart; doubles each time after. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * This many unstable crashes within `windowMs`, or in a row, → give up. "In a row": each crash came
   * before its replacement could have become stable (within `stableAfterMs + maxDelayMs` of the previous
   * crash), so a worker that dies some seconds after every start is caught even when the backoff spreads
   * its crashes over more than the window.
   */
  readonly maxUnstableCrashes: number;
  readonly windowMs: number;
}

export const DEFAULT_CRASH_POLICY: CrashPolicyOptions = {
  stableAfterMs: 10_000,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
  maxUnstableCrashes: 10,
  windowMs: 60_000,
};

export type CrashDecision =
  | { readonly action: 'restart'; readonly delayMs: number }
  | { readonly action: 'give-up'; readonly crashes: number; readonly windowMs: number };

export class CrashPolicy {
  readonly #options: CrashPolicyOptions;
  #consecutive = 0;
  #unstableAt: number[] = [];
  #lastCrashAt = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<CrashPolicyOptions> = {}) {
    this.#options = { ...DEFAULT_CRASH_POLICY, ...options };
  }

  /** Records a crash of a worker that had been up `uptimeMs` and says what to do. */
  onCrash(nowMs: number, uptimeMs: number): CrashDecision {
    const o = this.#options;
    if (uptimeMs >= o.stableAfterMs) {
      this.#consecutive = 1;
      return { action: 'restart', delayMs: 0 };
    }
    // A gap this long means a replacement was up long enough to be stable: the run of crashes ended.
    if (nowMs - this.#lastCrashAt > o.stableAfterMs + o.maxDelayMs) this.#consecutive = 0;
    this.#lastCrashAt = nowMs;
    this.#consecutive += 1;
    this.#unstableAt = this.#unstableAt.filter((at) => nowMs - at < o.windowMs);
    this.#unstableAt.push(nowMs);
    if (this.#unstableAt.length >= o.maxUnstableCrashes) {
      return { action: 'give-up', crashes: this.#unstableAt.length, windowMs: o.windowMs };
    }
    if (this.#consecutive >= o.maxUnstableCrashes) {
      return { action: 'give-up', crashes: this.#consecutive, windowMs: nowMs - (this.#unstableAt[0] ?? nowMs) };
    }
    const delayMs = this.#consecutive <= 1 ? 0 : Math.min(o.baseDelayMs * 2 ** (this.#consecutive - 2), o.maxDelayMs);
    return { action: 'restart', delayMs };
  }
}
