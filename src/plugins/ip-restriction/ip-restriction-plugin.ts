/**
 * `type: ip-restriction`: client addresses by CIDR (node:net BlockList). `deny` is checked first; with
 * `allow`, only listed addresses pass. Denied requests answer 403 forbidden. The address is the socket
 * peer (X-Forwarded-For is not trusted here).
 */
import { BlockList, isIP } from 'node:net';
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { clientAddressOf } from '../client-address.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginType } from '../plugin.ts';

export type IpRestrictionPluginConfig = Extract<PluginConfig, { type: 'ip-restriction' }>;

/** One BlockList from addresses and CIDRs ("10.0.0.0/8", "::1", "2001:db8::/32"). */
export function compileBlockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const address = slash < 0 ? entry : entry.slice(0, slash);
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (slash < 0) list.addAddress(address, family);
    else list.addSubnet(address, Number(entry.slice(slash + 1)), family);
  }
  return list;
}

function isListed(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export const ipRestrictionPlugin: PluginType<IpRestrictionPluginConfig> = {
  type: 'ip-restriction',
  create(config) {
    const deny = config.deny === undefined ? null : compileBlockList(config.deny);
    const allow = config.allow === undefined ? null : compileBlockList(config.allow);
    const refused = new GatewayError('forbidden', 'the client address is not allowed');
    return {
      onRequest(ctx) {
        const address = clientAddressOf(ctx.req);
        if (deny !== null && isListed(deny, address)) return errorReply(ctx, refused);
        if (allow !== null && !isListed(allow, address)) return errorReply(ctx, refused);
        return undefined;
      },
    };
  },
};
