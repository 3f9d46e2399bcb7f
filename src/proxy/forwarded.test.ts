import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../core/http-types.ts';
import { compileForwarded } from './forwarded.ts';
import type { ForwardedContext } from './forwarded.ts';

const ctx: ForwardedContext = { remoteAddress: '203.0.113.7', proto: 'https', host: 'api.example.com:8443' };

function applied(config: Parameters<typeof compileForwarded>[0], headers: HeaderMap, context = ctx): HeaderMap {
  const apply = compileForwarded(config);
  if (apply === null) throw new Error('expected an applier');
  apply(headers, context);
  return headers;
}

describe('compileForwarded', () => {
  it('sets Proto and Host but not For by default', () => {
    expect(applied(undefined, {})).toEqual({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com:8443' });
  });

  it('overwrites forged Proto and Host values', () => {
    const headers = applied(undefined, { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.test' });
    expect(headers).toEqual({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com:8443' });
  });

  it('removes a forged Host when the request has none', () => {
    expect(applied(undefined, { 'x-forwarded-host': 'evil.test' }, { ...ctx, host: undefined })).toEqual({
      'x-forwarded-proto': 'https',
    });
  });

  it('appends the client address to an existing X-Forwarded-For', () => {
    const on = { for: true, proto: false, host: false };
    expect(applied(on, { 'x-forwarded-for': '198.51.100.1' })).toEqual({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7' });
    expect(applied(on, { 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] })).toEqual({
      'x-forwarded-for': '10.0.0.1, 10.0.0.2, 203.0.113.7',
    });
    expect(applied(on, {})).toEqual({ 'x-forwarded-for': '203.0.113.7' });
  });

  it('unwraps IPv4-mapped IPv6 client addresses and keeps real IPv6 ones', () => {
    const on = { for: true, proto: false, host: false };
    expect(applied(on, {}, { ...ctx, remoteAddress: '::ffff:192.0.2.1' })).toEqual({ 'x-forwarded-for': '192.0.2.1' });
    expect(applied(on, {}, { ...ctx, remoteAddress: '2001:db8::1' })).toEqual({ 'x-forwarded-for': '2001:db8::1' });
  });

  it('leaves X-Forwarded-For alone when the client address is unknown', () => {
    expect(applied({ for: true, proto: false, host: false }, { 'x-forwarded-for': 'a' }, { ...ctx, remoteAddress: undefined })).toEqual({
      'x-forwarded-for': 'a',
    });
  });

  it('passes headers that are off through untouched', () => {
    expect(applied({ for: false, proto: true, host: false }, { 'x-forwarded-for': 'a', 'x-forwarded-host': 'b' })).toEqual({
      'x-forwarded-for': 'a',
      'x-forwarded-host': 'b',
      'x-forwarded-proto': 'https',
    });
  });

  it('returns null when every header is off', () => {
    expect(compileForwarded({ for: false, proto: false, host: false })).toBeNull();
  });
});
