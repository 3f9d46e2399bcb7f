/**
 * The request body handed to undici. An HTTP/1.1 request with a Content-Length goes as-is (node's
 * parser already bounds it, and the size was checked up front): the cheapest path. A chunked HTTP/1.1
 * body or any HTTP/2 body goes through `LimitedBody`, which counts bytes so a body without a declared
 * length cannot exceed the limit, and which keeps undici away from the Http2ServerRequest (undici
 * destroys the body stream it was given when done, which would reset the HTTP/2 stream).
 */
import { Readable } from 'node:stream';
import { Http2ServerRequest } from 'node:http2';
import { GatewayError } from '../core/errors.ts';
import type { GatewayRequest } from '../core/http-types.ts';

function ignore(): void {}

const CLIENT_ABORTED = new Error('client aborted the request body');

export class LimitedBody extends Readable {
  /** Set when the body crossed `maxBytes`; the exchange answers 413 when it can. */
  isTooLarge = false;
  #src: GatewayRequest;
  readonly #maxBytes: number;
  #bytes = 0;
  #ended = false;

  constructor(src: GatewayRequest, maxBytes: number) {
    super({ highWaterMark: 64 * 1024 });
    this.#src = src;
    this.#maxBytes = maxBytes;
    // Paused first so that adding the 'data' listener does not start the flow before undici reads.
    src.pause();
    src.on('data', this.#onData);
    src.on('end', this.#onEnd);
    src.on('close', this.#onClose);
    this.on('error', ignore);
  }

  override _read(): void {
    this.#src.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    callback(err);
  }

  #detach(): void {
    this.#src.off('data', this.#onData);
    this.#src.off('end', this.#onEnd);
    this.#src.off('close', this.#onClose);
  }

  #onData = (chunk: Buffer): void => {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      this.isTooLarge = true;
      this.#src.pause();
      this.destroy(new GatewayError('body_too_large'));
      return;
    }
    if (!this.push(chunk)) this.#src.pause();
  };

  #onEnd = (): void => {
    this.#ended = true;
    this.push(null);
  };

  #onClose = (): void => {
    if (!this.#ended) this.destroy(CLIENT_ABORTED);
  };
}

/**
 * True when the request carries no body (so it can always be retried on another target). `isH2` is the
 * caller's `req.httpVersionMajor === 2`, so the hot path needs no instanceof check.
 */
export function isBodyless(req: GatewayRequest, isH2: boolean = req instanceof Http2ServerRequest): boolean {
  if (isH2) return (req as Http2ServerRequest).stream.endAfterHeaders;
  const headers = req.headers;
  return headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0');
}

/**
 * The body to send upstream: null (no body), the request itself (HTTP/1.1 with Content-Length) or a
 * LimitedBody.
 */
export function upstreamBody(req: GatewayRequest, maxBodyBytes: number, isH2: boolean = req instanceof Http2ServerRequest): Readable | null {
  if (isBodyless(req, isH2)) return null;
  if (isH2 || req.headers['content-length'] === undefined) return new LimitedBody(req, maxBodyBytes);
  return req;
}
