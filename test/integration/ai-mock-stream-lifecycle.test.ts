/**
 * Stream lifecycle of the mock provider: a client that disconnects mid-stream stops the handler at once
 * (the pending chunk timer is cleared, nothing more is written), and the same handler serves the
 * node:http2 compat API.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createH2Server, type ClientHttp2Session, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAiHandler, type AiHandler } from '../../src/ai/ai-handler.ts';
import { configSchema } from '../../src/config/schema.ts';

/** Long enough that a test would time out if a disconnect did not cancel the pending timer. */
const SLOW_CHUNK_DELAY = '10s';

function handlerWith(chunkDelay: string): AiHandler {
  return createAiHandler(
    configSchema.parse({
      servers: { main: { listen: '127.0.0.1:8080', locations: ['ai'] } },
      locations: { ai: { path: '/', ai: {} } },
      providers: { mock: { type: 'mock', chunk_delay: chunkDelay, reply: 'alpha beta gamma delta epsilon zeta eta theta' } },
      models: { 'mock-model': { providers: { mock: 'm' } } },
    }),
  );
}

const context = { requestId: 'req-1', locationName: 'ai', pathPrefix: '/', maxBodyBytes: 65_536 };
const streamBody = JSON.stringify({ model: 'mock-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });

let closeServer: (() => Promise<void>) | undefined;

afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function listen(server: Server | Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('AI mock stream lifecycle', () => {
  it('stops a stream and its timer when the client disconnects', async () => {
    const handle = handlerWith(SLOW_CHUNK_DELAY);
    let finished!: (outcome: { writesAfterClose: number; isEnded: boolean; ms: number }) => void;
    const outcome = new Promise<{ writesAfterClose: number; isEnded: boolean; ms: number }>((resolve) => (finished = resolve));
    let closedAt = 0;
    const server = createServer((req, res: ServerResponse) => {
      let writesAfterClose = 0;
      const write = res.write.bind(res) as (chunk: string) => boolean;
      res.write = ((chunk: string) => {
        if (closedAt !== 0) writesAfterClose++;
        return write(chunk);
      }) as typeof res.write;
      res.on('close', () => (closedAt = performance.now()));
      void handle(req, res, context).then(() => {
        // Give a leaked timer a moment to fire before counting.
        setTimeout(() => finished({ writesAfterClose, isEnded: res.writableEnded, ms: performance.now() - closedAt }), 100);
      });
    });
    closeServer = () => new Promise((resolve) => server.close(() => resolve()));
    const port = await listen(server);

    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' } });
    req.end(streamBody);
    const res = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-request-id']).toBe('req-1');
    // The role chunk arrives before the first (10 s) delay; then the client hangs up.
    const first = await new Promise<string>((resolve) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(first).toContain('"role":"assistant"');
    req.destroy();

    const result = await outcome;
    expect(result.ms).toBeLessThan(2_000);
    expect(result.writesAfterClose).toBe(0);
    expect(result.isEnded).toBe(false);
  });

  it('serves a stream over the node:http2 compat API', async () => {
    const session = await startH2();
    try {
      const res = await h2Post(session, '/v1/chat/completions', streamBody);
      expect(res.headers[':status']).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream');
      expect(res.headers['x-request-id']).toBe('req-1');
      const events = res.text.split('\n\n').filter((e) => e.length > 0);
      expect(events.at(-1)).toBe('data: [DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as { choices: { delta: { content?: string } }[] });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('alpha beta gamma delta epsilon zeta eta theta');
    } finally {
      session.close();
    }
  });

  it('answers a non-streaming completion and an error over the node:http2 compat API', async () => {
    const session = await startH2();
    try {
      const ok = await h2Post(session, '/chat/completions', JSON.stringify({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] }));
      expect(ok.headers[':status']).toBe(200);
      expect(JSON.parse(ok.text)).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'alpha beta gamma delta epsilon zeta eta theta' } }] });
      const bad = await h2Post(session, '/chat/completions', 'not json');
      expect(bad.headers[':status']).toBe(400);
      expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'bad_request' } });
    } finally {
      session.close();
    }
  });
});

/** An h2c server running the handler (closed after the test) and a client session to it. */
async function startH2(): Promise<ClientHttp2Session> {
  const handle = handlerWith('1ms');
  const server = createH2Server((req, res) => void handle(req, res, context));
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  const port = await listen(server);
  return connect(`http://127.0.0.1:${port}`);
}

async function h2Post(session: ClientHttp2Session, path: string, body: string): Promise<{ headers: Record<string, unknown>; text: string }> {
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
  stream.end(body);
  const headers = await new Promise<Record<string, unknown>>((resolve) => stream.on('response', resolve));
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return { headers, text };
}
