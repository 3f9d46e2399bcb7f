/**
 * An SSE upstream the test drives event by event: streams stay open until the test ends them, so a test
 * can make them span reloads deterministically, however slow the machine is.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SseUpstream {
  readonly port: number;
  /** Streams currently open. */
  readonly openStreams: () => number;
  /** Sends `data: <data>` to every open stream. */
  send(data: string): void;
  /** Ends every open stream cleanly. */
  endAll(): void;
  close(): Promise<void>;
}

export async function startSseUpstream(): Promise<SseUpstream> {
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    streams.add(res);
    res.once('close', () => streams.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    openStreams: () => streams.size,
    send: (data) => {
      for (const res of streams) res.write(`data: ${data}\n\n`);
    },
    endAll: () => {
      for (const res of streams) res.end();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Reads an SSE response through the gateway: resolves with every `data:` value once the stream ends
 * cleanly; rejects on a reset or a non-200 answer. `onData` sees each value as it arrives.
 */
export function readSse(port: number, path: string, onData: (data: string) => void = () => undefined): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      const received: string[] = [];
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!line.startsWith('data: ')) continue;
          const data = line.slice('data: '.length);
          received.push(data);
          onData(data);
        }
      });
      res.on('end', () => resolve(received));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
