import { describe, expect, it } from 'vitest';
import { fakeExchange, memoryWriter } from './fake-exchange.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { REDACTED } from './redact.ts';
import { RequestObserver } from './request-observer.ts';
import { UpstreamLog } from './upstream-log.ts';

describe('UpstreamLog', () => {
  it('logs a proxied exchange with credentials redacted and the body cut at max_body', () => {
    const writer = memoryWriter();
    const observer = new RequestObserver({ metrics: new GatewayMetrics(), locationNames: ['api'], accessLog: null, upstreamLog: new UpstreamLog(writer, 40) });
    const ex = fakeExchange('POST', '/api/x?key=sk-proj-ABCDEFGH12345678', { authorization: 'Bearer sk-secret-0123456789', 'content-type': 'application/json' });
    const record = observer.start(ex.req, ex.res, 'rid-7');
    observer.route(record, 'api');
    record.onUpstreamStart('backend', 'http://127.0.0.1:9');
    record.onUpstreamHead(200, false);
    record.onBodyChunk(Buffer.from('{"api_key":"plain-secret","n":1}'));
    record.onBodyChunk(Buffer.from('0123456789abcdef'));
    ex.finish(200, { 'set-cookie': 'session=1' });
    const [request, response] = writer.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(request).toMatchObject({ request_id: 'rid-7', direction: 'request', upstream: 'backend', url: `/api/x?key=${REDACTED}`, headers: { authorization: REDACTED, 'content-type': 'application/json' } });
    expect(response).toMatchObject({ direction: 'response', status: 200, headers: { 'set-cookie': REDACTED }, body_truncated_at: 40 });
    expect(response?.body).toBe(`{"api_key":"${REDACTED}","n":1}01234567`);
    expect(writer.lines.join('')).not.toContain('sk-secret');
    expect(writer.lines.join('')).not.toContain('plain-secret');
  });
});
