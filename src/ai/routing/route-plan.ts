/**
 * The order in which a request tries a model's providers: the model's `default_provider` first while it
 * has a usable key, then the others in weighted random order (each pick proportional to `weight` among
 * those left). Providers outside the location's `allow_providers`, without the operation, with every
 * key cooling down, or with an open circuit breaker are left out.
 */
import type { CatalogModel, ModelTarget } from '../model-catalog.ts';
import type { UpstreamOperation } from '../providers/provider.ts';
import type { KeyStateStore } from './key-state-store.ts';
import { NO_CIRCUITS, type ProviderCircuits } from './provider-circuits.ts';

export interface RoutePlan {
  /** Targets to try, in order. */
  readonly targets: readonly ModelTarget[];
  /** Targets left out only because all their keys cool down or their circuit is open. */
  readonly cooling: readonly ModelTarget[];
  /** Epoch ms at which the first of `cooling` is usable again (0 when none): the Retry-After when `targets` is empty. */
  readonly usableAgainAtMs: number;
  /** The model has no provider this location may use for this operation at all. */
  readonly isUnserved: boolean;
}

export function planRoute(
  model: CatalogModel,
  operation: UpstreamOperation,
  allowProviders: ReadonlySet<string> | null,
  store: KeyStateStore,
  nowMs: number,
  random: () => number = Math.random,
  circuits: ProviderCircuits = NO_CIRCUITS,
): RoutePlan {
  let first: ModelTarget | undefined;
  const rest: ModelTarget[] = [];
  const cooling: ModelTarget[] = [];
  let servedCount = 0;
  for (const target of model.targets) {
    if (allowProviders !== null && !allowProviders.has(target.providerName)) continue;
    if (!target.provider.supports(operation)) continue;
    servedCount++;
    if (circuits.isOpen(target.providerName) || !target.provider.keys.hasUsableKey(store, nowMs)) cooling.push(target);
    else if (target.providerName === model.defaultProvider) first = target;
    else rest.push(target);
  }
  const ordered = shuffleByWeight(rest, random);
  if (first !== undefined) ordered.unshift(first);
  return { targets: ordered, cooling, usableAgainAtMs: usableAgainAtMs(cooling, store, circuits, nowMs), isUnserved: servedCount === 0 };
}

/** When the first left-out target has both a usable key and a circuit that lets a request through. */
function usableAgainAtMs(cooling: readonly ModelTarget[], store: KeyStateStore, circuits: ProviderCircuits, nowMs: number): number {
  if (cooling.length === 0) return 0;
  let earliest = Number.POSITIVE_INFINITY;
  for (const target of cooling) {
    const ring = target.provider.keys;
    const keysAtMs = ring.hasUsableKey(store, nowMs) ? nowMs : ring.earliestUsableMs(store);
    earliest = Math.min(earliest, Math.max(keysAtMs, circuits.openUntilMs(target.providerName, nowMs)));
  }
  return earliest;
}

/** Weighted random order without replacement (a single target or equal weights cost no allocation beyond the copy). */
function shuffleByWeight(targets: ModelTarget[], random: () => number): ModelTarget[] {
  if (targets.length < 2) return targets;
  const left = targets.slice();
  const out: ModelTarget[] = [];
  while (left.length > 0) {
    let total = 0;
    for (const target of left) total += target.provider.weight;
    let point = random() * total;
    let index = 0;
    for (; index < left.length - 1; index++) {
      point -= left[index]?.provider.weight ?? 0;
      if (point < 0) break;
    }
    out.push(...left.splice(index, 1));
  }
  return out;
}
