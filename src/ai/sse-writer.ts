/**
 * Writes a server-sent-events response on node:http or node:http2 compat responses. The head is flushed
 * at once so clients see the stream start before the first event. Every write checks that the response
 * is still writable, so a late timer after a client disconnect writes nothing.
 */
import type { GatewayResponse } from '../core/http-types.ts';
import { writeChunk, writeHead } from './send-json.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as const;

export class SseWriter {
  readonly #res: GatewayResponse;

  constructor(res: GatewayResponse) {
    this.#res = res;
  }

  /** False once the client went away or the stream was ended. */
  get isWritable(): boolean {
    return !this.#res.destroyed && !this.#res.writableEnded;
  }

  /** Sends status 200 and the SSE headers (plus `extraHeaders`, lower-case names) immediately. */
  open(extraHeaders: Readonly<Record<string, string>>): void {
    writeHead(this.#res, 200, { ...extraHeaders, ...SSE_HEADERS }, true);
  }

  /** Writes one `data:` event carrying `payload` as JSON; returns false if nothing was written. */
  writeJson(payload: unknown): boolean {
    return this.#write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** Writes the OpenAI terminator `data: [DONE]` and ends the response. */
  endWithDone(): void {
    if (this.#write('data: [DONE]\n\n')) this.#res.end();
  }

  /**
   * Ends a stream that failed after its head was sent: one `data:` event with the error body in the
   * client's dialect and no `[DONE]`, so the client cannot mistake it for a complete answer.
   */
  endWithError(errorBody: string): void {
    if (this.#write(`data: ${errorBody}\n\n`)) this.#res.end();
  }

  #write(frame: string): boolean {
    if (!this.isWritable) return false;
    writeChunk(this.#res, frame);
    return true;
  }
}
