import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotifyWorkerMessage } from '../core/notify-message.ts';
import type { Notification } from '../notify/notification.ts';
import { WorkerNotifications, WorkerNotifyService } from './worker-notify.ts';
import type { ClusterHub } from './lease-service.ts';

const GATHER_MS = 2_000;
const KEY = 'circuit:upstream:api:http://127.0.0.1:9';

const w1 = { id: '1', pid: 101 };
const w2 = { id: '2', pid: 102 };
const w3 = { id: '3', pid: 103 };
const w4 = { id: '4', pid: 104 };

function opened(details: Record<string, unknown> = { upstream: 'api', target: 'http://127.0.0.1:9' }): NotifyWorkerMessage {
  return { type: 'notify', event: 'backend_unhealthy', level: 'warn', message: 'circuit opened', details, condition: { key: KEY, isRaised: true } };
}

const closed: NotifyWorkerMessage = {
  type: 'notify',
  event: 'backend_healthy',
  level: 'info',
  message: 'circuit closed',
  details: { upstream: 'api' },
  condition: { key: KEY, isRaised: false },
};

let sent: Notification[];
let rejected: string[];
let hub: WorkerNotifications;

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  rejected = [];
  hub = new WorkerNotifications({ notify: (n) => sent.push(n), gatherMs: GATHER_MS, onRejected: (e) => rejected.push(e) });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('WorkerNotifications', () => {
  it('sends one notification for a condition raised by 4 workers within the window, counting them', () => {
    hub.receive(w1, opened());
    vi.advanceTimersByTime(500);
    hub.receive(w2, opened());
    hub.receive(w3, opened());
    hub.receive(w4, opened());
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toEqual([
      {
        event: 'backend_unhealthy',
        level: 'warn',
        message: 'circuit opened (4 workers)',
        details: { upstream: 'api', target: 'http://127.0.0.1:9', workers: 4, workerPids: [101, 102, 103, 104] },
      },
    ]);
  });

  it('sends nothing more while the condition holds, however late other workers raise it', () => {
    hub.receive(w1, opened());
    vi.advanceTimersByTime(GATHER_MS);
    hub.receive(w2, opened());
    hub.receive(w1, opened());
    vi.advanceTimersByTime(60_000);
    expect(sent.map((n) => n.message)).toEqual(['circuit opened (1 worker)']);
  });

  it('sends the clearing once, on the first worker that clears; later clears say nothing', () => {
    hub.receive(w1, opened());
    hub.receive(w2, opened());
    vi.advanceTimersByTime(GATHER_MS);
    hub.receive(w2, closed);
    hub.receive(w1, closed);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent.map((n) => n.event)).toEqual(['backend_unhealthy', 'backend_healthy']);
    expect(sent[1]).toEqual({ event: 'backend_healthy', level: 'info', message: 'circuit closed', details: { upstream: 'api', workerPid: 102 } });
  });

  it('sends a raise cleared before the window ended at once, then its clearing', () => {
    hub.receive(w1, opened());
    vi.advanceTimersByTime(100);
    hub.receive(w1, closed);
    expect(sent.map((n) => n.event)).toEqual(['backend_unhealthy', 'backend_healthy']);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toHaveLength(2);
  });

  it('announces a condition raised again after it cleared', () => {
    hub.receive(w1, opened());
    vi.advanceTimersByTime(GATHER_MS);
    hub.receive(w1, closed);
    hub.receive(w1, opened());
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent.map((n) => n.event)).toEqual(['backend_unhealthy', 'backend_healthy', 'backend_unhealthy']);
  });

  it('ignores a clear of a condition nobody raised', () => {
    hub.receive(w1, closed);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toEqual([]);
  });

  it('ends an episode silently once every worker holding it is gone; a new raise is news again', () => {
    hub.receive(w1, opened());
    hub.receive(w2, opened());
    vi.advanceTimersByTime(GATHER_MS);
    hub.forget(w1.id);
    hub.receive(w3, opened());
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toHaveLength(1);
    hub.forget(w2.id);
    hub.forget(w3.id);
    hub.receive(w4, opened());
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent.map((n) => n.message)).toEqual(['circuit opened (2 workers)', 'circuit opened (1 worker)']);
  });

  it('still sends what was gathered when the reporting worker exits within the window', () => {
    hub.receive(w1, opened());
    hub.forget(w1.id);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent.map((n) => n.message)).toEqual(['circuit opened (1 worker)']);
    hub.receive(w2, opened());
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toHaveLength(2);
  });

  it('merges identical plain messages within the window and sends a later one again', () => {
    const plain: NotifyWorkerMessage = { type: 'notify', event: 'lets_encrypt', level: 'info', message: 'certificate renewed', details: { domain: 'a.example' } };
    hub.receive(w1, plain);
    hub.receive(w2, plain);
    hub.receive(w2, { ...plain, message: 'another text' });
    vi.advanceTimersByTime(GATHER_MS);
    hub.receive(w3, plain);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent.map((n) => [n.message, n.details?.['workers']])).toEqual([
      ['certificate renewed (2 workers)', 2],
      ['another text (1 worker)', 1],
      ['certificate renewed (1 worker)', 1],
    ]);
  });

  it('drops an event the notification schema does not know', () => {
    hub.receive(w1, { type: 'notify', event: 'made_up', level: 'info', message: 'x' });
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toEqual([]);
    expect(rejected).toEqual(['made_up']);
  });

  it('sends what is being gathered on close', () => {
    hub.receive(w1, opened());
    hub.close();
    expect(sent.map((n) => n.event)).toEqual(['backend_unhealthy']);
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toHaveLength(1);
  });
});

describe('WorkerNotifyService', () => {
  function fakeWorker(id: number, pid: number): Worker {
    return { id, process: { pid } } as unknown as Worker;
  }

  it('takes notify messages from every worker and forgets a worker whose channel closed', () => {
    const cluster = new EventEmitter();
    const service = new WorkerNotifyService({ notify: (n) => sent.push(n), gatherMs: GATHER_MS }, cluster as unknown as ClusterHub);
    const a = fakeWorker(1, 201);
    const b = fakeWorker(2, 202);
    cluster.emit('message', a, opened());
    cluster.emit('message', b, opened());
    cluster.emit('message', a, { type: 'keys:subscribe' });
    cluster.emit('message', a, { type: 'notify', event: 'backend_unhealthy', level: 'fatal', message: 'bad level' });
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent.map((n) => n.details?.['workerPids'])).toEqual([[201, 202]]);
    cluster.emit('disconnect', a);
    cluster.emit('disconnect', b);
    cluster.emit('message', a, opened());
    vi.advanceTimersByTime(GATHER_MS);
    expect(sent).toHaveLength(2);
    service.close();
    expect(cluster.listenerCount('message')).toBe(0);
    expect(cluster.listenerCount('disconnect')).toBe(0);
  });
});
