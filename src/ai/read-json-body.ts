/**
 * Reads a request body as JSON with a byte limit. A declared content-length over the limit is refused
 * before any byte is read; a body that grows past the limit is refused as soon as it does, and the rest
 * is discarded (not destroyed) so the 413 can still be sent on the same connection.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError } from '../core/errors.ts';

/** What the reader needs of a request: node:http and node:http2 compat requests both fit. */
export type BodySource = Readable & { readonly headers: IncomingHttpHeaders };

/** A request body: the parsed value, and the text and bytes it was parsed from (the passthrough sends those on). */
export interface JsonBody {
  readonly value: unknown;
  readonly text: string;
  readonly bytes: Uint8Array;
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Resolves with the parsed JSON value, its text and its bytes. Rejects with GatewayError `body_too_large` (over `maxBodyBytes`),
 * `bad_request` (empty or invalid JSON) or `bad_request` when the client aborts the upload.
 */
export function readJsonBody(req: BodySource, maxBodyBytes: number): Promise<JsonBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBodyBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBodyBytes));
  }
  return new Promise((resolve, reject) => {
    // Most bodies come in one chunk: it is decoded as it is, without a copy.
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > maxBodyBytes) {
        cleanup();
        req.resume();
        reject(tooLarge(maxBodyBytes));
        return;
      }
      if (first === undefined) first = buf;
      else (more ??= [first]).push(buf);
    };
    const onEnd = (): void => {
      cleanup();
      const bytes = more !== undefined ? Buffer.concat(more, size) : (first ?? NO_BYTES);
      const text = bytes.toString('utf8');
      try {
        resolve({ value: JSON.parse(text) as unknown, text, bytes });
      } catch (cause) {
        reject(new GatewayError('bad_request', text.length === 0 ? 'the request body is empty' : 'the request body is not valid JSON', { cause }));
      }
    };
    const onError = (cause: unknown): void => {
      cleanup();
      reject(new GatewayError('bad_request', 'the request body could not be read', { cause }));
    };
    // 'close' before 'end' means the client went away mid-upload.
    const onClose = (): void => onError(new Error('request closed before the body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(maxBodyBytes: number): GatewayError {
  return new GatewayError('body_too_large', `the request body exceeds the limit of ${maxBodyBytes} bytes`);
}
