import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseService } from './lease-service.ts';
import type { ClusterHub } from './lease-service.ts';

interface FakeWorker {
  readonly worker: Worker;
  readonly received: unknown[];
  connected: boolean;
}

let nextId = 1;

function fakeWorker(): FakeWorker {
  const fake: FakeWorker = {
    received: [],
    connected: true,
    worker: {
      id: nextId++,
      isConnected: () => fake.connected,
      send: (message: unknown) => {
        fake.received.push(message);
        return true;
      },
    } as unknown as Worker,
  };
  return fake;
}

function fakeCluster(workers: FakeWorker[]): ClusterHub & EventEmitter {
  return Object.assign(new EventEmitter(), { workers: Object.fromEntries(workers.map((w, i) => [String(i + 1), w.worker])) });
}

const services: LeaseService[] = [];
afterEach(() => services.splice(0).forEach((s) => s.close()));

const lease = (id: number, want: number) => ({ type: 'limit-lease', id, key: 'k', limit: 10, windowMs: 60_000, windowStart: 60_000, want });
const tokens = (id: number, charge: number) => ({ type: 'limit-tokens', id, key: 't', limit: 100, windowMs: 60_000, windowStart: 60_000, charge });

describe('LeaseService', () => {
  it('answers the worker that asked from one ledger, and ignores other messages', () => {
    const [a, b] = [fakeWorker(), fakeWorker()];
    const hub = fakeCluster([a, b]);
    services.push(new LeaseService({}, hub));
    hub.emit('message', a.worker, lease(1, 6));
    hub.emit('message', b.worker, lease(1, 6));
    hub.emit('message', b.worker, { type: 'status' });
    expect(a.received).toEqual([{ type: 'limit-grant', id: 1, key: 'k', windowStart: 60_000, granted: 6 }]);
    expect(b.received).toEqual([{ type: 'limit-grant', id: 1, key: 'k', windowStart: 60_000, granted: 4 }]);
  });

  it('tells every connected worker when a token limit is reached, whichever worker charged', () => {
    const [a, b, gone] = [fakeWorker(), fakeWorker(), fakeWorker()];
    gone.connected = false;
    const hub = fakeCluster([a, b, gone]);
    const service = new LeaseService({}, hub);
    services.push(service);
    hub.emit('message', a.worker, tokens(0, 60));
    hub.emit('message', a.worker, tokens(0, 60));
    const notice = { type: 'limit-token-count', id: 0, key: 't', windowStart: 60_000, used: 120 };
    expect([a.received, b.received, gone.received]).toEqual([[notice], [notice], []]);
    expect(service.server.tokens.usedOf('t')).toBe(120);
  });

  it('frees the concurrency slots of a worker whose channel closed', () => {
    const [a, b] = [fakeWorker(), fakeWorker()];
    const hub = fakeCluster([a, b]);
    const service = new LeaseService({}, hub);
    services.push(service);
    hub.emit('message', a.worker, { type: 'limit-slots', id: 1, key: 's', max: 2, want: 2 });
    expect(service.server.slots.heldOf('s')).toBe(2);
    hub.emit('disconnect', a.worker);
    expect(service.server.slots.heldOf('s')).toBe(0);
    hub.emit('message', b.worker, { type: 'limit-slots', id: 1, key: 's', max: 2, want: 2 });
    expect(b.received).toEqual([{ type: 'limit-slots-grant', id: 1, key: 's', granted: 2 }]);
  });

  it('stops answering once closed', () => {
    const a = fakeWorker();
    const hub = fakeCluster([a]);
    new LeaseService({}, hub).close();
    hub.emit('message', a.worker, lease(1, 1));
    expect(a.received).toEqual([]);
  });
});
