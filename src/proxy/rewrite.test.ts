import { describe, expect, it } from 'vitest';
import { compileRewrite } from './rewrite.ts';

function rewriter(text: string): (pathWithQuery: string) => string {
  const compiled = compileRewrite(text);
  if (compiled === null) throw new Error('expected a rewriter');
  return compiled;
}

describe('compileRewrite', () => {
  it('returns null when no rewrite is configured', () => {
    expect(compileRewrite(undefined)).toBeNull();
  });

  it('replaces numbered captures', () => {
    expect(rewriter('^/api/(.*)$ /$1')('/api/v1/chat')).toBe('/v1/chat');
    expect(rewriter('^/(\\w+)/(\\w+)$ /$2/$1')('/a/b')).toBe('/b/a');
  });

  it('replaces named groups', () => {
    expect(rewriter('^/u/(?<id>\\d+)/(?<rest>.*)$ /users/$<id>/$<rest>')('/u/42/posts')).toBe('/users/42/posts');
  });

  it('keeps the query string as it is, even when it matches the regex', () => {
    expect(rewriter('^/api/(.*)$ /$1')('/api/x?q=/api/y&b=%20')).toBe('/x?q=/api/y&b=%20');
    expect(rewriter('a b')('/a?a=a')).toBe('/b?a=a');
  });

  it('leaves a path the regex does not match unchanged', () => {
    expect(rewriter('^/api/(.*)$ /$1')('/other/x?q=1')).toBe('/other/x?q=1');
  });

  it('never produces a path without a leading slash', () => {
    expect(rewriter('^/api/(.*)$ $1')('/api/v1')).toBe('/v1');
    expect(rewriter('^/api/(.*)$ $1')('/api/?q=1')).toBe('/?q=1');
  });

  it('throws on an invalid rule', () => {
    expect(() => compileRewrite('^/(a /$1')).toThrow(/not a valid regular expression/);
  });
});
