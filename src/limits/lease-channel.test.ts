import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectLeaseCache, serveLeases } from './lease-channel.ts';
import type { LeaseChannel } from './lease-channel.ts';
import { LeaseLedger } from './lease-ledger.ts';

/** Two ends of an IPC pipe: what one sends arrives (JSON-copied, asynchronously) as a message on the other. */
type End = EventEmitter & LeaseChannel;

function pipe(): [End, End] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const end = (self: EventEmitter, other: EventEmitter): End =>
    Object.assign(self, { send: (m: unknown) => setImmediate(() => other.emit('message', JSON.parse(JSON.stringify(m)))) });
  return [end(a, b), end(b, a)];
}

describe('lease protocol over IPC channels', () => {
  it('shares one limit between two workers through the master, and ignores unrelated messages', async () => {
    const ledger = new LeaseLedger();
    const workers = [pipe(), pipe()].map(([masterEnd, workerEnd]) => {
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
    const [masterEnd, workerEnd] = pipe();
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
