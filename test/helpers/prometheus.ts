/**
 * A real Prometheus (Debian's `prometheus` binary) for integration tests: 127.0.0.1 on a free port, a
 * temporary storage directory, a 1 s scrape interval of one target (components.md §3). `stop()` sends
 * SIGTERM to its pid and removes the directory. Values are read through the HTTP query API.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from './ports.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface PrometheusOptions {
  /** "127.0.0.1:PORT" of the scraped target. */
  readonly target: string;
  readonly metricsPath?: string;
  readonly bearerToken?: string;
}

export interface RunningPrometheus {
  readonly url: string;
  /** The value of an instant query with one result, or undefined while it has none. */
  query(promql: string): Promise<number | undefined>;
  /** Polls `promql` until it equals `expected` (or `timeoutMs` passes); returns the last value seen. */
  waitForValue(promql: string, expected: number, timeoutMs?: number): Promise<number | undefined>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'louai-test-prom-'));
  const port = await freePort();
  const scrape = [
    'global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: louailink',
    `    metrics_path: ${options.metricsPath ?? '/metrics'}`,
    ...(options.bearerToken === undefined ? [] : ['    authorization:', `      credentials: ${options.bearerToken}`]),
    `    static_configs: [ { targets: ['${options.target}'] } ]`,
  ];
  await writeFile(join(dir, 'prometheus.yml'), `${scrape.join('\n')}\n`);
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await request(`${url}/-/ready`);
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus did not become ready: ${stderr}`);
    }
    await sleep(100);
  }

  const query = async (promql: string): Promise<number | undefined> => {
    const res = await request(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.body.json()) as { data?: { result?: { value?: [number, string] }[] } };
    const results = body.data?.result ?? [];
    if (results.length !== 1) return undefined;
    const value = results[0]?.value?.[1];
    return value === undefined ? undefined : Number(value);
  };

  return {
    url,
    query,
    async waitForValue(promql, expected, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last: number | undefined;
      while (Date.now() < until) {
        last = await query(promql);
        if (last === expected) return last;
        await sleep(250);
      }
      return last;
    },
    stop,
  };
}
