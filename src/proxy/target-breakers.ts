/**
 * The circuit breakers of one upstream's targets (docs/proxy.md "Circuit breaker"). The proxy needs only
 * the `TargetBreaker` shape; the worker injects the implementation (src/limits/circuit-breaker.ts), so the
 * proxy does not import the limits layer. Built once per config generation, per worker process.
 *
 * Hot path: with every circuit closed, choosing a target costs one integer check (`openCount`), and a
 * verdict is a method call that touches no clock. State changes (rare) are counted and published on
 * `louailink:proxy:circuit` for metrics and logs; a publish without subscribers is one boolean check.
 */
import { channel } from 'node:diagnostics_channel';
import type { CircuitBreakerConfig } from '../config/circuit-breaker-schema.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** One target's breaker. Every `tryAcquire()` that returns true is followed by exactly one verdict. */
export interface TargetBreaker {
  /** The state now; reading it moves an open breaker whose cooldown has passed to half-open. */
  readonly state: CircuitState;
  tryAcquire(): boolean;
  /** Ms until an open breaker lets a probe through; 0 when not open. */
  retryAfterMs(): number;
  onSuccess(): void;
  onFailure(): void;
  /** No verdict (the client left, the request was refused before it counted). */
  onCancel(): void;
}

export interface BreakerOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly halfOpenProbes: number;
  readonly onStateChange: (from: CircuitState, to: CircuitState) => void;
}

/** Builds a breaker (the worker passes `(o) => new CircuitBreaker(o)`). */
export type BreakerFactory = (options: BreakerOptions) => TargetBreaker;

export const CIRCUIT_CHANNEL = 'louailink:proxy:circuit';

/** Published on every state change of a target's circuit, and as closed (from null) when it is built. */
export interface CircuitEvent {
  readonly upstream: string;
  /** The target's origin, "http://host:port". */
  readonly target: string;
  /** null: the breaker was just built (a new config), closed. */
  readonly from: CircuitState | null;
  readonly to: CircuitState;
  /** Ms the circuit stays open (when `to` is "open"), else 0. */
  readonly cooldownMs: number;
}

const circuitChannel = channel(CIRCUIT_CHANNEL);

/** Retry-After when no circuit is open but every half-open one has its probes out. */
const PROBES_BUSY_RETRY_MS = 1000;

export class TargetBreakers {
  /** One per target, in target order. */
  readonly breakers: readonly TargetBreaker[];
  /** Targets whose circuit is open now (half-open ones are not counted: they may take a probe). */
  openCount = 0;
  /** For the balancer: is target `index` left out of this pick? */
  readonly isOpen: (index: number) => boolean;
  readonly #failureStatuses: ReadonlySet<number>;

  constructor(upstream: string, origins: readonly string[], config: CircuitBreakerConfig, create: BreakerFactory) {
    this.#failureStatuses = new Set(config.failure_statuses);
    this.breakers = origins.map((target) =>
      create({
        failureThreshold: config.failures,
        cooldownMs: config.cooldown,
        halfOpenProbes: config.half_open_probes,
        onStateChange: (from, to) => {
          if (to === 'open') this.openCount++;
          else if (from === 'open') this.openCount--;
          if (circuitChannel.hasSubscribers) {
            const event: CircuitEvent = { upstream, target, from, to, cooldownMs: to === 'open' ? config.cooldown : 0 };
            circuitChannel.publish(event);
          }
        },
      }),
    );
    const breakers = this.breakers;
    this.isOpen = (index) => breakers[index]?.state === 'open';
    if (circuitChannel.hasSubscribers) {
      for (const target of origins) {
        const event: CircuitEvent = { upstream, target, from: null, to: 'closed', cooldownMs: 0 };
        circuitChannel.publish(event);
      }
    }
  }

  isFailureStatus(status: number): boolean {
    return this.#failureStatuses.has(status);
  }

  /** Ms until the first open circuit lets a probe through (the Retry-After of 503 circuit_open). */
  retryAfterMs(): number {
    let soonest = Infinity;
    for (const breaker of this.breakers) {
      const ms = breaker.retryAfterMs();
      if (ms > 0 && ms < soonest) soonest = ms;
    }
    return soonest === Infinity ? PROBES_BUSY_RETRY_MS : soonest;
  }
}
