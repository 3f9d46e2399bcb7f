import { describe, expect, it } from 'vitest';
import type { GatewayResponse } from '../core/http-types.ts';
import { SseWriter } from './sse-writer.ts';

/** The slice of node:http's ServerResponse the writer touches, recording what it is asked to do. */
class FakeResponse {
  destroyed = false;
  writableEnded = false;
  status = 0;
  headers: Record<string, string> = {};
  isFlushed = false;
  frames: string[] = [];
  writeHead(status: number, headers: Record<string, string>): void {
    this.status = status;
    this.headers = headers;
  }
  flushHeaders(): void {
    this.isFlushed = true;
  }
  write(frame: string): boolean {
    this.frames.push(frame);
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
}

function writerOn(fake: FakeResponse): SseWriter {
  return new SseWriter(fake as unknown as GatewayResponse);
}

describe('SseWriter', () => {
  it('flushes a 200 event-stream head with the extra headers', () => {
    const fake = new FakeResponse();
    writerOn(fake).open({ 'x-request-id': 'r1' });
    expect(fake.status).toBe(200);
    expect(fake.headers).toEqual({ 'x-request-id': 'r1', 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    expect(fake.isFlushed).toBe(true);
  });

  it('frames JSON events and ends with [DONE]', () => {
    const fake = new FakeResponse();
    const sse = writerOn(fake);
    expect(sse.writeJson({ a: 1 })).toBe(true);
    sse.endWithDone();
    expect(fake.frames).toEqual(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
    expect(fake.writableEnded).toBe(true);
    expect(sse.isWritable).toBe(false);
  });

  it('ends a failed stream with an error event and no [DONE]', () => {
    const fake = new FakeResponse();
    writerOn(fake).endWithError('{"error":{"code":"upstream_error"}}');
    expect(fake.frames).toEqual(['data: {"error":{"code":"upstream_error"}}\n\n']);
    expect(fake.writableEnded).toBe(true);
  });

  it('writes nothing once the client has gone', () => {
    const fake = new FakeResponse();
    const sse = writerOn(fake);
    fake.destroyed = true;
    expect(sse.writeJson({ a: 1 })).toBe(false);
    sse.endWithDone();
    expect(fake.frames).toEqual([]);
    expect(fake.writableEnded).toBe(false);
  });
});
