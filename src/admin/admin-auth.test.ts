import { describe, expect, it } from 'vitest';
import { adminTokens, compileTokenTable } from './admin-auth.ts';

const OPS = 'ops-token-0123456789';
const CI = 'ci-token-0123456789ab';

describe('compileTokenTable', () => {
  const table = compileTokenTable({ ops: OPS, ci: CI, unset: undefined });

  it('names the token a bearer header carries', () => {
    expect(table.identify({ authorization: `Bearer ${OPS}` })).toBe('ops');
    expect(table.identify({ authorization: `bearer ${CI}` })).toBe('ci');
  });

  it('knows no token that is missing, different, a prefix, or sent without the Bearer scheme', () => {
    expect(table.identify({})).toBeUndefined();
    expect(table.identify({ authorization: 'Bearer wrong-token-0123456789' })).toBeUndefined();
    expect(table.identify({ authorization: `Bearer ${OPS.slice(0, -1)}` })).toBeUndefined();
    expect(table.identify({ authorization: `Basic ${OPS}` })).toBeUndefined();
    expect(table.identify({ authorization: OPS })).toBeUndefined();
  });

  it('accepts nothing when no token is set', () => {
    expect(compileTokenTable({ metrics: undefined }).identify({ authorization: 'Bearer ' })).toBeUndefined();
  });
});

describe('adminTokens', () => {
  it('names `token` "admin" next to the `tokens` ids', () => {
    expect(adminTokens({ listen: '127.0.0.1:9180', token: OPS, tokens: { ci: CI }, metrics: true, audit_denied_requests: true })).toEqual({ admin: OPS, ci: CI });
  });
});
