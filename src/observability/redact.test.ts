import { describe, expect, it } from 'vitest';
import { REDACTED, redactBody, redactHeaders } from './redact.ts';

describe('redaction', () => {
  it('replaces credential headers and keeps the others', () => {
    expect(
      redactHeaders({ Authorization: 'Bearer sk-abc', 'x-api-key': 'k', 'api-key': 'k', cookie: 'a=b', 'content-type': 'application/json', accept: ['a', 'b'] }),
    ).toEqual({ authorization: REDACTED, 'x-api-key': REDACTED, 'api-key': REDACTED, cookie: REDACTED, 'content-type': 'application/json', accept: 'a, b' });
  });

  it('replaces secret JSON fields and key-shaped strings in bodies', () => {
    const body = JSON.stringify({ model: 'gpt', api_key: 'plain-secret', nested: { password: 'p"w' }, note: 'use sk-proj-ABCDEFGH12345678 or AIzaSyA1234567890123456789012' });
    const out = redactBody(body);
    expect(out).not.toContain('plain-secret');
    expect(out).not.toContain('p\\"w');
    expect(out).not.toContain('sk-proj-ABCDEFGH12345678');
    expect(out).not.toContain('AIzaSyA');
    expect(JSON.parse(out)).toEqual({ model: 'gpt', api_key: REDACTED, nested: { password: REDACTED }, note: `use ${REDACTED} or ${REDACTED}` });
  });

  it('redacts a bearer token inside text', () => {
    expect(redactBody('authorization: Bearer abcdefgh12345')).toBe(`authorization: Bearer ${REDACTED}`);
  });
});
