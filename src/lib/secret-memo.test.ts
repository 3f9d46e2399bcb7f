import { describe, expect, it } from 'vitest';
import { SecretMemo } from './secret-memo.ts';

describe('SecretMemo', () => {
  it('answers only for the secret kept on that connection, and each memo only for its own values', () => {
    const connection = {};
    const keys = new SecretMemo<string>();
    const masks = new SecretMemo<string>();
    keys.set(connection, 'secret-one', 'alice');
    expect(keys.get(connection, 'secret-one')).toBe('alice');
    expect(keys.get(connection, 'secret-two')).toBeUndefined();
    expect(keys.get({}, 'secret-one')).toBeUndefined();
    expect(masks.get(connection, 'secret-one')).toBeUndefined();
    keys.set(undefined, 'secret-one', 'nobody');
    expect(keys.get(undefined, 'secret-one')).toBeUndefined();
  });
});
