/**
 * request-restriction `params` through the real gateway: on an AI location the AI layer checks the body
 * it parses (the official SDKs get typed 403 errors naming the parameter), on a proxied location the
 * plugin reads the body once and the upstream receives exactly those bytes.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:http2';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

let gateway: TestGateway;
let echo: TestUpstream;
const MESSAGES = [{ role: 'user' as const, content: 'hi' }];

beforeAll(async () => {
  echo = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.stringify({ headers: (req as IncomingMessage).headers, body: Buffer.concat(chunks).toString() });
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
  });
  gateway = await startTestGateway({
    servers: { main: { locations: ['ai', 'proxied'], http2: true } },
    locations: {
      ai: { path: '/v1', ai: {}, plugins: ['only-streams'] },
      proxied: { path: '/proxied', upstream: 'echo', plugins: ['only-streams'] },
    },
    upstreams: { echo: { targets: [echo.hostPort] } },
    providers: { mock: { type: 'mock', chunk_delay: '0ms', reply: 'hello from the mock' } },
    models: {
      'gpt-4o-mini': { providers: { mock: 'mock-upstream' } },
      sonnet: { providers: { mock: 'mock-upstream' } },
      opus: { providers: { mock: 'mock-upstream' } },
    },
    plugins: {
      'only-streams': { type: 'request-restriction', params: { model: ['gpt-4o-mini', 'sonnet'], stream: [true] } },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await echo?.close();
});

describe('params on an AI location', () => {
  const openai = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });

  it('serves a request whose parameters have allowed values', async () => {
    const stream = await openai().chat.completions.create({ model: 'sonnet', messages: MESSAGES, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('hello from the mock');
  });

  it('refuses another model or a missing parameter with an OpenAI PermissionDeniedError naming the parameter', async () => {
    const wrongModel = await openai().chat.completions.create({ model: 'opus', messages: MESSAGES, stream: true }).catch((e: unknown) => e);
    expect(wrongModel).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((wrongModel as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('forbidden');
    expect((wrongModel as Error).message).toContain("'model'");
    const notStreaming = await openai().chat.completions.create({ model: 'sonnet', messages: MESSAGES }).catch((e: unknown) => e);
    expect(notStreaming).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((notStreaming as Error).message).toContain("'stream'");
  });

  it('refuses an Anthropic client in its own error shape', async () => {
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
    const err = await anthropic.messages.create({ model: 'opus', max_tokens: 16, messages: MESSAGES, stream: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((err as InstanceType<typeof Anthropic.PermissionDeniedError>).error).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
  });

  it('does not check requests without a body', async () => {
    const models = await openai().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'sonnet', 'opus']);
  });
});

describe('params on a proxied location', () => {
  async function post(body: string, chunked = false) {
    const res = await request(`${gateway.url}/proxied/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked ? Readable.from([Buffer.from(body.slice(0, 5)), Buffer.from(body.slice(5))]) : body,
    });
    return { status: res.statusCode, json: (await res.body.json()) as { error?: unknown; body?: string; headers?: Record<string, string> } };
  }

  it('sends the checked body upstream byte for byte, with or without a declared length', async () => {
    const body = '{"model": "gpt-4o-mini",  "stream": true, "messages": []}';
    for (const chunked of [false, true]) {
      const res = await post(body, chunked);
      expect(res.status).toBe(200);
      expect(res.json.body).toBe(body);
      expect(res.json.headers?.['content-length']).toBe(String(Buffer.byteLength(body)));
    }
  });

  it('reads and forwards an HTTP/2 request body the same way', async () => {
    const body = '{"model":"sonnet","stream":true}';
    const session = connect(gateway.url);
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/proxied/v1/chat/completions', 'content-type': 'application/json' });
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
        stream.end(body);
      });
      expect((JSON.parse(answer) as { body: string }).body).toBe(body);
    } finally {
      session.close();
    }
  });

  it('answers 403 forbidden for another value and 400 for a body that is not a JSON object', async () => {
    const before = echo.requests;
    expect(await post('{"model":"opus","stream":true}')).toMatchObject({ status: 403, json: { error: 'forbidden' } });
    expect(await post('[1,2]')).toMatchObject({ status: 400, json: { error: 'bad_request' } });
    expect(echo.requests).toBe(before);
  });
});
