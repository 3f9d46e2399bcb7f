/**
 * This worker's circuits that are not closed, for `louailink -s status`, and their opening and closing
 * reported to the master as `backend_unhealthy` / `backend_healthy` notifications (the master sends one
 * per cluster: src/master/worker-notify.ts). Fed by the breakers' diagnostics channels: upstream targets
 * (`louailink:proxy:circuit`, src/proxy/target-breakers.ts) and AI providers (`louailink:ai:circuit`).
 *
 * A circuit is reported unhealthy when it opens from closed; a failed half-open probe (open again) says
 * nothing new. It is reported healthy when it closes (a probe succeeded). State changes are rare, so a
 * message per change costs nothing on the request path; with every circuit closed nothing is sent.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Config } from '../config/schema.ts';
import type { CircuitView } from '../core/ipc.ts';
import { AI_CIRCUIT_CHANNEL } from '../core/provider-state.ts';
import type { ProviderCircuitEvent } from '../core/provider-state.ts';
import { CIRCUIT_CHANNEL } from '../proxy/target-breakers.ts';
import type { CircuitEvent } from '../proxy/target-breakers.ts';
import type { WorkerNotification } from './notify-master.ts';

type Subject =
  | { readonly kind: 'target'; readonly upstream: string; readonly target: string }
  | { readonly kind: 'provider'; readonly provider: string };

interface NotClosed {
  readonly subject: Subject;
  state: 'open' | 'half-open';
  /** Epoch ms when an open circuit lets a probe through. */
  openUntilMs: number;
}

export interface CircuitWatchOptions {
  /** The providers of the config this worker serves (their events do not carry the cooldown). */
  readonly providers: Config['providers'];
  readonly notify: (notification: WorkerNotification) => void;
  readonly now?: () => number;
}

function nameOf(subject: Subject): string {
  return subject.kind === 'target' ? `upstream ${subject.upstream} target ${subject.target}` : `provider ${subject.provider}`;
}

function conditionKey(subject: Subject): string {
  return subject.kind === 'target' ? `circuit:upstream:${subject.upstream}:${subject.target}` : `circuit:provider:${subject.provider}`;
}

function cooldownsOf(providers: Config['providers']): Map<string, number> {
  const cooldowns = new Map<string, number>();
  for (const [name, provider] of Object.entries(providers)) {
    if (provider.type !== 'mock' && provider.circuit_breaker !== undefined) cooldowns.set(name, provider.circuit_breaker.cooldown);
  }
  return cooldowns;
}

export class CircuitWatch {
  readonly #notify: (notification: WorkerNotification) => void;
  readonly #now: () => number;
  readonly #providerCooldownMs: ReadonlyMap<string, number>;
  /** Circuits not closed, by condition key. */
  readonly #notClosed = new Map<string, NotClosed>();

  constructor(options: CircuitWatchOptions) {
    this.#notify = options.notify;
    this.#now = options.now ?? Date.now;
    this.#providerCooldownMs = cooldownsOf(options.providers);
    subscribe(CIRCUIT_CHANNEL, this.#onTarget);
    subscribe(AI_CIRCUIT_CHANNEL, this.#onProvider);
  }

  /**
   * The circuits that are not closed, targets first. An open circuit whose cooldown has passed shows as
   * half-open (its next request is a probe), as the breaker itself reads it.
   */
  notClosed(nowMs: number = this.#now()): CircuitView[] {
    const views: CircuitView[] = [];
    for (const { subject, state, openUntilMs } of this.#notClosed.values()) {
      const isOpen = state === 'open' && openUntilMs > nowMs;
      const open = isOpen ? { state: 'open' as const, openUntil: new Date(openUntilMs).toISOString() } : { state: 'half-open' as const };
      views.push({ ...subject, ...open });
    }
    return views.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'target' ? -1 : 1));
  }

  close(): void {
    unsubscribe(CIRCUIT_CHANNEL, this.#onTarget);
    unsubscribe(AI_CIRCUIT_CHANNEL, this.#onProvider);
  }

  #onTarget = (message: unknown): void => {
    const { upstream, target, to, cooldownMs } = message as CircuitEvent;
    this.#onChange({ kind: 'target', upstream, target }, to, cooldownMs);
  };

  #onProvider = (message: unknown): void => {
    const { provider, to } = message as ProviderCircuitEvent;
    this.#onChange({ kind: 'provider', provider }, to, this.#providerCooldownMs.get(provider) ?? 0);
  };

  #onChange(subject: Subject, to: 'closed' | 'open' | 'half-open', cooldownMs: number): void {
    const key = conditionKey(subject);
    const current = this.#notClosed.get(key);
    if (to === 'open') {
      const openUntilMs = this.#now() + cooldownMs;
      if (current !== undefined) {
        current.state = 'open';
        current.openUntilMs = openUntilMs;
        return;
      }
      this.#notClosed.set(key, { subject, state: 'open', openUntilMs });
      this.#notify({
        event: 'backend_unhealthy',
        level: 'warn',
        message: `circuit of ${nameOf(subject)} opened`,
        details: { ...subject, state: 'open', cooldownMs },
        condition: { key, isRaised: true },
      });
      return;
    }
    if (current === undefined) return;
    if (to === 'half-open') {
      current.state = 'half-open';
      return;
    }
    this.#notClosed.delete(key);
    this.#notify({
      event: 'backend_healthy',
      level: 'info',
      message: `circuit of ${nameOf(subject)} closed: a probe succeeded`,
      details: { ...subject, state: 'closed' },
      condition: { key, isRaised: false },
    });
  }
}
