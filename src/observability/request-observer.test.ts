import { describe, expect, it } from 'vitest';
import { compileLogFormat } from './access-log/log-template.ts';
import { ClusterMetrics } from './cluster-metrics.ts';
import { fakeExchange, memoryWriter } from './fake-exchange.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { RequestObserver } from './request-observer.ts';

async function exposition(metrics: GatewayMetrics): Promise<string> {
  const cluster = new ClusterMetrics();
  cluster.update('w', metrics.snapshot());
  return cluster.render();
}

describe('RequestObserver', () => {
  it('counts requests by method, location name and status, and tracks them in flight', async () => {
    const metrics = new GatewayMetrics();
    const observer = new RequestObserver({ metrics, locationNames: ['api', 'web'], accessLog: null });
    const a = fakeExchange('GET', '/api/users/123?x=1');
    const ra = observer.start(a.req, a.res, 'r1');
    observer.route(ra, 'api');
    const b = fakeExchange('BREW', '/api/pot');
    observer.route(observer.start(b.req, b.res, 'r2'), 'api');
    expect(await exposition(metrics)).toContain('http_requests_in_flight{method="GET",path="api"} 1');
    a.finish(200);
    b.finish(418);
    const c = fakeExchange('GET', '/nowhere');
    observer.start(c.req, c.res, 'r3');
    c.finish(404);
    const text = await exposition(metrics);
    expect(text).toContain('http_requests_total{method="GET",path="api",status="200"} 1');
    expect(text).toContain('http_requests_total{method="OTHER",path="api",status="418"} 1');
    expect(text).toContain('http_requests_total{method="GET",path="unmatched",status="404"} 1');
    expect(text).toContain('http_requests_in_flight{method="GET",path="api"} 0');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",path="api",status="200"} 1');
    expect(text).not.toContain('/api/users');
  });

  it('records a client that left before the head as 499', async () => {
    const metrics = new GatewayMetrics();
    const observer = new RequestObserver({ metrics, locationNames: ['api'], accessLog: null });
    const a = fakeExchange('POST', '/api');
    observer.route(observer.start(a.req, a.res, 'r1'), 'api');
    a.abort();
    expect(await exposition(metrics)).toContain('http_requests_total{method="POST",path="api",status="499"} 1');
  });

  it('records the proxied upstream exchange and its stream', async () => {
    const metrics = new GatewayMetrics();
    const observer = new RequestObserver({ metrics, locationNames: ['sse', 'proxy'], accessLog: null });
    const a = fakeExchange('GET', '/events');
    const ra = observer.start(a.req, a.res, 'r1');
    observer.route(ra, 'sse');
    ra.onUpstreamStart('events', '127.0.0.1:8');
    ra.onUpstreamHead(200, true);
    ra.onBodyChunk(Buffer.from('data: {}\n\ndata: [DONE]\n\n'));
    a.finish(200);
    const p = fakeExchange('GET', '/x');
    const rp = observer.start(p.req, p.res, 'r2');
    observer.route(rp, 'proxy');
    rp.onUpstreamStart('backend', '127.0.0.1:9');
    rp.onUpstreamError('upstream_connect_error');
    p.finish(502);
    const text = await exposition(metrics);
    expect(text).toContain('upstream_requests_total{upstream="events",provider="none",status="200"} 1');
    expect(text).toContain('upstream_request_duration_seconds_count{upstream="events",provider="none"} 1');
    expect(text).toContain('upstream_errors_total{upstream="backend",error_type="upstream_connect_error"} 1');
    expect(text).toContain('streaming_events_total{provider="events"} 2');
    expect(text).toContain('streaming_bytes_total{provider="events"} 24');
    expect(text).toContain('streaming_duration_seconds_count{provider="events"} 1');
  });

  it('records AI usage from the usage sink and puts it on the access-log line, even when it comes after the close', async () => {
    const metrics = new GatewayMetrics();
    const writer = memoryWriter();
    const observer = new RequestObserver({
      metrics,
      locationNames: ['ai'],
      aiLocationNames: ['ai'],
      providerTypes: new Map([['openai-main', 'openai']]),
      accessLog: { format: compileLogFormat('$provider $model $key_id $tokens_in $tokens_out $ttft'), writer },
    });
    const a = fakeExchange('POST', '/v1/chat/completions');
    observer.route(observer.start(a.req, a.res, 'r1'), 'ai');
    a.finish(200);
    expect(writer.lines).toEqual([]);
    observer.usageSink.record({
      requestId: 'r1',
      locationName: 'ai',
      endpoint: 'chat_completions',
      clientDialect: 'openai',
      upstreamModel: 'gpt-4o',
      attempts: 1,
      reasoningTokens: 0,
      clientModel: 'fast',
      model: 'gpt-4o',
      provider: 'openai-main',
      keyId: 'openai-main:0badc0de',
      status: 200,
      isStream: true,
      inputTokens: 12,
      outputTokens: 5,
      cacheReadTokens: 2,
      cacheWriteTokens: 0,
      timeToFirstTokenMs: 120,
      durationMs: 520,
      outcome: 'stream_error',
      streamEvents: 7,
      bodyBytes: 900,
    }, a.res);
    await new Promise((r) => setImmediate(r));
    expect(writer.lines).toEqual(['openai-main gpt-4o openai-main:0badc0de 12 5 0.120\n']);
    const text = await exposition(metrics);
    expect(text).toContain('upstream_requests_total{upstream="openai-main",provider="openai",status="200"} 1');
    expect(text).toContain('louailink_ai_tokens_total{provider="openai-main",model="gpt-4o",type="input"} 10');
    expect(text).toContain('louailink_ai_tokens_total{provider="openai-main",model="gpt-4o",type="output"} 5');
    expect(text).toContain('louailink_ai_tokens_total{provider="openai-main",model="gpt-4o",type="cache_read"} 2');
    expect(text).toContain('louailink_ai_time_to_first_token_seconds_count{provider="openai-main",model="gpt-4o"} 1');
    expect(text).toContain('louailink_ai_time_per_output_token_seconds_sum{provider="openai-main",model="gpt-4o"} 0.1');
    expect(text).toContain('louailink_ai_truncated_streams_total{provider="openai-main"} 1');
    expect(text).toContain('streaming_duration_seconds_count{provider="openai-main"} 1');
    expect(text).toContain('streaming_events_total{provider="openai-main"} 7');
    expect(text).toContain('streaming_bytes_total{provider="openai-main"} 900');
  });

  it('counts every AI upstream attempt with its status, time to first byte and error, and logs the last one', async () => {
    const metrics = new GatewayMetrics();
    const writer = memoryWriter();
    const observer = new RequestObserver({
      metrics,
      locationNames: ['ai'],
      aiLocationNames: ['ai'],
      providerTypes: new Map([['flaky', 'openai'], ['dead', 'openai'], ['claude', 'anthropic']]),
      accessLog: { format: compileLogFormat('$upstream $upstream_status $upstream_response_time $error $body_bytes_sent $stream_events'), writer },
    });
    const a = fakeExchange('POST', '/v1/chat/completions');
    observer.route(observer.start(a.req, a.res, 'r1'), 'ai');
    observer.usageSink.record({
      requestId: 'r1', locationName: 'ai', endpoint: 'chat_completions', clientDialect: 'openai', clientModel: 'm', model: 'm',
      provider: 'claude', upstreamModel: 'c', keyId: 'claude:1', attempts: 3, status: 200, isStream: true,
      inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
      timeToFirstTokenMs: 300, durationMs: 900, outcome: 'stream_error', streamEvents: 4, bodyBytes: 321,
      upstreamAttempts: [
        { provider: 'flaky', keyId: 'flaky:1', status: 503, headerMs: 40, errorType: undefined },
        { provider: 'dead', keyId: 'dead:1', status: 0, headerMs: undefined, errorType: 'upstream_connect_error' },
        { provider: 'claude', keyId: 'claude:1', status: 200, headerMs: 250, errorType: 'upstream_error' },
      ],
    }, a.res);
    a.finish(200);
    expect(writer.lines).toEqual(['claude 200 0.250 upstream_error 321 4\n']);
    const text = await exposition(metrics);
    expect(text).toContain('upstream_requests_total{upstream="flaky",provider="openai",status="503"} 1');
    expect(text).toContain('upstream_requests_total{upstream="claude",provider="anthropic",status="200"} 1');
    expect(text).not.toContain('upstream_requests_total{upstream="dead"');
    expect(text).toContain('upstream_request_duration_seconds_count{upstream="flaky",provider="openai"} 1');
    expect(text).toContain('upstream_request_duration_seconds_sum{upstream="claude",provider="anthropic"} 0.25');
    expect(text).not.toContain('upstream_request_duration_seconds_count{upstream="dead"');
    expect(text).toContain('upstream_errors_total{upstream="dead",error_type="upstream_connect_error"} 1');
    expect(text).toContain('upstream_errors_total{upstream="claude",error_type="upstream_error"} 1');
  });

  it('counts no stream for a stream request answered with an error', async () => {
    const metrics = new GatewayMetrics();
    const observer = new RequestObserver({ metrics, locationNames: ['ai'], aiLocationNames: ['ai'], accessLog: null });
    const a = fakeExchange('POST', '/v1/chat/completions');
    observer.route(observer.start(a.req, a.res, 'r1'), 'ai');
    observer.usageSink.record({
      requestId: 'r1', locationName: 'ai', endpoint: 'chat_completions', clientDialect: 'openai', clientModel: 'm', model: 'm',
      provider: 'p', upstreamModel: 'u', keyId: undefined, attempts: 1, status: 503, isStream: true,
      inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
      timeToFirstTokenMs: undefined, durationMs: 10, outcome: 'upstream_error', streamEvents: 0, bodyBytes: 80,
      upstreamAttempts: [{ provider: 'p', keyId: undefined, status: 503, headerMs: 5, errorType: undefined }],
    }, a.res);
    a.finish(503);
    const text = await exposition(metrics);
    expect(text).toContain('upstream_requests_total{upstream="p",provider="none",status="503"} 1');
    expect(text).not.toContain('streaming_duration_seconds_count{provider="p"}');
  });

  it('feeds the usage tracker with per-location deltas, masked tokens and key states', () => {
    const observer = new RequestObserver({ metrics: new GatewayMetrics(), locationNames: ['api'], accessLog: null });
    const a = fakeExchange('GET', '/', { authorization: 'Bearer sk-live-0123456789abcdef' });
    const b = fakeExchange('GET', '/');
    observer.route(observer.start(a.req, a.res, 'r1'), 'api');
    observer.route(observer.start(b.req, b.res, 'r2'), 'api');
    a.finish(200);
    observer.onKeyState('openai', 'k1', Date.now() + 60_000);
    const first = observer.usage.takeDelta();
    expect(first.locations).toEqual([{ name: 'api', requests: 1, inFlight: 1, peak: 2 }]);
    expect(first.tokens).toEqual([{ token: 'sk-live-…cdef', requests: 1 }]);
    expect(first.keys).toMatchObject([{ provider: 'openai', keyId: 'k1', state: 'cooling_down' }]);
    b.finish(200);
    expect(observer.usage.takeDelta()).toEqual({ locations: [{ name: 'api', requests: 1, inFlight: 0, peak: 1 }], tokens: [], keys: [] });
  });

  it('writes one access-log line per request when the response closes', () => {
    const writer = memoryWriter();
    const observer = new RequestObserver({ metrics: new GatewayMetrics(), locationNames: ['api'], accessLog: { format: compileLogFormat('$request_id $route $status'), writer } });
    const a = fakeExchange('GET', '/');
    observer.route(observer.start(a.req, a.res, 'id-1'), 'api');
    expect(writer.lines).toEqual([]);
    a.finish(204);
    expect(writer.lines).toEqual(['id-1 api 204\n']);
  });
});
