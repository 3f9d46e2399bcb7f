/**
 * X-Forwarded-* headers toward the upstream. Defaults: For off (a client can forge it, so appending only makes
 * sense behind trusted clients), Proto and Host on. The applier is built once per location.
 */
import type { ForwardedConfig } from '../config/schema.ts';
import type { HeaderMap } from '../core/http-types.ts';

export interface ForwardedContext {
  /** Peer address of the client connection; undefined when the socket is already gone. */
  readonly remoteAddress: string | undefined;
  /** Scheme the client used to reach the gateway. */
  readonly proto: 'http' | 'https';
  /** Host the client asked for (Host header or :authority), as received, port included. */
  readonly host: string | undefined;
}

/** Mutates `headers` (lower-case names) for one upstream request. */
export type ForwardedApplier = (headers: HeaderMap, ctx: ForwardedContext) => void;

const XFF = 'x-forwarded-for';
const XFP = 'x-forwarded-proto';
const XFH = 'x-forwarded-host';
const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * Null when every header is off. For: the client address is appended to any existing value ("a, b").
 * Proto and Host: overwrite the client's value (a missing Host removes a forged one). A header that is off is
 * passed through as the client sent it.
 */
export function compileForwarded(config: ForwardedConfig | undefined): ForwardedApplier | null {
  const isForOn = config?.for ?? false;
  const isProtoOn = config?.proto ?? true;
  const isHostOn = config?.host ?? true;
  if (!isForOn && !isProtoOn && !isHostOn) return null;
  return (headers, ctx) => {
    if (isForOn && ctx.remoteAddress !== undefined) appendForwardedFor(headers, clientAddress(ctx.remoteAddress));
    if (isProtoOn) headers[XFP] = ctx.proto;
    if (isHostOn) {
      if (ctx.host === undefined) delete headers[XFH];
      else headers[XFH] = ctx.host;
    }
  };
}

function appendForwardedFor(headers: HeaderMap, address: string): void {
  const existing = headers[XFF];
  if (existing === undefined || existing.length === 0) headers[XFF] = address;
  else headers[XFF] = `${typeof existing === 'string' ? existing : existing.join(', ')}, ${address}`;
}

/** Dual-stack sockets report IPv4 clients as "::ffff:1.2.3.4"; upstreams expect "1.2.3.4". */
function clientAddress(remoteAddress: string): string {
  return remoteAddress.startsWith(IPV4_MAPPED_PREFIX) && remoteAddress.includes('.')
    ? remoteAddress.slice(IPV4_MAPPED_PREFIX.length)
    : remoteAddress;
}
