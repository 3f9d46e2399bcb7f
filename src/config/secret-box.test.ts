import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENCRYPTED_PREFIX, SecretBoxError, decryptSecret, encryptSecret, isEncryptedSecret, parseMasterKey } from './secret-box.ts';

const KEY = randomBytes(32);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof SecretBoxError ? err.code : 'other';
  }
  return undefined;
}

describe('secret box', () => {
  it('round-trips a key through an enc:v1: value with a fresh IV each time', () => {
    const first = encryptSecret('sk-proj-abc123', KEY);
    const second = encryptSecret('sk-proj-abc123', KEY);
    expect(first.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect(isEncryptedSecret(first)).toBe(true);
    expect(first).not.toBe(second);
    expect(first).not.toContain('abc123');
    expect(decryptSecret(first, KEY)).toBe('sk-proj-abc123');
    expect(decryptSecret(encryptSecret('ключ-🔑', KEY), KEY)).toBe('ключ-🔑');
  });

  it('detects a value altered anywhere (IV, tag or ciphertext) and a wrong master key', () => {
    const value = encryptSecret('sk-proj-abc123', KEY);
    const packed = Buffer.from(value.slice(ENCRYPTED_PREFIX.length), 'base64');
    for (const at of [0, 12, packed.length - 1]) {
      const altered = Buffer.from(packed);
      altered[at] = (altered[at] ?? 0) ^ 1;
      expect(codeOf(() => decryptSecret(`${ENCRYPTED_PREFIX}${altered.toString('base64')}`, KEY))).toBe('LL_SECRET_UNDECRYPTABLE');
    }
    expect(codeOf(() => decryptSecret(value, randomBytes(32)))).toBe('LL_SECRET_UNDECRYPTABLE');
  });

  it('rejects values that are not base64 of iv, tag and ciphertext', () => {
    expect(codeOf(() => decryptSecret('enc:v1:not base64!', KEY))).toBe('LL_SECRET_MALFORMED');
    expect(codeOf(() => decryptSecret(`enc:v1:${randomBytes(28).toString('base64')}`, KEY))).toBe('LL_SECRET_MALFORMED');
    expect(codeOf(() => decryptSecret('enc:v1:', KEY))).toBe('LL_SECRET_MALFORMED');
  });

  it('reads a 32-byte master key as hex or base64 and refuses anything else', () => {
    expect(parseMasterKey(KEY.toString('hex')).equals(KEY)).toBe(true);
    expect(parseMasterKey(` ${KEY.toString('base64')}\n`).equals(KEY)).toBe(true);
    expect(parseMasterKey(KEY.toString('base64url')).equals(KEY)).toBe(true);
    expect(codeOf(() => parseMasterKey(undefined))).toBe('LL_MASTER_KEY_MISSING');
    expect(codeOf(() => parseMasterKey(''))).toBe('LL_MASTER_KEY_MISSING');
    expect(codeOf(() => parseMasterKey(randomBytes(16).toString('hex')))).toBe('LL_MASTER_KEY_INVALID');
    expect(codeOf(() => parseMasterKey('correct horse battery staple'))).toBe('LL_MASTER_KEY_INVALID');
  });
});
