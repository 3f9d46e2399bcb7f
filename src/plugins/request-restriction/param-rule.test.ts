import { describe, expect, it } from 'vitest';
import { compileParamRule } from './param-rule.ts';

describe('compileParamRule', () => {
  const rule = compileParamRule({ model: ['gpt-4o-mini', 'sonnet'], stream: [true], 'reasoning.effort': ['low', null], n: [1] });
  const base = { model: 'sonnet', stream: true, n: 1 };

  it('admits listed values, nested paths and an absent parameter whose list has null', () => {
    expect(rule.check(base)).toBeUndefined();
    expect(rule.check({ ...base, reasoning: { effort: 'low' } })).toBeUndefined();
    expect(rule.check({ ...base, reasoning: {} })).toBeUndefined();
  });

  it('refuses another value, an absent parameter and a non-scalar, naming the parameter but never the value', () => {
    const other = rule.check({ ...base, model: 'secret-model-name' });
    expect(other?.code).toBe('forbidden');
    expect(other?.message).toContain("'model'");
    expect(other?.message).not.toContain('secret-model-name');
    expect(rule.check({ model: 'sonnet', n: 1 })?.message).toContain("'stream'");
    expect(rule.check({ ...base, reasoning: { effort: 'high' } })?.message).toContain("'reasoning.effort'");
    expect(rule.check({ ...base, n: [1] })?.code).toBe('forbidden');
    expect(rule.check({ ...base, stream: 'true' })?.code).toBe('forbidden');
  });

  it('does not read inherited properties', () => {
    const onlyToString = compileParamRule({ toString: ['x'] });
    expect(onlyToString.check({})?.code).toBe('forbidden');
  });
});
