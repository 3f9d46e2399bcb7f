/**
 * Writes the client's response for the exchange: the head (flushed at once for streams, so the client
 * sees the stream start with the first event), body chunks with back-pressure (waits for 'drain', gives
 * up when the client leaves), and the end. Works on node:http and node:http2 compat responses alike.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { GatewayResponse } from '../../core/http-types.ts';
import type { Cancellation } from '../../lib/cancellation.ts';
import { writeHead } from '../send-json.ts';

export function isGone(res: GatewayResponse): boolean {
  return res.destroyed || res.writableEnded;
}

export function sendHead(res: GatewayResponse, status: number, headers: Readonly<Record<string, string>>, isFlushed: boolean): void {
  if (!res.headersSent && !isGone(res)) writeHead(res, status, headers, isFlushed);
}

/**
 * Writes a chunk; undefined when more may be written at once, else a promise that settles once the socket
 * buffer drained or the client left (no promise per chunk on the usual path).
 */
export function writeChunk(res: GatewayResponse, chunk: Uint8Array | string, cancellation: Cancellation): Promise<void> | undefined {
  if (isGone(res)) return undefined;
  const out: Writable = res;
  if (out.write(chunk)) return undefined;
  return once(out, 'drain', { signal: cancellation.signal }).then(
    () => undefined,
    () => undefined, // the client went away while the buffer was full: the caller sees the abort
  );
}

/**
 * Ends the response, with a last chunk when given. A body sent whole (a JSON answer) may come as bytes:
 * node then writes head and body with one writev instead of joining the head to a string body first.
 */
export function endBody(res: GatewayResponse, chunk?: string | Uint8Array): void {
  if (isGone(res)) return;
  if (chunk === undefined || chunk.length === 0) res.end();
  else res.end(chunk);
}
