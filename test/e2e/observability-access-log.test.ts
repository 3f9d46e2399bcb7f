/**
 * The access log of the real binary (master + 2 workers): one line per request in the configured
 * template with the request id the client got back, and after logrotate's "move, then USR1" the workers
 * write to a new file.
 */
import { readFile, rename } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { startLouailink, stopAll, stopGracefully } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';

let upstream: Server;
let dir: ConfigDir;
let gateway: LouailinkProcess;
let port: number;

beforeAll(async () => {
  upstream = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = await freePort();
  dir = await createConfigDir();
  await dir.write(`basic: { workers: 2, log_level: info }
servers:
  main: { listen: 127.0.0.1:${port}, locations: [api] }
locations:
  api: { path: /, upstream: backend }
upstreams:
  backend: { targets: ["127.0.0.1:${(upstream.address() as AddressInfo).port}"] }
observability:
  access_log:
    format: '$request_id "$request" $status $body_bytes_sent $route $upstream_addr $upstream_status'
    file: logs/access.log
`);
  gateway = startLouailink(['-c', dir.path]);
  await gateway.waitForLog((line) => line.msg === 'louailink started', 20_000);
}, 30_000);

afterAll(async () => {
  await stopGracefully(gateway);
  await stopAll();
  await new Promise((r) => upstream.close(r));
  await dir?.remove();
});

async function get(path: string): Promise<string> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' } });
  await res.body.dump();
  return String(res.headers['x-request-id']);
}

async function lines(file: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await readFile(join(dir.path, 'logs', file), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('access log of the real binary', () => {
  it('writes one line per request with the returned request id, and reopens the file on USR1', async () => {
    const first = [await get('/a'), await get('/b?x=1'), await get('/c')];
    const upstreamAddr = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    expect((await lines('access.log', 3)).sort()).toEqual(
      [`${first[0]} "GET /a HTTP/1.1" 200 5 api ${upstreamAddr} 200`, `${first[1]} "GET /b?x=1 HTTP/1.1" 200 5 api ${upstreamAddr} 200`, `${first[2]} "GET /c HTTP/1.1" 200 5 api ${upstreamAddr} 200`].sort(),
    );
    await rename(join(dir.path, 'logs/access.log'), join(dir.path, 'logs/access.log.1'));
    gateway.signal('SIGUSR1');
    // The signal reaches the workers over IPC: probe until a request lands in the new file.
    const deadline = Date.now() + 10_000;
    let probes = 0;
    while ((await lines('access.log', 0)).length === 0 && Date.now() < deadline) {
      await get('/probe');
      probes++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await lines('access.log', 0)).length).toBeGreaterThan(0);
    // The master sent the reopen to both workers at once; give the other one a moment too.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = (await lines('access.log', 0)).length;
    const second = [await get('/d'), await get('/e')];
    const fresh = await lines('access.log', before + 2);
    expect(fresh.slice(-2).map((l) => l.split(' ')[0]).sort()).toEqual([...second].sort());
    // Every request is in exactly one of the two files.
    const moved = await lines('access.log.1', 3 + probes + 2 - fresh.length);
    expect(moved.length + fresh.length).toBe(3 + probes + 2);
  }, 40_000);
});
