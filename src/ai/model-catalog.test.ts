import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { ModelCatalog } from './model-catalog.ts';
import { compileProviders } from './providers/compile-providers.ts';

function catalogOf(input: Record<string, unknown>): ModelCatalog {
  const config = configSchema.parse({ servers: { main: { listen: '8080', locations: ['ai'] } }, ...input });
  return new ModelCatalog(config, compileProviders(config.providers));
}

describe('ModelCatalog', () => {
  const catalog = catalogOf({
    providers: { fast: { type: 'mock', chunk_delay: '0ms' }, slow: { type: 'mock' } },
    models: {
      'gpt-mock': { aliases: ['gpt-4o', 'default'], providers: { fast: 'fast-model', slow: 'slow-model' } },
      'other': { aliases: ['default', 'gpt-mock'], providers: { slow: 'x' } },
    },
  });

  it('resolves a model by its name with its targets in config order', () => {
    const model = catalog.resolve('gpt-mock');
    expect(model?.name).toBe('gpt-mock');
    expect(model?.targets.map((t) => [t.providerName, t.upstreamModel])).toEqual([
      ['fast', 'fast-model'],
      ['slow', 'slow-model'],
    ]);
    expect(model?.targets[0]?.provider.name).toBe('fast');
  });

  it('resolves an alias to its model', () => {
    expect(catalog.resolve('gpt-4o')?.name).toBe('gpt-mock');
  });

  it('gives a shared alias to the first model in config order', () => {
    expect(catalog.resolve('default')?.name).toBe('gpt-mock');
  });

  it('never lets an alias shadow a model name', () => {
    expect(catalog.resolve('gpt-mock')?.name).toBe('gpt-mock');
    expect(catalog.resolve('other')?.name).toBe('other');
  });

  it('returns undefined for an unknown model', () => {
    expect(catalog.resolve('nope')).toBeUndefined();
    expect(catalog.resolve('')).toBeUndefined();
  });

  it('does not resolve inherited object keys', () => {
    expect(catalog.resolve('constructor')).toBeUndefined();
    expect(catalog.resolve('__proto__')).toBeUndefined();
  });

  it('lists canonical models in config order', () => {
    expect(catalog.models.map((m) => m.name)).toEqual(['gpt-mock', 'other']);
  });

  it('takes the output-token limit from the target, else from the model', () => {
    const limits = catalogOf({
      providers: { a: { type: 'mock' }, b: { type: 'mock' } },
      models: { m: { max_output_tokens: 8000, default_provider: 'b', providers: { a: { model: 'x', max_output_tokens: 4000 }, b: 'y' } } },
    });
    const model = limits.resolve('m');
    expect(model?.targets.map((t) => [t.upstreamModel, t.maxOutputTokens])).toEqual([['x', 4000], ['y', 8000]]);
    expect(model?.defaultProvider).toBe('b');
  });

  it('leaves out targets whose provider is not configured', () => {
    const partial = catalogOf({
      providers: { m: { type: 'mock' } },
      models: { a: { providers: { missing: 'x', toString: 'z', m: 'y' } } },
    });
    expect(partial.resolve('a')?.targets.map((t) => t.providerName)).toEqual(['m']);
  });
});
