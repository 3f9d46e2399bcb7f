import { describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../../config/schema.ts';
import { ModelCatalog, type CatalogModel } from '../model-catalog.ts';
import { compileProviders } from '../providers/compile-providers.ts';
import { CircuitBreaker } from '../../limits/circuit-breaker.ts';
import { LocalKeyStateStore } from './key-state-store.ts';
import { ProviderCircuits } from './provider-circuits.ts';
import { planRoute } from './route-plan.ts';

const NOW = 1_000_000;

function modelOf(providers: ConfigInput['providers'], model: NonNullable<ConfigInput['models']>[string]): CatalogModel {
  const config = configSchema.parse({ servers: { main: { listen: '8080', locations: ['ai'] } }, providers, models: { m: model } });
  const resolved = new ModelCatalog(config, compileProviders(config.providers)).resolve('m');
  if (resolved === undefined) throw new Error('model m missing');
  return resolved;
}

const names = (plan: ReturnType<typeof planRoute>): string[] => plan.targets.map((t) => t.providerName);

describe('planRoute', () => {
  const providers = {
    a: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['ka'], weight: 1 },
    b: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['kb1', 'kb2'], weight: 3 },
    c: { type: 'anthropic', base_url: 'http://127.0.0.1:1', keys: ['kc'], weight: 1 },
  } as const satisfies ConfigInput['providers'];
  const model = modelOf(providers, { providers: { a: 'x', b: 'y', c: 'z' }, default_provider: 'c' });

  it('puts the default provider first and orders the rest by weighted random draws', () => {
    const store = new LocalKeyStateStore();
    // random 0.1 of total weight 4 lands on a (weight 1, first); then b is the only one left.
    expect(names(planRoute(model, 'chat', null, store, NOW, () => 0.1))).toEqual(['c', 'a', 'b']);
    // random 0.9 of total 4 = 3.6 passes a (1) and lands on b.
    expect(names(planRoute(model, 'chat', null, store, NOW, () => 0.9))).toEqual(['c', 'b', 'a']);
  });

  it('picks the heavier provider about as often as its weight says', () => {
    const store = new LocalKeyStateStore();
    let bFirst = 0;
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 4000; i++) if (planRoute(model, 'chat', null, store, NOW, random).targets[1]?.providerName === 'b') bFirst++;
    expect(bFirst / 4000).toBeGreaterThan(0.7);
    expect(bFirst / 4000).toBeLessThan(0.8);
  });

  it('leaves out providers whose keys all cool down, the default one included', () => {
    const store = new LocalKeyStateStore();
    store.coolDown(model.targets[2]?.provider.keys.keys[0]?.id ?? '', NOW + 1000, '429');
    store.coolDown(model.targets[1]?.provider.keys.keys[0]?.id ?? '', NOW + 1000, '401');
    const plan = planRoute(model, 'chat', null, store, NOW, () => 0);
    expect(names(plan)).toEqual(['a', 'b']);
    expect(plan.cooling.map((t) => t.providerName)).toEqual(['c']);
    expect(names(planRoute(model, 'chat', null, store, NOW + 1000, () => 0))[0]).toBe('c');
  });

  it('keeps to allow_providers and to providers that serve the operation', () => {
    const store = new LocalKeyStateStore();
    expect(names(planRoute(model, 'chat', new Set(['b', 'c']), store, NOW, () => 0))).toEqual(['c', 'b']);
    expect(names(planRoute(model, 'embeddings', null, store, NOW, () => 0))).toEqual(['a', 'b']);
    expect(planRoute(model, 'embeddings', new Set(['c']), store, NOW).isUnserved).toBe(true);
  });

  it('leaves out a provider whose circuit is open and names when the first left-out one is usable again', () => {
    const store = new LocalKeyStateStore();
    const guarded = {
      ...providers,
      c: { ...providers.c, circuit_breaker: { failures: 1, cooldown: '5s' } },
    } as const satisfies ConfigInput['providers'];
    const guardedModel = modelOf(guarded, { providers: { a: 'x', b: 'y', c: 'z' }, default_provider: 'c' });
    const parsed = configSchema.parse({ servers: { main: { listen: '8080', locations: ['ai'] } }, providers: guarded }).providers;
    const circuits = new ProviderCircuits(parsed, (options) => new CircuitBreaker(options, () => NOW));
    circuits.release('c', 'failure');
    const plan = planRoute(guardedModel, 'chat', null, store, NOW, () => 0, circuits);
    expect(names(plan)).toEqual(['a', 'b']);
    expect(plan.cooling.map((t) => t.providerName)).toEqual(['c']);
    expect(plan.usableAgainAtMs).toBe(NOW + 5000);
    store.coolDown(guardedModel.targets[0]?.provider.keys.keys[0]?.id ?? '', NOW + 2000, '429');
    const noneLeft = planRoute(guardedModel, 'chat', new Set(['a', 'c']), store, NOW, () => 0, circuits);
    expect(noneLeft.targets).toEqual([]);
    expect(noneLeft.usableAgainAtMs).toBe(NOW + 2000);
  });
});
