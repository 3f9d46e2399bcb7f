/** `louailink -s COMMAND`: sends one command to a running master's control socket and returns its reply. */
import net from 'node:net';
import type { ControlReply, ControlRequest } from './control-protocol.ts';

/** `unreachable`: nothing listens on the path (no master runs for this config). */
export type ControlResult = ControlReply & { readonly isUnreachable?: boolean };

export async function sendControlRequest(path: string, request: ControlRequest, timeoutMs = 60_000): Promise<ControlResult> {
  return await new Promise<ControlResult>((resolve) => {
    const socket = net.connect(path);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, message: `no answer from ${path} within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (buffered += chunk));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffered) as ControlReply);
      } catch {
        resolve({ ok: false, message: `unreadable answer from ${path}` });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const isUnreachable = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      const hint = isUnreachable ? ' (is louailink running with this config?)' : '';
      resolve({ ok: false, message: `cannot reach the master at ${path}: ${err.code ?? err.message}${hint}`, isUnreachable });
    });
  });
}
