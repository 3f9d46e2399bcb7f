import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionDrain } from '../../src/worker/connection-drain.ts';

interface Fixture {
  readonly server: http.Server;
  readonly drain: ConnectionDrain;
  readonly port: number;
  /** Responses to /slow wait for this to be called. */
  readonly releaseSlow: () => void;
}

const servers: http.Server[] = [];

/** Polls until the condition holds (bounded), instead of guessing how long a loaded machine needs. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const startedAt = Date.now();
  while (!condition()) {
    if (Date.now() - startedAt > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startServer(): Promise<Fixture> {
  const drain = new ConnectionDrain();
  const waiting: (() => void)[] = [];
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    if (req.url === '/slow') waiting.push(() => res.end('slow'));
    else if (req.url === '/stream') {
      res.writeHead(200);
      res.write('first');
    } else res.end('ok');
  });
  server.on('connection', (socket) => drain.trackConnection(socket));
  server.prependListener('request', (req, res) => drain.trackRequest(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { server, drain, port: (server.address() as AddressInfo).port, releaseSlow: () => waiting.splice(0).forEach((f) => f()) };
}

function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

describe('ConnectionDrain', () => {
  it('answers requests that arrive during the drain with connection: close, then finishes', async () => {
    const { server, drain, port, releaseSlow } = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(agent, port, '/')).connection).toBe('keep-alive');
    const slow = get(agent, port, '/slow');
    await until(() => drain.requestsInFlight === 1);
    net.Server.prototype.close.call(server);
    const drained = drain.drain({ timeoutMs: 5_000, idleGraceMs: 1_000 });
    releaseSlow();
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow' });
    await drained;
    expect(drain.connectionCount).toBe(0);
    agent.destroy();
  });

  it('closes keep-alive connections only after they were idle for the grace period', async () => {
    const { server, drain, port } = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(agent, port, '/');
    net.Server.prototype.close.call(server);
    const startedAt = Date.now();
    await drain.drain({ timeoutMs: 5_000, idleGraceMs: 300 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
    expect(drain.connectionCount).toBe(0);
    agent.destroy();
  });

  it('cuts a stream still running at the drain deadline', async () => {
    const { server, drain, port } = await startServer();
    const cut = new Promise<string>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/stream' }, (res) => {
        res.on('data', () => undefined);
        res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        res.on('end', () => resolve('end'));
      });
    });
    await until(() => drain.requestsInFlight === 1);
    net.Server.prototype.close.call(server);
    const startedAt = Date.now();
    await drain.drain({ timeoutMs: 300, idleGraceMs: 100 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(await cut).toBe('ECONNRESET');
  });

  it('sends GOAWAY to HTTP/2 sessions and lets their running streams finish', async () => {
    const drain = new ConnectionDrain();
    const waiting: (() => void)[] = [];
    const server = http2.createServer((req, res) => {
      drain.trackRequest(req, res);
      waiting.push(() => res.end('done'));
    });
    server.on('connection', (socket: net.Socket) => drain.trackConnection(socket));
    server.on('session', (session) => drain.trackSession(session));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = http2.connect(`http://127.0.0.1:${port}`);
    const goaway = new Promise<void>((resolve) => client.once('goaway', () => resolve()));
    const stream = client.request({ ':path': '/slow' });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    const ended = new Promise<void>((resolve) => stream.on('end', resolve));
    await until(() => waiting.length === 1);
    expect(drain.requestsInFlight).toBe(1);
    net.Server.prototype.close.call(server);
    const drained = drain.drain({ timeoutMs: 5_000, idleGraceMs: 50 });
    await goaway;
    // The session is HTTP/2: the idle sweep must not cut it while its stream runs.
    await new Promise((r) => setTimeout(r, 200));
    waiting.splice(0).forEach((f) => f());
    await ended;
    expect(body).toBe('done');
    await drained;
    expect(drain.connectionCount).toBe(0);
    client.close();
  });
});
