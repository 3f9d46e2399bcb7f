/** Small HTTP helpers for the driver: readiness probes and the mock's open-stream counter. */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProbeResult {
  status: number;
  body: string;
  /** Response headers (lower-case names). */
  headers: http.IncomingHttpHeaders;
}

/** One request on a new connection (`connection: close`). */
export async function httpCall(port: number, method: string, path: string, body?: string, timeoutMs = 2000,
  headers: Readonly<Record<string, string>> = {}): Promise<ProbeResult> {
  return await new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent: false, timeout: timeoutMs,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Polls until a non-streaming completion through `port` answers 200, or `timeoutMs` passes. `headers` go with
 * each probe (a gateway key where key-auth guards the route).
 */
export async function waitUntilServing(port: number, timeoutMs: number, isAlive: () => boolean,
  headers: Readonly<Record<string, string>> = {}): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) return `exited before serving (${last})`;
    try {
      const res = await httpCall(port, 'POST', '/v1/chat/completions', '{"model":"mock-n1-d0","messages":[{"role":"user","content":"ready?"}]}', 1000, headers);
      if (res.status === 200 && res.body.includes('chat.completion')) return undefined;
      last = `status ${res.status}: ${res.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  return `not serving after ${timeoutMs} ms (${last})`;
}

/** Number of SSE streams the mock has open right now. */
export async function readOpenStreams(mockPort: number): Promise<number> {
  const res = await httpCall(mockPort, 'GET', '/_open');
  return Number(res.body);
}
