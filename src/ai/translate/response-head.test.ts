import { describe, expect, it } from 'vitest';
import { translatedResponseHeaders } from './response-head.ts';

describe('translatedResponseHeaders', () => {
  it('keeps the upstream request id and none of its content headers', () => {
    expect(translatedResponseHeaders({ 'content-type': 'text/event-stream; charset=utf-8', 'content-length': '99', 'request-id': 'req_1', 'x-request-id': ['a', 'b'] }, false))
      .toEqual({ 'content-type': 'application/json', 'request-id': 'req_1', 'x-request-id': 'a' });
  });

  it('announces an event stream without caching for streams', () => {
    expect(translatedResponseHeaders({}, true)).toEqual({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  });
});
