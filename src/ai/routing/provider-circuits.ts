/**
 * One circuit breaker per provider that configures `circuit_breaker` (issue 6 §4): `failures` consecutive
 * provider-level failures (connect errors, timeouts, 408, 5xx, 529, a stream that breaks) open it; routing
 * then leaves the provider out, as it does a provider whose keys all cool down; after `cooldown` one
 * request probes it (half-open) and its result closes or reopens it. Key-level failures (401/402/403/429,
 * quota) are the key cooldowns' business: the provider answered, so they count as successes here.
 *
 * Per process, on purpose: a breaker counts *consecutive* failures, so every success must reach it; in a
 * cluster that would put an IPC message on the hot path of every request. Each worker therefore opens
 * its own breaker after `failures` failures it saw and probes on its own (nginx's `max_fails` works the
 * same way), so a dead provider gets at most `failures` × workers requests before every worker skips it.
 *
 * The breaker itself is src/limits/circuit-breaker.ts, which this layer may not import: the worker passes
 * a factory (`CircuitFactory`) when it compiles the AI handler. Transitions are published on the
 * diagnostics channel AI_CIRCUIT_CHANNEL for metrics.
 */
import { channel } from 'node:diagnostics_channel';
import type { Config } from '../../config/schema.ts';
import { AI_CIRCUIT_CHANNEL } from '../../core/provider-state.ts';
import type { ProviderCircuitEvent, ProviderCircuitState } from '../../core/provider-state.ts';

/** What routing needs of a breaker (src/limits/circuit-breaker.ts `CircuitBreaker` has this shape). */
export interface ProviderCircuit {
  /** The state now (an open breaker whose cooldown passed reads as half-open). */
  readonly state: ProviderCircuitState;
  /** May a request go to the provider now? A true must be followed by one onSuccess/onFailure/onCancel. */
  tryAcquire(): boolean;
  /** Ms until an open breaker lets a probe through (0 when not open). */
  retryAfterMs(): number;
  onSuccess(): void;
  onFailure(): void;
  onCancel(): void;
}

export interface ProviderCircuitOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  /** Requests let through at once while half-open. */
  readonly halfOpenProbes: number;
  readonly onStateChange?: (from: ProviderCircuitState, to: ProviderCircuitState) => void;
}

export type CircuitFactory = (options: ProviderCircuitOptions) => ProviderCircuit;

/** How an attempt that `acquire` admitted ended, for its provider's breaker. */
export type CircuitVerdict = 'success' | 'failure' | 'cancel';

const circuitChannel = channel(AI_CIRCUIT_CHANNEL);

function publish(provider: string, from: ProviderCircuitState | null, to: ProviderCircuitState): void {
  if (circuitChannel.hasSubscribers) circuitChannel.publish({ provider, from, to } satisfies ProviderCircuitEvent);
}

/** The breakers of one config's providers (built once per config; a provider without `circuit_breaker` has none). */
export class ProviderCircuits {
  readonly #circuits = new Map<string, ProviderCircuit>();

  constructor(providers: Config['providers'], factory: CircuitFactory | undefined) {
    if (factory === undefined) return;
    for (const [name, provider] of Object.entries(providers)) {
      if (provider.type === 'mock' || provider.circuit_breaker === undefined) continue;
      const { failures, cooldown, half_open_probes: halfOpenProbes } = provider.circuit_breaker;
      const onStateChange = (from: ProviderCircuitState, to: ProviderCircuitState): void => publish(name, from, to);
      this.#circuits.set(name, factory({ failureThreshold: failures, cooldownMs: cooldown, halfOpenProbes, onStateChange }));
      publish(name, null, 'closed');
    }
  }

  /** Whether routing must leave the provider out now (open; half-open lets `acquire` decide). */
  isOpen(provider: string): boolean {
    return this.#circuits.size > 0 && this.#circuits.get(provider)?.state === 'open';
  }

  /** Admits one attempt (always true without a breaker); an admitted attempt must end in `release`. */
  acquire(provider: string): boolean {
    return this.#circuits.size === 0 || (this.#circuits.get(provider)?.tryAcquire() ?? true);
  }

  release(provider: string, verdict: CircuitVerdict): void {
    const circuit = this.#circuits.get(provider);
    if (circuit === undefined) return;
    if (verdict === 'success') circuit.onSuccess();
    else if (verdict === 'failure') circuit.onFailure();
    else circuit.onCancel();
  }

  /** Epoch ms at which an open circuit lets a probe through (0 when it is not open). */
  openUntilMs(provider: string, nowMs: number): number {
    const wait = this.#circuits.get(provider)?.retryAfterMs() ?? 0;
    return wait > 0 ? nowMs + wait : 0;
  }

  /** Provider name → state, for status pages. */
  states(): Map<string, ProviderCircuitState> {
    return new Map([...this.#circuits].map(([name, circuit]) => [name, circuit.state]));
  }
}

/** No breaker at all (tests, and configs without `circuit_breaker`). */
export const NO_CIRCUITS = new ProviderCircuits({}, undefined);
