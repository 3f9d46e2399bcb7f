/** Builds every configured provider once per config (pools, key rings); `closeProviders` retires them. */
import type { Config } from '../../config/schema.ts';
import { HttpProvider } from './http-provider.ts';
import { MockUpstream } from './mock-upstream.ts';
import type { Provider } from './provider.ts';

export function compileProviders(providers: Config['providers']): ReadonlyMap<string, Provider> {
  const out = new Map<string, Provider>();
  for (const [name, config] of Object.entries(providers)) {
    out.set(name, config.type === 'mock' ? new MockUpstream(name, config) : new HttpProvider(name, config));
  }
  return out;
}

export async function closeProviders(providers: ReadonlyMap<string, Provider>): Promise<void> {
  await Promise.all([...providers.values()].map((provider) => provider.close()));
}
