/**
 * Traffic for the limit e2e tests: requests on fresh connections (so they land on whichever worker
 * accepts next), streamed chat completions with their usage, and the pids that served admitted requests
 * (from an access log written as `$pid $status $uri`).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';

export interface TimedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Date.now() when the request was sent and when its response had fully arrived. */
  readonly sentAtMs: number;
  readonly doneAtMs: number;
}

/** One request on a new connection (`connection: close`). */
export function send(port: number, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<TimedResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const sentAtMs = Date.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: timeoutMs,
        headers: { connection: 'close', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, sentAtMs, doneAtMs: Date.now() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A streamed chat completion that asks for usage (`stream_options.include_usage`). */
export function streamChat(port: number, content: string): Promise<TimedResponse> {
  return send(port, 'POST', '/v1/chat/completions', {
    model: 'm',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content }],
  });
}

/** total_tokens of the usage chunk of an OpenAI SSE body (undefined when there is none). */
export function streamedTotalTokens(sse: string): number | undefined {
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const usage = (JSON.parse(line.slice(6)) as { usage?: { total_tokens?: number } | null }).usage;
    if (typeof usage?.total_tokens === 'number') return usage.total_tokens;
  }
  return undefined;
}

/** Pids of the access-log lines (`$pid $status $uri`) with `status` for `uri`, once `count` such lines are there. */
export async function servingPids(file: string, status: number, uri: string, count: number, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = (await readFile(file, 'utf8').catch(() => ''))
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, s, u]) => s === String(status) && u === uri);
    if (lines.length >= count || Date.now() > deadline) return lines.map(([pid]) => Number(pid));
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves at `atMs` (epoch ms); at once when it has passed. */
export function until(atMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));
}
