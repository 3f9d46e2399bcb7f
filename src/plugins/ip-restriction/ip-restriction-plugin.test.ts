import { describe, expect, it } from 'vitest';
import { fakeContext } from '../../../test/helpers/plugin-context.ts';
import { ipRestrictionPlugin } from './ip-restriction-plugin.ts';

describe('ip-restriction plugin', () => {
  const hooks = ipRestrictionPlugin.create({ type: 'ip-restriction', allow: ['10.0.0.0/8', '2001:db8::/32', '127.0.0.1'], deny: ['10.9.0.0/16'] });
  const statusFor = (remoteAddress: string) => hooks.onRequest?.(fakeContext({ remoteAddress }))?.status;

  it('admits addresses inside an allowed CIDR or listed exactly, IPv4-mapped IPv6 included', () => {
    expect(statusFor('10.1.2.3')).toBeUndefined();
    expect(statusFor('::ffff:10.1.2.3')).toBeUndefined();
    expect(statusFor('2001:db8::1')).toBeUndefined();
    expect(statusFor('127.0.0.1')).toBeUndefined();
  });

  it('answers 403 outside the allow list and inside the deny list (deny wins)', () => {
    expect(statusFor('192.168.1.1')).toBe(403);
    expect(statusFor('2001:db9::1')).toBe(403);
    expect(statusFor('10.9.1.1')).toBe(403);
    expect(statusFor('')).toBe(403);
  });

  it('with only a deny list, admits everyone else', () => {
    const denyOnly = ipRestrictionPlugin.create({ type: 'ip-restriction', deny: ['192.0.2.0/24'] });
    expect(denyOnly.onRequest?.(fakeContext({ remoteAddress: '192.0.2.7' }))?.status).toBe(403);
    expect(denyOnly.onRequest?.(fakeContext({ remoteAddress: '198.51.100.7' }))).toBeUndefined();
  });
});
