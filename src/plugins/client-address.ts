/** The client's IP address as the plugins see it: the socket peer, IPv4-mapped IPv6 written as IPv4. */
import type { GatewayRequest } from '../core/http-types.ts';

const MAPPED_PREFIX = '::ffff:';

export function clientAddressOf(req: GatewayRequest): string {
  const address = req.socket?.remoteAddress ?? '';
  return address.startsWith(MAPPED_PREFIX) && address.includes('.') ? address.slice(MAPPED_PREFIX.length) : address;
}
