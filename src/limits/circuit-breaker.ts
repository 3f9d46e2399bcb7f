/**
 * A circuit breaker per upstream target (or provider): `failureThreshold` consecutive failures open it;
 * while open every request is refused without trying the target (503 circuit_open, or the caller skips
 * to another target); after `cooldownMs` it is half-open and lets `halfOpenProbes` requests through at
 * once; a probe's success closes it, a probe's failure opens it for another cooldown. A request
 * admitted by `tryAcquire` must end in exactly one of onSuccess / onFailure / onCancel (cancelled =
 * no verdict, e.g. the client left: the probe slot is given back).
 * Pure state on an injected clock; the caller decides what counts as a failure (connect error, 5xx…).
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  /** Requests let through at once while half-open (default 1). */
  readonly halfOpenProbes?: number;
  /** Called on every state change (metrics, status page, events). */
  readonly onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #maxProbes: number;
  readonly #onStateChange: ((from: CircuitState, to: CircuitState) => void) | undefined;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAtMs = 0;
  #probesInFlight = 0;

  constructor(options: CircuitBreakerOptions, now: () => number = Date.now) {
    this.#threshold = Math.max(1, options.failureThreshold);
    this.#cooldownMs = options.cooldownMs;
    this.#maxProbes = Math.max(1, options.halfOpenProbes ?? 1);
    this.#onStateChange = options.onStateChange;
    this.#now = now;
  }

  /** The state now (an open breaker whose cooldown has passed reads as half-open). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAtMs >= this.#cooldownMs) this.#moveTo('half-open');
    return this.#state;
  }

  /** May a request go to the target now? A true must be followed by one onSuccess/onFailure/onCancel. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#probesInFlight >= this.#maxProbes) return false;
    this.#probesInFlight++;
    return true;
  }

  /** Ms until an open breaker lets a probe through (0 when not open): the `Retry-After` of a refusal. */
  retryAfterMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(1, this.#openedAtMs + this.#cooldownMs - this.#now());
  }

  onSuccess(): void {
    this.#consecutiveFailures = 0;
    if (this.#state === 'half-open') {
      this.#probesInFlight = 0;
      this.#moveTo('closed');
    }
  }

  onFailure(): void {
    if (this.#state === 'half-open') {
      this.#open();
      return;
    }
    if (this.#state === 'open') return;
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.#threshold) this.#open();
  }

  /** The request ended without a verdict: a half-open probe slot is given back. */
  onCancel(): void {
    if (this.#state === 'half-open' && this.#probesInFlight > 0) this.#probesInFlight--;
  }

  #open(): void {
    this.#openedAtMs = this.#now();
    this.#probesInFlight = 0;
    this.#consecutiveFailures = 0;
    this.#moveTo('open');
  }

  #moveTo(to: CircuitState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#onStateChange?.(from, to);
  }
}
