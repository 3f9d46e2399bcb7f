/**
 * Reads a whole request body into one Buffer with a byte limit, for plugins that must look into a
 * proxied body before it goes upstream (the proxy then sends these bytes, see src/proxy/buffered-body.ts).
 * Resolves with the bytes, or with the GatewayError to answer: 413 body_too_large (the rest is drained,
 * not destroyed, so the answer can still go out), 400 bad_request when the client stops sending.
 */
import type { Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.ts';

const ABORTED = new GatewayError('bad_request', 'the request body could not be read');

export function readBody(req: Readable & { readonly headers: Readonly<Record<string, unknown>> }, maxBytes: number): Promise<Buffer | GatewayError> {
  const tooLarge = new GatewayError('body_too_large', `the request body exceeds the limit of ${maxBytes} bytes`);
  const declared = req.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > maxBytes) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Buffer | GatewayError): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > maxBytes) {
        settle(tooLarge);
        req.resume();
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => settle(Buffer.concat(chunks, size));
    // 'close' before 'end': the client went away mid-upload.
    const onError = (): void => settle(ABORTED);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onError);
  });
}
