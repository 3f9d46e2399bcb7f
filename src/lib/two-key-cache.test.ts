import { describe, expect, it } from 'vitest';
import { TwoKeyCache } from './two-key-cache.ts';

describe('TwoKeyCache', () => {
  it('makes a value once per pair and hands the same one back', () => {
    const made: string[] = [];
    const cache = new TwoKeyCache((a, b) => {
      made.push(`${a}/${b}`);
      return { a, b };
    });
    const first = cache.get('openai', 'gpt-4o');
    expect(cache.get('openai', 'gpt-4o')).toBe(first);
    expect(cache.get('openai', 'gpt-4o-mini')).toEqual({ a: 'openai', b: 'gpt-4o-mini' });
    expect(cache.get('claude', 'gpt-4o')).not.toBe(first);
    expect(made).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini', 'claude/gpt-4o']);
  });
});
