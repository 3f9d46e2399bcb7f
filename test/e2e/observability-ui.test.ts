/**
 * Issue 5 "done when": /metrics/ui in headless Chromium (Debian's chromium through playwright-core) shows
 * the cluster-wide usage of a known traffic pattern served by the real binary with 2 workers: requests
 * per location, the current concurrency while 3 slow requests are open and its peak afterwards, masked
 * gateway tokens. A screenshot is kept in test-results/.
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.ts';
import type { HeadlessBrowser } from '../helpers/chromium.ts';
import { freePort } from '../helpers/ports.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { startLouailink, stopAll, stopGracefully } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';

const METRICS_TOKEN = 'ui-metrics-token-42';
const CLIENT_TOKEN = 'sk-client-abcdefghijkl7f3e';
const SCREENSHOT = resolve(import.meta.dirname, '../../test-results/observability-ui.png');

let upstream: Server;
let releaseSlow: () => void = () => undefined;
let slowArrived = 0;
let dir: ConfigDir;
let gateway: LouailinkProcess;
let browser: HeadlessBrowser | undefined;
let port: number;

function startUpstream(): Promise<number> {
  const gate = new Promise<void>((r) => (releaseSlow = r));
  upstream = createServer((req, res) => {
    if (req.url?.startsWith('/slow')) {
      slowArrived++;
      void gate.then(() => res.writeHead(200).end('slow'));
      return;
    }
    res.writeHead(200).end('ok');
  });
  return new Promise((r) => upstream.listen(0, '127.0.0.1', () => r((upstream.address() as AddressInfo).port)));
}

async function get(path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close', ...headers } });
  await res.body.dump();
  return res.statusCode;
}

beforeAll(async () => {
  const upstreamPort = await startUpstream();
  port = await freePort();
  dir = await createConfigDir();
  await dir.write(`basic:
  workers: 2
  log_level: info
servers:
  main:
    listen: 127.0.0.1:${port}
    locations: [api, slow, web]
locations:
  api: { path: /api, upstream: backend }
  slow: { path: /slow, upstream: backend }
  web: { path: /, upstream: backend }
upstreams:
  backend: { targets: ["127.0.0.1:${upstreamPort}"] }
observability:
  metrics: { token: ${METRICS_TOKEN} }
`);
  gateway = startLouailink(['-c', dir.path]);
  await gateway.waitForLog((line) => line.msg === 'louailink started', 20_000);
  browser = await launchChromium();
}, 45_000);

afterAll(async () => {
  releaseSlow();
  await browser?.close();
  await stopGracefully(gateway);
  await stopAll();
  await new Promise((r) => upstream.close(r));
  await dir?.remove();
});

/** The text of one cell of the page's tables. */
async function cellText(table: string, key: string, field: string): Promise<string> {
  const page = (browser as HeadlessBrowser).page;
  return page.locator(`#${table} tr[data-key="${key}"] td[data-field="${field}"]`).innerText();
}

/** Opens the page (first time: the token in the URL fragment, which the page keeps), or reloads it. */
async function loadUi(isFirst: boolean): Promise<void> {
  const page = (browser as HeadlessBrowser).page;
  if (isFirst) await page.goto(`http://127.0.0.1:${port}/metrics/ui#token=${METRICS_TOKEN}`);
  else await page.reload();
  await page.waitForSelector('#locations tr[data-key]', { timeout: 10_000 });
}

describe('/metrics/ui in headless Chromium', () => {
  it('shows requests per location, concurrency and its peak, and masked tokens', async () => {
    for (let i = 0; i < 4; i++) expect(await get(`/api/${i}`, { authorization: `Bearer ${CLIENT_TOKEN}` })).toBe(200);
    for (let i = 0; i < 2; i++) expect(await get(`/page/${i}`)).toBe(200);
    const slow = [0, 1, 2].map((i) => get(`/slow/${i}`));
    const deadline = Date.now() + 10_000;
    while (slowArrived < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(slowArrived).toBe(3);

    await loadUi(true);
    expect(await cellText('locations', 'slow', 'concurrency')).toBe('3');
    expect(await cellText('locations', 'api', 'requests_1h')).toBe('4');
    expect(await cellText('locations', 'web', 'requests_24h')).toBe('2');

    releaseSlow();
    expect(await Promise.all(slow)).toEqual([200, 200, 200]);
    await loadUi(false);
    expect(await cellText('locations', 'slow', 'concurrency')).toBe('0');
    expect(await cellText('locations', 'slow', 'peak_concurrency_1h')).toBe('3');
    expect(await cellText('locations', 'slow', 'requests_1h')).toBe('3');
    expect(await cellText('tokens', 'sk-client-…7f3e', 'requests_1h')).toBe('4');
    const page = (browser as HeadlessBrowser).page;
    expect(await page.locator('#meta').innerText()).toContain('2 workers');
    expect(await page.content()).not.toContain(CLIENT_TOKEN);
    await mkdir(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 60_000);

  it('asks for the metrics token when it has none', async () => {
    const page = (browser as HeadlessBrowser).page;
    await page.evaluate(() => localStorage.clear());
    await page.goto(`http://127.0.0.1:${port}/metrics/ui`);
    await page.waitForSelector('#token-form:not([hidden])', { timeout: 10_000 });
    expect(await page.locator('#error').innerText()).toContain('token');
  }, 30_000);
});
