import { describe, expect, it } from 'vitest';
import { maskedTokenOn, maskToken, presentedToken } from './mask-token.ts';

describe('maskToken', () => {
  it('keeps the scheme prefix and the last four characters', () => {
    expect(maskToken('sk-abcdefghijklmnopa1b2')).toBe('sk-…a1b2');
    expect(maskToken('sk-ant-api03-abcdefghijklmnop9z9z')).toBe('sk-ant-…9z9z');
    expect(maskToken('abcdefghijklmnopqrstuvwxyz')).toBe('…wxyz');
  });

  it('shows nothing of a short value', () => {
    expect(maskToken('sk-short')).toBe('…');
  });
});

describe('presentedToken', () => {
  it('reads a bearer token or x-api-key', () => {
    expect(presentedToken({ authorization: 'Bearer sk-123' })).toBe('sk-123');
    expect(presentedToken({ authorization: 'bearer  sk-123 ' })).toBe('sk-123');
    expect(presentedToken({ 'x-api-key': 'sk-ant-1' })).toBe('sk-ant-1');
    expect(presentedToken({ authorization: 'Basic dXNlcg==' })).toBeUndefined();
    expect(presentedToken({})).toBeUndefined();
  });
});

describe('maskedTokenOn', () => {
  it('masks each token presented on a connection, also when the connection changes hands', () => {
    const connection = {};
    expect(maskedTokenOn(connection, 'sk-proj-abcdefghijkl1234')).toBe('sk-proj-…1234');
    expect(maskedTokenOn(connection, 'sk-proj-abcdefghijkl1234')).toBe('sk-proj-…1234');
    expect(maskedTokenOn(connection, 'sk-proj-abcdefghijkl9999')).toBe('sk-proj-…9999');
    expect(maskedTokenOn(undefined, 'sk-ant-abcdefghijkl5678')).toBe('sk-ant-…5678');
  });
});
