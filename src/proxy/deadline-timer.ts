/**
 * Shared coarse deadlines. One unref'd interval per worker scans the pending entries every
 * `DEADLINE_TICK_MS` instead of one timer per request, so a deadline fires between 0 and one tick
 * late. The interval runs only while entries are pending. Used for the upstream total deadline of
 * non-streaming responses (streams have none).
 */
export const DEADLINE_TICK_MS = 250;

export interface DeadlineEntry {
  /** `performance.now()`-based time at which `onDeadline` runs. */
  deadlineAt: number;
  onDeadline(): void;
}

export class DeadlineTimer {
  readonly #entries = new Set<DeadlineEntry>();
  #interval: NodeJS.Timeout | null = null;
  readonly #tickMs: number;

  constructor(tickMs = DEADLINE_TICK_MS) {
    this.#tickMs = tickMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  add(entry: DeadlineEntry): void {
    this.#entries.add(entry);
    if (this.#interval === null) {
      this.#interval = setInterval(() => this.#tick(), this.#tickMs);
      this.#interval.unref();
    }
  }

  delete(entry: DeadlineEntry): void {
    this.#entries.delete(entry);
    if (this.#entries.size === 0 && this.#interval !== null) {
      clearInterval(this.#interval);
      this.#interval = null;
    }
  }

  #tick(): void {
    const now = performance.now();
    for (const entry of this.#entries) {
      if (entry.deadlineAt > now) continue;
      this.delete(entry);
      entry.onDeadline();
    }
  }
}

/** The worker-wide instance. */
export const sharedDeadlines = new DeadlineTimer();
