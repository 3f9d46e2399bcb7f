import { describe, expect, it } from 'vitest';
import { connectLeaseCache, serveLeases } from './lease-channel.ts';
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
