/**
 * Shared coarse deadlines. One unref'd interval per worker scans the pending entries every
 * `DEADLINE_TICK_MS` instead of one timer per request. Deadlines are counted in ticks, so adding one reads
 * no clock: an entry fires on the tick at which at least its delay has passed, never early and at most two
 * ticks late (later still when the event loop is blocked). Used for the upstream total deadline of
 * non-streaming responses (streams have none).
 *
 * Per request this costs a few field writes: entries form an intrusive doubly-linked list (no Set
 * hashing, nothing allocated), and `delete` never touches the interval. The tick stops the interval when
 * it finds the list empty, and the next `add` restarts it, so a worker that serves one request at a time
 * does not create and clear a timer per request.
 */
export const DEADLINE_TICK_MS = 250;

export interface DeadlineEntry {
  /** Tick on which `onDeadline` runs; set by `add`. */
  deadlineTick: number;
  /** List links, owned by the DeadlineTimer the entry is in (null when in none). */
  deadlinePrev: DeadlineEntry | null;
  deadlineNext: DeadlineEntry | null;
  onDeadline(): void;
}

export class DeadlineTimer {
  #head: DeadlineEntry | null = null;
  #size = 0;
  #interval: NodeJS.Timeout | null = null;
  readonly #tickMs: number;
  /** Ticks so far; it stands still while the interval is stopped, when no entry is waiting. */
  #ticks = 0;

  constructor(tickMs = DEADLINE_TICK_MS) {
    this.#tickMs = tickMs;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds an entry that is in no timer yet; `onDeadline` runs once at least `delayMs` have passed. */
  add(entry: DeadlineEntry, delayMs: number): void {
    // The next tick may come at once, hence the extra one.
    entry.deadlineTick = this.#ticks + Math.ceil(delayMs / this.#tickMs) + 1;
    const head = this.#head;
    entry.deadlinePrev = null;
    entry.deadlineNext = head;
    if (head !== null) head.deadlinePrev = entry;
    this.#head = entry;
    this.#size++;
    if (this.#interval === null) {
      this.#interval = setInterval(() => this.#tick(), this.#tickMs);
      this.#interval.unref();
    }
  }

  /** Removes an entry that `add` put in this timer; a no-op for one already removed. */
  delete(entry: DeadlineEntry): void {
    const prev = entry.deadlinePrev;
    const next = entry.deadlineNext;
    if (prev === null && this.#head !== entry) return;
    if (prev === null) this.#head = next;
    else prev.deadlineNext = next;
    if (next !== null) next.deadlinePrev = prev;
    entry.deadlinePrev = null;
    entry.deadlineNext = null;
    this.#size--;
  }

  #tick(): void {
    if (this.#head === null) {
      if (this.#interval !== null) clearInterval(this.#interval);
      this.#interval = null;
      return;
    }
    const now = ++this.#ticks;
    let entry: DeadlineEntry | null = this.#head;
    while (entry !== null) {
      const next: DeadlineEntry | null = entry.deadlineNext;
      if (entry.deadlineTick <= now) {
        this.delete(entry);
        entry.onDeadline();
      }
      entry = next;
    }
  }
}

/** The worker-wide instance. */
export const sharedDeadlines = new DeadlineTimer();
