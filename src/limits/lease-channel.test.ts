import { describe, expect, it } from 'vitest';
import { connectClusterCounterStore, connectLeaseCache, serveLeases, serveLimits } from './lease-channel.ts';
import { LimitServer } from './limit-server.ts';
import { LeaseLedger } from './lease-ledger.ts';
import { ipcPipe } from '../../test/helpers/ipc-pipe.ts';

describe('lease protocol over IPC channels', () => {
  it('shares one limit between two workers through the master, and ignores unrelated messages', async () => {
    const ledger = new LeaseLedger();
    const workers = [ipcPipe(), ipcPipe()].map(([masterEnd, workerEnd]) => {
      serveLeases(ledger, masterEnd, () => 2);
      masterEnd.emit('message', { type: 'status' });
      return connectLeaseCache(workerEnd, () => 1_000);
    });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => workers[i % 2]?.take('k', 10, 60_000)));
    expect(results.filter((r) => r === 0)).toHaveLength(10);
    expect(results.filter((r) => r === 59_000)).toHaveLength(2);
    expect(ledger.grantedOf('k')).toBe(10);
  });

  it('stops answering once detached', async () => {
    const [masterEnd, workerEnd] = ipcPipe();
    const detach = serveLeases(new LeaseLedger(), masterEnd, () => 1);
    detach();
    const cache = connectLeaseCache(workerEnd, () => 0);
    let settled = false;
    void Promise.resolve(cache.take('k', 1, 1_000)).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    cache.failPending(0);
  });
});

describe('limit server over IPC channels', () => {
  it('refuses on every worker once the tokens charged by all of them reach the limit', async () => {
    const server = new LimitServer();
    const workerEnds: ReturnType<typeof ipcPipe>[1][] = [];
    const broadcast = (notice: unknown) => workerEnds.forEach((end) => end.emit('message', JSON.parse(JSON.stringify(notice))));
    const stores = [ipcPipe(), ipcPipe()].map(([masterEnd, workerEnd]) => {
      serveLimits(server, masterEnd, String(workerEnds.length), () => 2, broadcast);
      workerEnds.push(workerEnd);
      return connectClusterCounterStore(workerEnd, () => 65_000);
    });
    const [a, b] = stores;
    if (a === undefined || b === undefined) throw new Error('two stores');
    expect(await a.checkTokens('k', 100, 60_000, 65_000)).toBe(0);
    expect(await b.checkTokens('k', 100, 60_000, 65_000)).toBe(0);
    a.chargeTokens('k', 100, 60_000, 60, 65_000);
    b.chargeTokens('k', 100, 60_000, 50, 65_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.tokens.usedOf('k')).toBe(110);
    expect([a.checkTokens('k', 100, 60_000, 65_000), b.checkTokens('k', 100, 60_000, 65_000)]).toEqual([55_000, 55_000]);
  });

  it('caps requests in flight across two workers, taking idle slots back from the other worker before refusing', async () => {
    const server = new LimitServer();
    const [a, b] = [ipcPipe(), ipcPipe()].map(([masterEnd, workerEnd], i) => {
      serveLimits(server, masterEnd, String(i), () => 2, () => undefined);
      return connectClusterCounterStore(workerEnd);
    });
    if (a === undefined || b === undefined) throw new Error('two stores');
    expect([await a.acquire('c', 2), await a.acquire('c', 2), await b.acquire('c', 2)]).toEqual([true, true, false]);
    a.release('c');
    expect(await b.acquire('c', 2)).toBe(true);
    expect(await a.acquire('c', 2)).toBe(false);
    expect(server.slots.heldOf('c')).toBe(2);
  });

  it('admits what waits for the master and counts locally once the channel disconnects', async () => {
    const [, workerEnd] = ipcPipe();
    const store = connectClusterCounterStore(workerEnd, () => 65_000);
    const waiting = store.takeWindow('k', 1, 60_000, 65_000);
    workerEnd.emit('disconnect');
    expect(await waiting).toBe(0);
    expect(store.takeWindow('k', 1, 60_000, 65_000)).toBe(0);
    expect(store.takeWindow('k', 1, 60_000, 65_000)).toBe(55_000);
  });
});
