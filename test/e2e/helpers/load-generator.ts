/**
 * A closed-loop HTTP load generator for the e2e tests: `concurrency` loops, each sending the next request
 * as soon as the previous one finished, either over keep-alive connections or with `Connection: close`.
 * Every request that does not end in a complete response with the expected status counts as failed, with
 * its error code, so a test can assert "0 failed requests" and print what went wrong otherwise.
 */
import http from 'node:http';

export interface LoadOptions {
  readonly port: number;
  readonly path: string;
  readonly keepAlive: boolean;
  readonly concurrency: number;
  /** Per request; a request still unanswered after it counts as failed. */
  readonly timeoutMs?: number;
}

export interface LoadResult {
  readonly ok: number;
  readonly failed: number;
  /** Error code or `status <n>` → count. */
  readonly failures: Readonly<Record<string, number>>;
  /** Distinct response bodies seen, in order of first appearance. */
  readonly bodies: readonly string[];
}

export interface RunningLoad {
  /** Requests completed so far (ok + failed). */
  readonly count: () => number;
  readonly stop: () => Promise<LoadResult>;
}

export function startLoad(options: LoadOptions): RunningLoad {
  const agent = new http.Agent({ keepAlive: options.keepAlive, maxSockets: options.concurrency });
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const bodies = new Set<string>();
  let isRunning = true;
  const fail = (key: string): void => {
    failed += 1;
    failures[key] = (failures[key] ?? 0) + 1;
  };
  const one = (): Promise<void> =>
    new Promise((done) => {
      let isSettled = false;
      const resolve = (): void => {
        isSettled = true;
        done();
      };
      const req = http.request(
        {
          host: '127.0.0.1',
          port: options.port,
          path: options.path,
          agent,
          headers: options.keepAlive ? {} : { connection: 'close' },
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            if (isSettled) return;
            if (res.statusCode === 200) {
              ok += 1;
              bodies.add(body);
            } else fail(`status ${res.statusCode}`);
            resolve();
          });
          res.on('error', (err: NodeJS.ErrnoException) => {
            if (isSettled) return;
            fail(err.code ?? err.message);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (isSettled) return;
        fail(err.code ?? err.message);
        resolve();
      });
      req.end();
    });
  const loop = async (): Promise<void> => {
    while (isRunning) await one();
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  return {
    count: () => ok + failed,
    stop: async () => {
      isRunning = false;
      await Promise.all(loops);
      agent.destroy();
      return { ok, failed, failures: { ...failures }, bodies: [...bodies] };
    },
  };
}
