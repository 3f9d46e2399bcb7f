import { describe, expect, it } from 'vitest';
import { parseTarget } from './upstream-pool.ts';

describe('parseTarget', () => {
  it('reads "host:port", "host:port weight" and {addr, weight}', () => {
    expect(parseTarget('10.0.0.1:8080', false)).toEqual({ origin: 'http://10.0.0.1:8080', weight: 1 });
    expect(parseTarget('10.0.0.1:8080 5', false)).toEqual({ origin: 'http://10.0.0.1:8080', weight: 5 });
    expect(parseTarget({ addr: 'api.test:81', weight: 3 }, false)).toEqual({ origin: 'http://api.test:81', weight: 3 });
  });

  it('takes the scheme from the target, else from the upstream tls setting, with default ports', () => {
    expect(parseTarget('https://api.test', false)).toEqual({ origin: 'https://api.test:443', weight: 1 });
    expect(parseTarget('api.test', true)).toEqual({ origin: 'https://api.test:443', weight: 1 });
    expect(parseTarget('http://api.test/', true)).toEqual({ origin: 'http://api.test:80', weight: 1 });
    expect(parseTarget('[::1]:9000', false)).toEqual({ origin: 'http://[::1]:9000', weight: 1 });
  });

  it('reports a bad weight or a path', () => {
    expect(typeof parseTarget('a:1 0', false)).toBe('string');
    expect(typeof parseTarget('a:1 x', false)).toBe('string');
    expect(typeof parseTarget('a:1/path', false)).toBe('string');
  });
});
