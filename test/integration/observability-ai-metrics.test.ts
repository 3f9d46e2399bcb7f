/**
 * AI traffic in /metrics, exactly: known requests (OpenAI and Anthropic clients; passthrough and
 * translated; streaming and not; a failover after a 503 and one after a refused connection) through the
 * in-process gateway, then the upstream and streaming metrics are compared with what the upstreams
 * answered and what the clients received (events and bytes counted on the client side).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';

let upstream: Server;
let gateway: TestGateway;
const received: { path: string; model: string }[] = [];

const OPENAI_STREAM = [
  { id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
  { id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
  { id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
];
const OPENAI_JSON = {
  id: 'c2',
  object: 'chat.completion',
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};
const ANTHROPIC_STREAM: [string, unknown][] = [
  ['message_start', { type: 'message_start', message: { id: 'm1', type: 'message', role: 'assistant', model: 'c', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }],
  ['message_stop', { type: 'message_stop' }],
];
const ANTHROPIC_JSON = {
  id: 'm2',
  type: 'message',
  role: 'assistant',
  model: 'c',
  content: [{ type: 'text', text: 'Hello' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 5, output_tokens: 2 },
};

/** One fake upstream for every provider: the upstream model id picks the behaviour. */
async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  const body = JSON.parse(text) as { model: string; stream?: boolean };
  received.push({ path: req.url ?? '', model: body.model });
  if (body.model === 'overloaded') {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded","type":"server_error"}}');
    return;
  }
  const isAnthropic = req.url === '/v1/messages';
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(isAnthropic ? ANTHROPIC_JSON : OPENAI_JSON));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (isAnthropic) for (const [event, data] of ANTHROPIC_STREAM) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  else for (const data of OPENAI_STREAM) res.write(`data: ${JSON.stringify(data)}\n\n`);
  res.end(isAnthropic ? '' : 'data: [DONE]\n\n');
}

beforeAll(async () => {
  upstream = createServer((req, res) => void answer(req, res));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const closedPort = await freePort();
  gateway = await startTestGateway({
    servers: { main: { locations: ['ai'] } },
    locations: { ai: { path: '/v1', ai: {} } },
    providers: {
      oai: { type: 'openai', base_url: `${base}/v1`, keys: ['sk-obs-metrics-oai'] },
      ant: { type: 'anthropic', base_url: base, keys: ['ak-obs-metrics-ant'] },
      flaky: { type: 'openai', base_url: `${base}/v1`, keys: ['sk-obs-metrics-flaky'] },
      dead: { type: 'openai', base_url: `http://127.0.0.1:${closedPort}/v1`, keys: ['sk-obs-metrics-dead'] },
    },
    models: {
      gpt: { providers: { oai: 'gpt-up' } },
      claude: { providers: { ant: 'claude-up' } },
      'after-503': { default_provider: 'flaky', providers: { flaky: 'overloaded', oai: 'gpt-up' } },
      'after-refused': { default_provider: 'dead', providers: { dead: 'x', oai: 'gpt-up' } },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  upstream?.close();
});

interface Received {
  readonly events: number;
  readonly bytes: number;
}

/** Sends one AI request; returns the events and body bytes the client received. */
async function send(dialect: 'openai' | 'anthropic', model: string, isStream: boolean): Promise<Received> {
  const path = dialect === 'openai' ? '/v1/chat/completions' : '/v1/messages';
  const body = { model, max_tokens: 16, stream: isStream, messages: [{ role: 'user', content: 'hi' }] };
  const res = await request(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  expect(res.statusCode, `${dialect} ${model}`).toBe(200);
  const text = bytes.toString('utf8');
  return { events: isStream ? text.split('\n\n').length - 1 : 0, bytes: bytes.length };
}

/** Value of the sample `name{labels}` in Prometheus text (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const keys = Object.keys(labels);
    if (keys.length === Object.keys(found).length && keys.every((k) => found[k] === labels[k])) return Number(match[3]);
  }
  return 0;
}

async function metrics(): Promise<string> {
  const res = await request(`${gateway.url}/metrics`);
  return res.body.text();
}

describe('AI traffic in the metrics', () => {
  it('counts every upstream attempt, its time to first byte and its errors, and the streamed events and bytes', async () => {
    const oaiStreams = [await send('openai', 'gpt', true), await send('openai', 'gpt', true)]; // passthrough
    await send('openai', 'gpt', false);
    await send('anthropic', 'gpt', false); // translated JSON
    const antStreams = [
      await send('anthropic', 'claude', true), // passthrough
      await send('openai', 'claude', true), // translated
      await send('anthropic', 'claude', true),
    ];
    await send('anthropic', 'claude', false);
    await send('openai', 'after-503', false); // flaky 503, then oai
    oaiStreams.push(await send('openai', 'after-refused', true)); // dead refuses the connection, then oai streams
    expect(received.at(-1)).toEqual({ path: '/v1/chat/completions', model: 'gpt-up' });
    // Usage is reported when the exchange settles, which may be just after the response closed.
    const deadline = Date.now() + 5_000;
    let text = await metrics();
    while (sample(text, 'streaming_duration_seconds_count', { provider: 'oai' }) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      text = await metrics();
    }

    const requests = (upstream: string, provider: string, status: string): number => sample(text, 'upstream_requests_total', { upstream, provider, status });
    expect(requests('oai', 'openai', '200')).toBe(6);
    expect(requests('ant', 'anthropic', '200')).toBe(4);
    expect(requests('flaky', 'openai', '503')).toBe(1);
    expect(requests('dead', 'openai', '200')).toBe(0);
    expect(sample(text, 'upstream_errors_total', { upstream: 'dead', error_type: 'upstream_connect_error' })).toBe(1);
    expect(sample(text, 'upstream_errors_total', { upstream: 'oai', error_type: 'upstream_error' })).toBe(0);

    const ttfb = (upstream: string, provider: string): number => sample(text, 'upstream_request_duration_seconds_count', { upstream, provider });
    expect(ttfb('oai', 'openai')).toBe(6);
    expect(ttfb('ant', 'anthropic')).toBe(4);
    expect(ttfb('flaky', 'openai')).toBe(1);
    expect(ttfb('dead', 'openai')).toBe(0);
    expect(sample(text, 'upstream_request_duration_seconds_sum', { upstream: 'oai', provider: 'openai' })).toBeGreaterThan(0);

    const sum = (streams: readonly Received[], field: keyof Received): number => streams.reduce((n, r) => n + r[field], 0);
    expect(sample(text, 'streaming_duration_seconds_count', { provider: 'oai' })).toBe(3);
    expect(sample(text, 'streaming_events_total', { provider: 'oai' })).toBe(sum(oaiStreams, 'events'));
    expect(sample(text, 'streaming_bytes_total', { provider: 'oai' })).toBe(sum(oaiStreams, 'bytes'));
    expect(sample(text, 'streaming_duration_seconds_count', { provider: 'ant' })).toBe(3);
    expect(sample(text, 'streaming_events_total', { provider: 'ant' })).toBe(sum(antStreams, 'events'));
    expect(sample(text, 'streaming_bytes_total', { provider: 'ant' })).toBe(sum(antStreams, 'bytes'));
    expect(sum(oaiStreams, 'events')).toBe(12); // per stream: three chunks and [DONE]; the usage-only chunk nobody asked for is dropped
    expect(antStreams[0]?.events).toBe(ANTHROPIC_STREAM.length);
  });
});
