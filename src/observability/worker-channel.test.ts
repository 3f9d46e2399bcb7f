import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerReport } from './cluster-state.ts';
import type { ObsWorkerMessage } from './observability-messages.ts';
import { WorkerChannel } from './worker-channel.ts';

class FakeProcess extends EventEmitter {
  connected = true;
  readonly sent: ObsWorkerMessage[] = [];
  send(message: unknown, callback?: (err: Error | null) => void): boolean {
    this.sent.push(message as ObsWorkerMessage);
    setImmediate(() => callback?.(null));
    return true;
  }
}

let reports = 0;
const collect = async (): Promise<WorkerReport> => {
  reports++;
  return { type: 'obs:report', identity: { generation: 2, slot: 0, configVersion: 'abc' }, metrics: [], usage: { locations: [], tokens: [], keys: [] } };
};

const channels: WorkerChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) c.close();
});

function open(proc: FakeProcess, intervalMs = 60_000): WorkerChannel {
  const channel = new WorkerChannel(proc, collect, intervalMs);
  channels.push(channel);
  return channel;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkerChannel', () => {
  it('registers with a first report and answers obs:collect with the round', async () => {
    const proc = new FakeProcess();
    open(proc);
    await tick();
    expect(proc.sent).toMatchObject([{ type: 'obs:report', identity: { generation: 2 } }]);
    proc.emit('message', { type: 'obs:collect', round: 7 });
    await tick();
    expect(proc.sent[1]).toMatchObject({ type: 'obs:report', round: 7 });
  });

  it('resolves a query with the master answer and ignores other messages', async () => {
    const proc = new FakeProcess();
    const channel = open(proc);
    const health = channel.health();
    await tick();
    const query = proc.sent.find((m) => m.type === 'obs:query');
    expect(query).toMatchObject({ type: 'obs:query', kind: 'health' });
    proc.emit('message', { type: 'status' });
    proc.emit('message', { type: 'obs:answer', id: (query as { id: number }).id, health: { workers: 2, generation: 3, config_version: 'x', uptime_seconds: 9 } });
    expect(await health).toEqual({ workers: 2, generation: 3, config_version: 'x', uptime_seconds: 9 });
  });

  it('sends a final report and stops reporting', async () => {
    const proc = new FakeProcess();
    const channel = open(proc, 5);
    await channel.flushFinal();
    expect(proc.sent.at(-1)).toMatchObject({ type: 'obs:report', isFinal: true });
    const count = proc.sent.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(proc.sent.length).toBe(count);
  });

  it('rejects pending queries when it closes', async () => {
    const proc = new FakeProcess();
    const channel = open(proc);
    const summary = channel.summary();
    channel.close();
    await expect(summary).rejects.toMatchObject({ code: 'LL_OBS_CLOSED' });
    expect(reports).toBeGreaterThan(0);
  });
});
