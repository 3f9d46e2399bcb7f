import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../core/errors.ts';
import { readJsonBody, type BodySource } from './read-json-body.ts';

function source(chunks: string[], headers: Record<string, string> = {}): BodySource {
  return Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err instanceof GatewayError ? err.code : 'not-a-gateway-error';
  }
}

describe('readJsonBody', () => {
  it('parses a body delivered in several chunks, and keeps its text', async () => {
    const body = await readJsonBody(source(['{"a":', '[1,', '"é"]}']), 100);
    expect(body.value).toEqual({ a: [1, 'é'] });
    expect(body.text).toBe('{"a":[1,"é"]}');
    expect(Buffer.from(body.bytes).toString('utf8')).toBe(body.text);
  });

  it('accepts a body of exactly the limit', async () => {
    expect((await readJsonBody(source(['"12345"']), 7)).value).toBe('12345');
  });

  it('refuses a body that grows past the limit with body_too_large', async () => {
    expect(await codeOf(readJsonBody(source(['"1234', '5678"']), 7))).toBe('body_too_large');
  });

  it('refuses a declared content-length over the limit before reading', async () => {
    expect(await codeOf(readJsonBody(source(['{}'], { 'content-length': '5000' }), 100))).toBe('body_too_large');
  });

  it('refuses invalid JSON with bad_request', async () => {
    expect(await codeOf(readJsonBody(source(['{"model":']), 100))).toBe('bad_request');
  });

  it('refuses an empty body with bad_request', async () => {
    expect(await codeOf(readJsonBody(source([]), 100))).toBe('bad_request');
  });
});
