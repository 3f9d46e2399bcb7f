/**
 * The order in which a request tries a model's providers: the model's `default_provider` first while it
 * has a usable key, then the others in weighted random order (each pick proportional to `weight` among
 * those left). Providers outside the location's `allow_providers`, without the operation, or with every
 * key cooling down are left out.
 */
import type { CatalogModel, ModelTarget } from '../model-catalog.ts';
import type { UpstreamOperation } from '../providers/provider.ts';
import type { KeyStateStore } from './key-state-store.ts';

export interface RoutePlan {
  /** Targets to try, in order. */
  readonly targets: readonly ModelTarget[];
  /** Targets left out only because all their keys cool down (for a Retry-After when `targets` is empty). */
  readonly cooling: readonly ModelTarget[];
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
): RoutePlan {
  let first: ModelTarget | undefined;
  const rest: ModelTarget[] = [];
  const cooling: ModelTarget[] = [];
  let servedCount = 0;
  for (const target of model.targets) {
    if (allowProviders !== null && !allowProviders.has(target.providerName)) continue;
    if (!target.provider.supports(operation)) continue;
    servedCount++;
    if (!target.provider.keys.hasUsableKey(store, nowMs)) cooling.push(target);
    else if (target.providerName === model.defaultProvider) first = target;
    else rest.push(target);
  }
  const ordered = shuffleByWeight(rest, random);
  if (first !== undefined) ordered.unshift(first);
  return { targets: ordered, cooling, isUnserved: servedCount === 0 };
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
