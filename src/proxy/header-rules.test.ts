import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../core/http-types.ts';
import { compileHeaderRules, findHeaderRuleErrors } from './header-rules.ts';

function applied(rules: Parameters<typeof compileHeaderRules>[0], headers: HeaderMap): HeaderMap {
  const compiled = compileHeaderRules(rules);
  if (compiled === null) throw new Error('expected rules');
  compiled.apply(headers);
  return headers;
}

describe('compileHeaderRules', () => {
  it('returns null for absent or empty rules', () => {
    expect(compileHeaderRules(undefined)).toBeNull();
    expect(compileHeaderRules({})).toBeNull();
    expect(compileHeaderRules({ set: {}, add: {}, remove: [] })).toBeNull();
  });

  it('removes, then sets, then adds', () => {
    const headers = applied(
      { remove: ['X-Drop', 'x-both'], set: { 'x-both': 'set', 'x-set': 'new' }, add: { 'x-both': 'added', 'x-set': 'more' } },
      { 'x-drop': 'gone', 'x-both': 'old', 'x-set': 'old', 'x-keep': 'kept' },
    );
    expect(headers).toEqual({ 'x-both': ['set', 'added'], 'x-set': ['new', 'more'], 'x-keep': 'kept' });
  });

  it('matches and stores names case-insensitively as lower-case', () => {
    expect(applied({ remove: ['AUTHORIZATION'], set: { 'X-Api-Version': '2' } }, { authorization: 'Bearer x' })).toEqual({
      'x-api-version': '2',
    });
  });

  it('appends to a repeated header without mutating the original array', () => {
    const original = ['a', 'b'];
    const headers = applied({ add: { via: 'louailink' } }, { via: original });
    expect(headers['via']).toEqual(['a', 'b', 'louailink']);
    expect(original).toEqual(['a', 'b']);
  });

  it('adds a header that was absent as a plain value', () => {
    expect(applied({ add: { 'x-new': '1' } }, {})).toEqual({ 'x-new': '1' });
  });

  it('throws on invalid rules', () => {
    expect(() => compileHeaderRules({ set: { 'bad name': 'x' } })).toThrow(/invalid header rules/);
  });
});

describe('findHeaderRuleErrors', () => {
  it('reports every invalid name and value at once', () => {
    const errors = findHeaderRuleErrors({
      remove: ['ok', 'bad:name'],
      set: { 'content-length': '5', 'x-a': 'line\r\nbreak' },
      add: { 'Transfer-Encoding': 'chunked', '': 'x' },
    });
    expect(errors).toEqual([
      'remove: "bad:name" is not a valid header name',
      'set: "content-length" is managed by the proxy and cannot be set',
      'set: the value of "x-a" contains CR, LF or NUL',
      'add: "Transfer-Encoding" is managed by the proxy and cannot be added',
      'add: "" is not a valid header name',
    ]);
  });

  it('accepts valid rules', () => {
    expect(findHeaderRuleErrors({ remove: ['authorization'], set: { 'x-a': 'b c' }, add: { via: '1.1 gw' } })).toEqual([]);
    expect(findHeaderRuleErrors(undefined)).toEqual([]);
  });
});
