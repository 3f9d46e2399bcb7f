/**
 * Response-head and body writes that type-check on the GatewayResponse union: node:http's
 * ServerResponse and node:http2's compat Http2ServerResponse have overloads TypeScript cannot call
 * through a union, so these narrow once and call the right one.
 */
import type { Writable } from 'node:stream';
import type { GatewayResponse } from '../core/http-types.ts';

/**
 * Sets status and headers (lower-case names). With `isFlushed` the head goes out now instead of with
 * the first body write (the http2 compat API always sends it at once).
 */
export function writeHead(res: GatewayResponse, status: number, headers: Readonly<Record<string, string>>, isFlushed: boolean): void {
  if ('stream' in res) {
    res.writeHead(status, headers);
    return;
  }
  res.writeHead(status, headers);
  if (isFlushed) res.flushHeaders();
}

/** Writes a body chunk (both response classes are Writable streams). */
export function writeChunk(res: GatewayResponse, chunk: string): void {
  const out: Writable = res;
  out.write(chunk);
}

/** A complete JSON response with its content-length. */
export function sendJson(res: GatewayResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  writeHead(res, status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, false);
  res.end(body);
}
