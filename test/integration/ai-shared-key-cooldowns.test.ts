/**
 * Key cooldowns shared by workers, in one process: two gateways stand for two workers, each with its own
 * key store linked to one master-side KeyStateHub over an asynchronous JSON pipe (as cluster IPC delivers
 * it). A 429 for key A seen by one worker keeps every worker off key A; a worker started later (a new
 * generation) gets the map when it links.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdFor } from '../../src/ai/routing/key-ring.ts';
import { LocalKeyStateStore, processKeyStateStore, setProcessKeyStateStore } from '../../src/ai/routing/key-state-store.ts';
import { linkKeyStates, type KeyStateLink } from '../../src/ai/routing/key-state-link.ts';
import type { KeyStateMasterMessage } from '../../src/core/provider-state.ts';
import { KeyStateHub } from '../../src/master/key-state-service.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { ipcPipe } from '../helpers/ipc-pipe.ts';
import { rateLimited, startOpenAiMock, text, type MockUpstream } from '../mock-upstreams/index.ts';

const KEY_A = 'sk-shared-a';
const KEY_B = 'sk-shared-b';
const ID_A = keyIdFor('up', KEY_A);

let mock: MockUpstream;
const hub = new KeyStateHub();
const original = processKeyStateStore();
const gateways: TestGateway[] = [];
const links: KeyStateLink[] = [];
const stores: LocalKeyStateStore[] = [];
/** Messages sent over every pipe, both directions. */
let ipcMessages = 0;

/** A "worker": its own store linked to the hub, and a gateway compiled with that store. */
async function startWorker(): Promise<{ gateway: TestGateway; store: LocalKeyStateStore }> {
  const [masterEnd, workerEnd] = ipcPipe();
  for (const end of [masterEnd, workerEnd]) {
    const send = end.send;
    end.send = (message: unknown) => {
      ipcMessages++;
      send(message);
    };
  }
  const peer = { send: (message: KeyStateMasterMessage) => masterEnd.send(message) };
  masterEnd.on('message', (message: unknown) => hub.receive(peer, message));
  const store = new LocalKeyStateStore();
  const link = linkKeyStates(store, workerEnd);
  links.push(link);
  stores.push(store);
  await link.synced;
  setProcessKeyStateStore(store);
  try {
    const gateway = await startTestGateway({
      servers: { main: { locations: ['ai'] } },
      locations: { ai: { path: '/v1', ai: { expose_selection: true } } },
      providers: { up: { type: 'openai', base_url: mock.url, keys: [KEY_A, KEY_B] } },
      models: { m: { providers: { up: 'gpt-4o-mini' } } },
    });
    gateways.push(gateway);
    return { gateway, store };
  } finally {
    setProcessKeyStateStore(original);
  }
}

async function chat(gateway: TestGateway): Promise<{ status: number; keyId: unknown }> {
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.body.text();
  return { status: res.statusCode, keyId: res.headers['x-louai-key-id'] };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const requestsWith = (key: string): number => mock.requests.filter((r) => r.key === key).length;

beforeAll(async () => {
  mock = await startOpenAiMock({ keys: [KEY_A, KEY_B], script: text('ok') });
  mock.setScript(rateLimited(120), { key: KEY_A });
});

afterAll(async () => {
  for (const link of links) link.close();
  await Promise.all(gateways.map((g) => g.close()));
  await mock?.close();
});

describe('key cooldowns shared through the master', () => {
  it('keeps every worker off a key once one worker saw it fail', async () => {
    const first = await startWorker();
    const second = await startWorker();
    // Both rings start at key A: without sharing, each worker would send it once.
    expect(await chat(first.gateway)).toEqual({ status: 200, keyId: keyIdFor('up', KEY_B) });
    expect(requestsWith(KEY_A)).toBe(1);
    await until(() => second.store.coolingUntil(ID_A) > Date.now());
    const messagesBefore = ipcMessages;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => chat((i % 2 === 0 ? second : first).gateway)));
    expect(answers.every((a) => a.status === 200 && a.keyId === keyIdFor('up', KEY_B))).toBe(true);
    expect(requestsWith(KEY_A)).toBe(1);
    // Requests that change no cooldown send nothing to the master.
    expect(ipcMessages).toBe(messagesBefore);
    // The retry-after of the 429 (120 s) is the cooldown everywhere, master included.
    const until120 = hub.cooldowns().find((c) => c.keyId === ID_A)?.untilMs ?? 0;
    expect(until120 - Date.now()).toBeGreaterThan(100_000);
    expect(second.store.coolingUntil(ID_A)).toBe(until120);
  });

  it('hands the current map to a worker that starts later, before it serves', async () => {
    const late = await startWorker();
    expect(late.store.coolingUntil(ID_A)).toBeGreaterThan(Date.now());
    const before = requestsWith(KEY_A);
    expect(await chat(late.gateway)).toEqual({ status: 200, keyId: keyIdFor('up', KEY_B) });
    expect(requestsWith(KEY_A)).toBe(before);
  });

  it('shows the shared state in the master snapshot, every worker store, the gauge and the summary alike', async () => {
    const view = hub.snapshot().find((v) => v.key_id === ID_A);
    expect(view).toMatchObject({ provider: 'up', state: 'cooling_down', reason: '429' });
    for (const store of stores) expect(store.coolingUntil(ID_A)).toBe(Date.parse(view?.cooling_down_until ?? ''));
    // The second worker never sent key A itself: what it reports comes from the shared map.
    const second = gateways[1];
    const metrics = await (await request(`${second?.url}/metrics`)).body.text();
    expect(metrics).toContain(`louailink_ai_key_cooldown{provider="up",key_id="${ID_A}"} 1`);
    expect(metrics).toContain(`louailink_ai_key_cooldown{provider="up",key_id="${keyIdFor('up', KEY_B)}"} 0`);
    const summary = (await (await request(`${second?.url}/metrics/summary`)).body.json()) as { keys: unknown[] };
    expect(summary.keys).toContainEqual({ provider: 'up', key_id: ID_A, state: 'cooling_down', cooling_down_until: view?.cooling_down_until });
    expect(metrics + JSON.stringify(summary)).not.toContain(KEY_A);
  });
});
