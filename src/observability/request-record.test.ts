import { describe, expect, it } from 'vitest';
import { fakeExchange } from './fake-exchange.ts';
import { RequestRecord } from './request-record.ts';

function streamRecord(): RequestRecord {
  const ex = fakeExchange('POST', '/v1/chat/completions');
  const record = new RequestRecord(ex.req, ex.res, 'r', 'POST');
  record.onUpstreamHead(200, true);
  return record;
}

describe('RequestRecord', () => {
  it('counts SSE events split across chunks, with LF or CRLF line ends', () => {
    const record = streamRecord();
    for (const chunk of ['data: a\n', '\ndata: b\r\n\r', '\n', 'data: c\n\nda', 'ta: d\n\n']) record.onBodyChunk(Buffer.from(chunk));
    expect(record.streamEvents).toBe(4);
    expect(record.bodyBytes).toBe(38);
  });

  it('counts no events on a response that is not a stream', () => {
    const ex = fakeExchange('GET', '/');
    const record = new RequestRecord(ex.req, ex.res, 'r', 'GET');
    record.onUpstreamHead(200, false);
    record.onBodyChunk(Buffer.from('a\n\nb\n\n'));
    expect(record.streamEvents).toBe(0);
    expect(record.bodyBytes).toBe(6);
  });

  it('measures the upstream header time from the dispatch of the attempt', async () => {
    const record = streamRecord();
    record.onUpstreamStart('up', '127.0.0.1:1');
    await new Promise((r) => setTimeout(r, 15));
    record.onUpstreamHead(200, false);
    expect(record.upstreamHeaderMs).toBeGreaterThanOrEqual(10);
    expect(record.upstreamAddr).toBe('127.0.0.1:1');
  });
});
