/**
 * Provider keys encrypted at rest (issue 6 §1): `enc:v1:<base64 of iv | tag | ciphertext>`, AES-256-GCM
 * with a 12-byte random IV and a 16-byte tag, under the master key in LOUAILINK_MASTER_KEY (32 bytes,
 * written as base64 or hex). GCM authenticates: a wrong master key and an altered value both fail, and
 * neither is ever mistaken for a key. Errors carry codes, never the secret or the master key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENCRYPTED_PREFIX = 'enc:v1:';
export const MASTER_KEY_ENV = 'LOUAILINK_MASTER_KEY';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SecretBoxErrorCode = 'LL_MASTER_KEY_MISSING' | 'LL_MASTER_KEY_INVALID' | 'LL_SECRET_MALFORMED' | 'LL_SECRET_UNDECRYPTABLE';

const MESSAGES: Readonly<Record<SecretBoxErrorCode, string>> = {
  LL_MASTER_KEY_MISSING: `an encrypted value needs the master key in ${MASTER_KEY_ENV}`,
  LL_MASTER_KEY_INVALID: `${MASTER_KEY_ENV} must be 32 bytes written as base64 (44 characters) or hex (64 characters)`,
  LL_SECRET_MALFORMED: `not a valid ${ENCRYPTED_PREFIX} value (base64 of iv | tag | ciphertext)`,
  LL_SECRET_UNDECRYPTABLE: `cannot decrypt: ${MASTER_KEY_ENV} is not the key it was encrypted with, or the value was altered`,
};

export class SecretBoxError extends Error {
  readonly code: SecretBoxErrorCode;

  constructor(code: SecretBoxErrorCode) {
    super(MESSAGES[code]);
    this.name = 'SecretBoxError';
    this.code = code;
  }
}

export function isEncryptedSecret(value: string): boolean {
  return value.startsWith(ENCRYPTED_PREFIX);
}

/** The 32-byte master key from its text (64 hex digits, or base64 / base64url of 32 bytes). */
export function parseMasterKey(text: string | undefined): Buffer {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') throw new SecretBoxError('LL_MASTER_KEY_MISSING');
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new SecretBoxError('LL_MASTER_KEY_INVALID');
}

export function encryptSecret(plaintext: string, masterKey: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, masterKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${ENCRYPTED_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}

export function decryptSecret(value: string, masterKey: Buffer): string {
  const encoded = value.slice(ENCRYPTED_PREFIX.length);
  if (!isEncryptedSecret(value) || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new SecretBoxError('LL_SECRET_MALFORMED');
  const packed = Buffer.from(encoded, 'base64');
  if (packed.length <= IV_BYTES + TAG_BYTES) throw new SecretBoxError('LL_SECRET_MALFORMED');
  const decipher = createDecipheriv(ALGORITHM, masterKey, packed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('LL_SECRET_UNDECRYPTABLE');
  }
}
