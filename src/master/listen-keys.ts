import type { Config } from '../config/schema.ts';
import { parseListenAddress } from '../config/listen-address.ts';
import type { ListenAddress } from '../config/listen-address.ts';

/** Every listen address of a validated config (servers, then the admin listener), deduplicated by key, in config order. */
export function listenAddressesOf(config: Config): ListenAddress[] {
  const byKey = new Map<string, ListenAddress>();
  const lists = Object.values(config.servers).map((server) => server.listen);
  if (config.admin !== undefined) lists.push([config.admin.listen]);
  for (const list of lists) {
    for (const text of list) {
      const parsed = parseListenAddress(text);
      // The loader validated every address; a string here would be a validator bug, reported as such.
      if (typeof parsed === 'string') throw new Error(`unvalidated listen address: ${parsed}`);
      byKey.set(parsed.key, parsed);
    }
  }
  return [...byKey.values()];
}
