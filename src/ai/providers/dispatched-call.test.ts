import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkSource, ChunkVerdict, UpstreamReply } from './provider.ts';
import { Cancellation } from '../../lib/cancellation.ts';
import { dispatchCall } from './dispatched-call.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const open: Array<{ server: http.Server; pool: Pool }> = [];

async function upstream(handler: Handler): Promise<Pool> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  open.push({ server, pool });
  return pool;
}

afterEach(async () => {
  for (const { server, pool } of open.splice(0)) {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  }
});

const post = { method: 'POST' as const, path: '/v1/chat/completions', body: '{}', headers: { 'content-type': 'application/json' } };
const text = (chunk: Uint8Array): string => Buffer.from(chunk).toString();
/** Reads the reply's body (a ChunkSource for the network providers). */
const read = (reply: UpstreamReply, onChunk: (chunk: Uint8Array) => ChunkVerdict): Promise<void> => (reply.body as ChunkSource).forEachChunk(onChunk);
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));
/** Promises 100 bytes, sends 7, then resets the connection. */
const breaksMidBody: Handler = (_req, res) => {
  res.writeHead(200, { 'content-length': '100' });
  res.write('partial');
  setTimeout(() => res.socket?.destroy(), 20);
};

describe('dispatchCall', () => {
  it('resolves at the head and hands every body chunk over in order, also those that came before the reader', async () => {
    const pool = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      setTimeout(() => res.end('data: 2\n\n'), 30);
    });
    const reply = await dispatchCall(pool, post, new Cancellation());
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/event-stream');
    await tick(); // the first chunk waits in the queue
    const seen: string[] = [];
    await read(reply, (chunk) => (seen.push(text(chunk)), true));
    expect(seen.join('')).toBe('data: 1\n\ndata: 2\n\n');
  });

  it('reads the whole body as text, a character split across chunks included', async () => {
    const bytes = Buffer.from('{"content":"héllo"}');
    const split = bytes.indexOf(0xc3) + 1;
    const pool = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, split));
      setTimeout(() => res.end(bytes.subarray(split)), 20);
    });
    const reply = await dispatchCall(pool, post, new Cancellation());
    expect(await reply.text()).toBe('{"content":"héllo"}');
  });

  it('waits while a verdict is pending and goes on with what came meanwhile', async () => {
    const pool = await upstream((_req, res) => {
      res.writeHead(200);
      res.write('a');
      setTimeout(() => res.write('b'), 10);
      setTimeout(() => res.end('c'), 20);
    });
    const reply = await dispatchCall(pool, post, new Cancellation());
    const seen: string[] = [];
    let release: (more: boolean) => void = () => {};
    const done = read(reply, (chunk) => {
      seen.push(text(chunk));
      return seen.length === 1 ? new Promise<boolean>((resolve) => (release = resolve)) : true;
    });
    await tick();
    expect(seen).toEqual(['a']);
    release(true);
    await done;
    expect(seen.join('')).toBe('abc');
  });

  it('stops reading on a false verdict and aborts the rest of the upstream body', async () => {
    let upstreamClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const pool = await upstream((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'.repeat(100)), 5);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    const reply = await dispatchCall(pool, post, new Cancellation());
    let count = 0;
    await read(reply, () => ++count < 3);
    expect(count).toBe(3);
    await closed;
  });

  it('rejects before the head when the call is cancelled, and the reader after it', async () => {
    const pool = await upstream((_req, res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.write('first');
      }, 30);
    });
    const early = new Cancellation();
    const pending = dispatchCall(pool, post, early);
    early.cancel();
    await expect(pending).rejects.toThrow();
    const late = new Cancellation();
    const reply = await dispatchCall(pool, post, late);
    const reading = read(reply, () => true);
    late.cancel(new Error('client left'));
    await expect(reading).rejects.toThrow('client left');
  });

  it('rejects the reader when the upstream connection breaks mid-body', async () => {
    const pool = await upstream(breaksMidBody);
    const reply = await dispatchCall(pool, post, new Cancellation());
    await expect(reply.text()).rejects.toThrow();
  });

  it('rejects when the upstream refuses the connection', async () => {
    const pool = new Pool('http://127.0.0.1:1');
    await expect(dispatchCall(pool, post, new Cancellation())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await pool.destroy();
  });

  describe('buffered (a non-streaming answer)', () => {
    it('resolves only once the whole body is there, with the body in `whole`', async () => {
      const pool = await upstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"content":');
        setTimeout(() => res.end('"héllo"}'), 30);
      });
      const startedAt = performance.now();
      const reply = await dispatchCall(pool, post, new Cancellation(), true);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(25);
      expect(Buffer.from(reply.whole ?? []).toString()).toBe('{"content":"héllo"}');
      expect(await reply.text()).toBe('{"content":"héllo"}');
      const chunks: string[] = [];
      await read(reply, (chunk) => (chunks.push(text(chunk)), true));
      expect(chunks.join('')).toBe('{"content":"héllo"}');
    });

    it('rejects when the body breaks off or the call is cancelled before its end', async () => {
      const pool = await upstream(breaksMidBody);
      await expect(dispatchCall(pool, post, new Cancellation(), true)).rejects.toThrow();
      const slow = await upstream((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
      });
      const cancellation = new Cancellation();
      const pending = dispatchCall(slow, post, cancellation, true);
      setTimeout(() => cancellation.cancel(new Error('client left')), 20);
      await expect(pending).rejects.toThrow('client left');
    });
  });
});
