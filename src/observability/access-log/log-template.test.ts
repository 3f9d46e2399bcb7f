import { describe, expect, it } from 'vitest';
import { fakeExchange } from '../fake-exchange.ts';
import { RequestRecord } from '../request-record.ts';
import { JSON_LOG_FIELDS, LOG_PRESETS } from '../../config/log-format.ts';
import { compileLogFormat } from './log-template.ts';
import { formatTimeLocal, VARIABLES } from './log-variables.ts';

const START_MS = Date.UTC(2026, 10, 22, 3, 7, 9, 250);

function finishedRecord(): RequestRecord {
  const ex = fakeExchange('POST', '/v1/chat/completions?stream=1', {
    host: 'gw.example',
    'user-agent': 'curl/8 "quoted"',
    referer: 'https://ref.example/',
    'x-trace': 'abc',
  });
  const record = new RequestRecord(ex.req, ex.res, 'req-42', 'POST');
  Object.assign(record, { startedAtMs: START_MS });
  record.location = 'ai';
  record.onUpstreamStart('openai-main', '10.0.0.7:443');
  record.onUpstreamHead(200, true);
  record.upstreamHeaderMs = 123.4;
  record.onBodyChunk(Buffer.from('data: 1\n\ndata: 2\n\n'));
  record.onUpstreamError('upstream_error');
  record.onAiUsage({ provider: 'openai-main', providerType: 'openai', model: 'gpt-4o', keyId: 'k2', inputTokens: 11, outputTokens: 22, cacheReadTokens: 3, cacheWriteTokens: 4, ttftMs: 250 });
  ex.finish(200, { 'content-type': 'text/event-stream' });
  record.status = 200;
  record.durationMs = 1500.2;
  return record;
}

/** Every fixed variable with the value it renders for finishedRecord(). */
const EXPECTED: Record<keyof typeof VARIABLES, string> = {
  remote_addr: '127.0.0.1',
  remote_port: '50123',
  remote_user: '-',
  time_local: '22/Nov/2026:03:07:09 +0000',
  time_iso8601: '2026-11-22T03:07:09.250Z',
  msec: '1795316829.250',
  request: 'POST /v1/chat/completions?stream=1 HTTP/1.1',
  request_method: 'POST',
  request_uri: '/v1/chat/completions?stream=1',
  uri: '/v1/chat/completions',
  args: 'stream=1',
  server_protocol: 'HTTP/1.1',
  host: 'gw.example',
  status: '200',
  body_bytes_sent: '18',
  request_time: '1.500',
  request_id: 'req-42',
  route: 'ai',
  location: 'ai',
  upstream: 'openai-main',
  upstream_addr: '10.0.0.7:443',
  upstream_status: '200',
  upstream_response_time: '0.123',
  error: 'upstream_error',
  provider: 'openai-main',
  model: 'gpt-4o',
  key_id: 'k2',
  tokens_in: '11',
  tokens_out: '22',
  tokens_cache_read: '3',
  tokens_cache_write: '4',
  ttft: '0.250',
  stream_events: '2',
  pid: String(process.pid),
};

describe('access-log templates', () => {
  it('renders every variable', () => {
    const record = finishedRecord();
    for (const name of Object.keys(VARIABLES)) {
      expect(compileLogFormat(`$${name}`)(record), name).toBe(EXPECTED[name as keyof typeof VARIABLES]);
    }
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(VARIABLES).sort());
  });

  it('renders request and response headers, ${name} references and literal text', () => {
    const line = compileLogFormat('[$http_x_trace] ${status}ms=$request_time ct=$sent_http_content_type none=$http_x_absent')(finishedRecord());
    expect(line).toBe('[abc] 200ms=1.500 ct=text/event-stream none=-');
  });

  it('renders the combined preset like nginx, escaping quotes', () => {
    expect(compileLogFormat('combined')(finishedRecord())).toBe(
      '127.0.0.1 - - [22/Nov/2026:03:07:09 +0000] "POST /v1/chat/completions?stream=1 HTTP/1.1" 200 18 "https://ref.example/" "curl/8 \\x22quoted\\x22"',
    );
    expect(LOG_PRESETS.main).toContain('$request_id');
  });

  it('renders "-" for what is not known', () => {
    const ex = fakeExchange('GET', '/x');
    const record = new RequestRecord(ex.req, ex.res, 'r1', 'GET');
    expect(compileLogFormat('$upstream_addr $tokens_in $ttft $provider $upstream_status')(record)).toBe('- - - - -');
  });

  it('renders the json preset as one object with numbers for times and counts', () => {
    const entry = JSON.parse(compileLogFormat('json')(finishedRecord())) as Record<string, unknown>;
    expect(entry).toMatchObject({
      status: 200,
      request_time: 1.5,
      upstream_response_time: 0.123,
      ttft: 0.25,
      tokens_in: 11,
      tokens_out: 22,
      route: 'ai',
      request_id: 'req-42',
      http_user_agent: 'curl/8 "quoted"',
    });
    for (const key of Object.keys(entry)) expect(JSON_LOG_FIELDS).toContain(key);
  });

  it('rejects an unknown variable with LL_LOG_FORMAT', () => {
    expect(() => compileLogFormat('$status $no_such_thing')).toThrow(expect.objectContaining({ code: 'LL_LOG_FORMAT' }));
  });

  it('formats $time_local in UTC', () => {
    expect(formatTimeLocal(Date.UTC(2026, 0, 5, 7, 8, 9))).toBe('05/Jan/2026:07:08:09 +0000');
  });
});
