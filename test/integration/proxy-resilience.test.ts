/**
 * A failing upstream never crashes the gateway: concurrent requests against a refusing target, an
 * upstream that resets before or during the response, one that answers garbage, and clients that give
 * up mid-request. Afterwards the gateway still serves, and nothing escaped as an unhandled error.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

let gateway: TestGateway;
let flaky: TestUpstream;
let garbage: Server;
const escaped: unknown[] = [];
const onEscaped = (err: unknown): void => {
  escaped.push(err);
};

beforeAll(async () => {
  process.on('unhandledRejection', onEscaped);
  process.on('uncaughtException', onEscaped);
  flaky = await startUpstream((req, res) => {
    const out = res as ServerResponse;
    if (req.url === '/reset-early') {
      out.socket?.destroy();
    } else if (req.url === '/reset-mid') {
      out.writeHead(200);
      out.write('some');
      setTimeout(() => out.socket?.destroy(), 5);
    } else if (req.url === '/slow') {
      setTimeout(() => out.end('late'), 200);
    } else {
      out.end('fine');
    }
  });
  garbage = createServer((socket) => {
    socket.on('error', () => {});
    socket.resume(); // read, or the peer's close is never noticed and garbage.close() waits forever
    socket.end('NOT HTTP AT ALL\r\n\r\n');
  });
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  gateway = await startTestGateway({
    servers: { main: { locations: ['dead', 'garbage', 'flaky'] } },
    locations: {
      dead: { path: '/dead', upstream: 'dead' },
      garbage: { path: '/garbage', upstream: 'garbage' },
      flaky: { path: '/', upstream: 'flaky' },
    },
    upstreams: {
      dead: { targets: [`127.0.0.1:${await freePort()}`] },
      garbage: { targets: [`127.0.0.1:${(garbage.address() as AddressInfo).port}`] },
      flaky: { targets: [flaky.hostPort] },
    },
  });
});

afterAll(async () => {
  process.off('unhandledRejection', onEscaped);
  process.off('uncaughtException', onEscaped);
  await gateway?.close();
  await flaky?.close();
  await new Promise<void>((resolve) => garbage?.close(() => resolve()));
});

async function attempt(path: string, abortAfterMs?: number): Promise<number | string> {
  try {
    const res = await request(`${gateway.url}${path}`, abortAfterMs === undefined ? {} : { signal: AbortSignal.timeout(abortAfterMs) });
    await res.body.text();
    return res.statusCode;
  } catch (err) {
    return (err as { code?: string; name?: string }).code ?? (err as Error).name;
  }
}

describe('resilience', () => {
  it('keeps serving after being pounded by dead, resetting and garbage upstreams and impatient clients', async () => {
    const paths = ['/dead', '/reset-early', '/reset-mid', '/garbage', '/slow'];
    const results: (number | string)[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = [];
      for (let i = 0; i < 20; i++) {
        const path = paths[i % paths.length] ?? '/';
        batch.push(attempt(path, path === '/slow' ? 20 : undefined));
      }
      results.push(...(await Promise.all(batch)));
    }
    expect(results.filter((r) => r === 502).length).toBeGreaterThan(0);
    expect(results).not.toContain(500);
    expect(await attempt('/ok')).toBe(200);
    expect(escaped).toEqual([]);
  });
});
