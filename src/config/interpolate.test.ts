import { describe, expect, it } from 'vitest';
import { interpolate } from './interpolate.ts';

describe('interpolate', () => {
  it('replaces ${VAR} with the environment value and reports it as substituted', () => {
    expect(interpolate('Bearer ${TOKEN}', { TOKEN: 'sk-123' })).toEqual({ value: 'Bearer sk-123', substituted: ['sk-123'], errors: [] });
  });

  it('uses the default when the variable is unset or empty', () => {
    expect(interpolate('${ADDR:-127.0.0.1:8080}', {}).value).toBe('127.0.0.1:8080');
    expect(interpolate('${ADDR:-127.0.0.1:8080}', { ADDR: '' }).value).toBe('127.0.0.1:8080');
    expect(interpolate('${ADDR:-x}', { ADDR: '0.0.0.0:1' }).value).toBe('0.0.0.0:1');
  });

  it('reports an unset variable without a default by name only', () => {
    const result = interpolate('${MISSING}', {});
    expect(result.errors).toEqual(['environment variable MISSING is not set']);
  });

  it('keeps an empty variable without a default as empty', () => {
    expect(interpolate('a${EMPTY}b', { EMPTY: '' })).toEqual({ value: 'ab', substituted: [], errors: [] });
  });

  it('turns $${ into a literal ${ and leaves other dollars alone', () => {
    expect(interpolate('$${HOME} costs $5 and $1', { HOME: '/root' }).value).toBe('${HOME} costs $5 and $1');
  });

  it('reports malformed references', () => {
    expect(interpolate('${1BAD}', {}).errors[0]).toMatch(/invalid environment variable name "1BAD"/);
    expect(interpolate('x ${OPEN', {}).errors[0]).toMatch(/unterminated/);
  });

  it('returns strings without references untouched', () => {
    expect(interpolate('plain', { plain: 'x' })).toEqual({ value: 'plain', substituted: [], errors: [] });
  });
});
