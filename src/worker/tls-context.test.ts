import { describe, expect, it } from 'vitest';
import type { SecureContext } from 'node:tls';
import { createSniSelector } from './tls-context.ts';
import type { LoadedCertificate } from './tls-context.ts';

function cert(name: string, domains: string[], isDefault = false): LoadedCertificate {
  return { name, domains, isDefault, cert: Buffer.alloc(0), key: Buffer.alloc(0), context: {} as SecureContext };
}

const all = new Map([
  ['first', cert('first', ['first.example.test'])],
  ['api', cert('api', ['api.example.com'])],
  ['wild', cert('wild', ['*.example.com'])],
  ['fallback', cert('fallback', ['other.test'], true)],
]);

describe('createSniSelector', () => {
  const sni = createSniSelector(all, undefined);

  it('prefers an exact domain over a wildcard', () => {
    expect(sni.select('API.example.com.').name).toBe('api');
  });

  it('matches a wildcard on exactly one label', () => {
    expect(sni.select('web.example.com').name).toBe('wild');
    expect(sni.select('a.b.example.com').name).toBe('fallback');
  });

  it('falls back to the default certificate, else the first offered', () => {
    expect(sni.select('unknown.test').name).toBe('fallback');
    expect(createSniSelector(all, ['first', 'api']).select('unknown.test').name).toBe('first');
  });

  it('offers only the certificates the server names', () => {
    expect(createSniSelector(all, ['first']).select('api.example.com').name).toBe('first');
  });

  it('refuses a TLS server without certificates', () => {
    expect(() => createSniSelector(new Map(), undefined)).toThrow();
  });
});
