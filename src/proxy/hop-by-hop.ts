/**
 * Header copying across the proxy. Hop-by-hop headers (RFC 9110 §7.6.1: connection, keep-alive,
 * proxy-connection, te, trailer, transfer-encoding, upgrade, and every header named in `Connection`)
 * never cross in either direction. Toward the upstream we also drop `host` (undici sends the target's
 * host:port unless the upstream preserves the client's Host), `expect` (undici rejects it; we never
 * relay 100-continue) and HTTP/2 pseudo-headers (`:method`, `:path`, …).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderMap } from '../core/http-types.ts';

/** Removed in both directions (lower-case). */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

type HeaderSource = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** Lower-case names listed in a `Connection` header value, or null when there are none. */
function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  const text = typeof value === 'string' ? value : value.join(',');
  // Nearly every message says just "keep-alive" or "close": answer those without splitting.
  const length = text.length;
  if ((length === 10 || length === 5) && isPlainConnectionOption(text)) return null;
  let tokens: Set<string> | null = null;
  for (const raw of text.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive') continue;
    (tokens ??= new Set()).add(token);
  }
  return tokens;
}

function isPlainConnectionOption(text: string): boolean {
  const lower = text.toLowerCase();
  return lower === 'keep-alive' || lower === 'close';
}

function copyHeaders(src: HeaderSource, dropHost: boolean): HeaderMap {
  const named = connectionTokens(src.connection);
  const out: HeaderMap = {};
  for (const name in src) {
    const value = src[name];
    if (value === undefined) continue;
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    if (HOP_BY_HOP_HEADERS.has(name)) continue;
    if (dropHost && (name === 'host' || name === 'expect')) continue;
    if (named !== null && named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Headers for the upstream request. Names from node are already lower-case. With `preserveHost` the
 * client's Host (or HTTP/2 `:authority`) is kept; otherwise undici sets the target's host:port.
 */
export function copyRequestHeaders(src: IncomingHttpHeaders, preserveHost: boolean): HeaderMap {
  const out = copyHeaders(src, true);
  if (preserveHost) {
    const host = src.host ?? src[':authority'];
    if (typeof host === 'string') out.host = host;
  }
  return out;
}

/** Headers for the client response (undici gives lower-case names, repeated headers as arrays). */
export function copyResponseHeaders(src: HeaderSource): HeaderMap {
  return copyHeaders(src, false);
}
