/**
 * Decrypts the provider keys written as `enc:v1:…` (secret-box.ts) once the config is valid, so the
 * compiled runtime only ever sees clear keys and nothing else needs to know about encryption. A key that
 * cannot be decrypted is a problem at that key's path (the loader adds file:line:col); the message names
 * the reason only, never the value or the master key. The master key is read only when some key is
 * encrypted.
 */
import type { ConfigProblem } from './config-issue.ts';
import type { Env } from './interpolate.ts';
import type { Config } from './schema.ts';
import { MASTER_KEY_ENV, SecretBoxError, decryptSecret, isEncryptedSecret, parseMasterKey } from './secret-box.ts';

export interface DecryptedKeys {
  /** The config with clear keys (the same object when no key is encrypted). */
  readonly config: Config;
  readonly problems: readonly ConfigProblem[];
  /** The clear keys, to keep out of any message. */
  readonly secrets: readonly string[];
}

export function decryptProviderKeys(config: Config, env: Env): DecryptedKeys {
  let masterKey: Buffer | SecretBoxError | undefined;
  const problems: ConfigProblem[] = [];
  const secrets: string[] = [];
  let providers: Config['providers'] | undefined;
  for (const [name, provider] of Object.entries(config.providers)) {
    if (provider.type === 'mock' || !provider.keys.some(isEncryptedSecret)) continue;
    const keys = provider.keys.map((key, index) => {
      if (!isEncryptedSecret(key)) return key;
      try {
        masterKey ??= parseMasterKey(env[MASTER_KEY_ENV]);
        if (masterKey instanceof SecretBoxError) throw masterKey;
        const clear = decryptSecret(key, masterKey);
        secrets.push(clear);
        return clear;
      } catch (err) {
        if (!(err instanceof SecretBoxError)) throw err;
        if (err.code === 'LL_MASTER_KEY_MISSING' || err.code === 'LL_MASTER_KEY_INVALID') masterKey = err;
        problems.push({ path: ['providers', name, 'keys', index], at: 'value', message: err.message });
        return key;
      }
    });
    providers = { ...(providers ?? config.providers), [name]: { ...provider, keys } };
  }
  return { config: providers === undefined ? config : { ...config, providers }, problems, secrets };
}
