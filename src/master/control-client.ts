/** `louailink -s COMMAND`: sends one command to a running master's control socket and returns its reply. */
import net from 'node:net';
import type { ControlCommand, ControlReply } from './control-protocol.ts';

export async function sendControlCommand(path: string, command: ControlCommand, timeoutMs = 60_000): Promise<ControlReply> {
  return await new Promise<ControlReply>((resolve) => {
    const socket = net.connect(path);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, message: `no answer from ${path} within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ command })}\n`));
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
      const hint = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? ' (is louailink running with this config?)' : '';
      resolve({ ok: false, message: `cannot reach the master at ${path}: ${err.code ?? err.message}${hint}` });
    });
  });
}
