/**
 * Shared key cooldowns with the real binary: master + 2 workers in front of a mock OpenAI upstream that
 * answers 429 for key A (one of the keys is written encrypted, `enc:v1:`, and reaches the mock in clear).
 * After the first 429 on any worker, no worker of this generation nor of the next one (after a reload)
 * sends key A again while its cooldown lasts: the mock counts requests per key, the access log names the
 * worker (pid) that served each request.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdFor } from '../../src/core/provider-state.ts';
import { encryptSecret } from '../../src/config/secret-box.ts';
import { freePort } from '../helpers/ports.ts';
import { rateLimited, slowFirstByte, startOpenAiMock, text, type MockUpstream } from '../mock-upstreams/index.ts';
import { createConfigDir, type ConfigDir } from './helpers/config-dir.ts';
import { childPids, startLouailink, stopAll, type LouailinkProcess, stopGracefully } from './helpers/louailink-process.ts';

const KEY_A = 'sk-e2e-shared-a';
const KEY_B = 'sk-e2e-shared-b';
const ID_B = keyIdFor('up', KEY_B);
const MASTER_KEY = randomBytes(32).toString('base64');

let mock: MockUpstream;
let dir: ConfigDir;
let port: number;
let gateway: LouailinkProcess;

const config = (name: string): string => `basic: { name: ${name}, workers: 2, log_level: info }
servers:
  main: { listen: 127.0.0.1:${port}, locations: [ai] }
locations:
  ai: { path: /v1, ai: { expose_selection: true } }
providers:
  up: { type: openai, base_url: "${mock.url}", keys: ["${encryptSecret(KEY_A, Buffer.from(MASTER_KEY, 'base64'))}", ${KEY_B}] }
models:
  m: { providers: { up: gpt-4o-mini } }
observability:
  access_log: { format: '$pid $status', file: logs/access.log }
`;

beforeAll(async () => {
  mock = await startOpenAiMock({ keys: [KEY_A, KEY_B], script: text('ok') });
  mock.setScript(rateLimited(300), { key: KEY_A });
  // The first success answers late, so the cooldown has reached every worker long before the client
  // can send its next request (IPC takes microseconds; this only guards a loaded machine).
  mock.setScript(slowFirstByte(150, text('ok')), { key: KEY_B, times: 1 });
  port = await freePort();
  dir = await createConfigDir();
  await dir.write(config('first'));
  gateway = startLouailink(['-c', dir.path], { LOUAILINK_MASTER_KEY: MASTER_KEY });
  await gateway.waitForLog((line) => line.msg === 'louailink started', 30_000);
}, 60_000);

afterAll(async () => {
  await stopGracefully(gateway);
  await stopAll();
  await mock?.close();
  await dir?.remove();
});

/** One chat request on a fresh connection, so it lands on whichever worker accepts next. */
function chat(): Promise<{ status: number; keyId: string | undefined }> {
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent: false, timeout: 10_000, headers: { connection: 'close', 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, keyId: res.headers['x-louai-key-id'] as string | undefined }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('chat timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Pids of the workers that served 200s so far, from the access log. */
async function servingPids(): Promise<Set<number>> {
  const text = await readFile(join(dir.path, 'logs/access.log'), 'utf8').catch(() => '');
  return new Set(text.split('\n').filter((line) => line.endsWith(' 200')).map((line) => Number(line.split(' ')[0])));
}

/**
 * Batches of concurrent requests until every pid in `workers` has served one (deadline, bounded); every
 * answer must come from key B.
 */
async function driveUntilServedBy(workers: readonly number[]): Promise<number> {
  const deadline = Date.now() + 30_000;
  let sent = 0;
  for (;;) {
    const answers = await Promise.all(Array.from({ length: 6 }, () => chat()));
    sent += answers.length;
    expect(answers.every((a) => a.status === 200 && a.keyId === ID_B)).toBe(true);
    const served = await servingPids();
    if (workers.every((pid) => served.has(pid))) return sent;
    if (Date.now() > deadline || sent > 600) throw new Error(`workers ${workers.join(',')} not all served; seen ${[...served].join(',')}`);
  }
}

const requestsWith = (key: string): number => mock.requests.filter((r) => r.key === key).length;

function workerPidsOf(line: { pids?: unknown }): number[] {
  return Array.isArray(line.pids) ? line.pids.filter((pid): pid is number => typeof pid === 'number') : [];
}

describe('key cooldowns across the workers of the real binary', () => {
  it('sends key A once: after its 429 on one worker, no worker uses it', async () => {
    expect(await chat()).toEqual({ status: 200, keyId: ID_B });
    expect(requestsWith(KEY_A)).toBe(1);
    const workers = await childPids(gateway.pid);
    expect(workers).toHaveLength(2);
    await driveUntilServedBy(workers);
    expect(requestsWith(KEY_A)).toBe(1);
  });

  it('keeps the cooldown across a reload: the new generation never sends key A either', async () => {
    await dir.write(config('second'));
    gateway.signal('SIGHUP');
    const reloaded = await gateway.waitForLog((line) => line.event === 'reload_config' && line.generation === 2 && Array.isArray(line['pids']));
    const newWorkers = workerPidsOf(reloaded as { pids?: unknown });
    expect(newWorkers).toHaveLength(2);
    await driveUntilServedBy(newWorkers);
    expect(requestsWith(KEY_A)).toBe(1);
    expect(requestsWith(KEY_B)).toBeGreaterThan(2);
  });

  it('keeps both keys out of the logs', () => {
    const everything = JSON.stringify(gateway.logs) + gateway.text.join('\n');
    expect(everything).not.toContain(KEY_A);
    expect(everything).not.toContain(KEY_B);
  });
});
