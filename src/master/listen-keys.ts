import type { Config } from '../config/schema.ts';
import { parseListenAddress } from '../config/listen-address.ts';
import type { ListenAddress } from '../config/listen-address.ts';

/** Every listen address of a validated config, deduplicated by key, in config order. */
export function listenAddressesOf(config: Config): ListenAddress[] {
  const byKey = new Map<string, ListenAddress>();
  for (const server of Object.values(config.servers)) {
    for (const text of server.listen) {
      const parsed = parseListenAddress(text);
      // The loader validated every address; a string here would be a validator bug, reported as such.
      if (typeof parsed === 'string') throw new Error(`unvalidated listen address: ${parsed}`);
      byKey.set(parsed.key, parsed);
    }
  }
  return [...byKey.values()];
}
