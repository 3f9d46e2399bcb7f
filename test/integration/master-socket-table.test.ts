import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../src/config/listen-address.ts';
import type { ListenAddress } from '../../src/config/listen-address.ts';
import { SocketTable } from '../../src/master/socket-table.ts';
import { freePort } from '../helpers/ports.ts';

const tables: SocketTable[] = [];
afterEach(() => {
  for (const table of tables.splice(0)) table.releaseAll();
});

function address(text: string): ListenAddress {
  const parsed = parseListenAddress(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('SocketTable', () => {
  it('binds without accepting: nothing answers until a worker listens on the handle', async () => {
    const port = await freePort();
    const table = new SocketTable();
    tables.push(table);
    expect(await table.bindMissing([address(`127.0.0.1:${port}`)])).toEqual([`127.0.0.1:${port}`]);
    expect(await connect(port)).toBe('ECONNREFUSED');
  });

  it('hands out a raw handle a server can accept on, while the table keeps its own copy', async () => {
    const port = await freePort();
    const table = new SocketTable();
    tables.push(table);
    await table.bindMissing([address(`127.0.0.1:${port}`)]);
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('hi');
    });
    await new Promise<void>((resolve) => server.listen(table.handleOf(`127.0.0.1:${port}`) as unknown as object, resolve));
    expect(await connect(port)).toBe('connected');
    expect(table.keys).toEqual([`127.0.0.1:${port}`]);
    server.close();
  });

  it('binds only addresses it does not hold yet, and all or nothing', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const table = new SocketTable();
    tables.push(table);
    await table.bindMissing([address(`127.0.0.1:${a}`)]);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(b, '127.0.0.1', resolve));
    const c = await freePort();
    await expect(table.bindMissing([address(`127.0.0.1:${a}`), address(`127.0.0.1:${c}`), address(`127.0.0.1:${b}`)])).rejects.toMatchObject({
      code: 'LL_BIND_FAILED',
    });
    blocker.close();
    expect(table.keys).toEqual([`127.0.0.1:${a}`]);
    expect(await table.bindMissing([address(`127.0.0.1:${a}`), address(`127.0.0.1:${c}`)])).toEqual([`127.0.0.1:${c}`]);
  });

  it('frees the port when an address is released', async () => {
    const port = await freePort();
    const table = new SocketTable();
    tables.push(table);
    await table.bindMissing([address(`127.0.0.1:${port}`)]);
    table.release(`127.0.0.1:${port}`);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    server.close();
    expect(table.keys).toEqual([]);
  });
});
