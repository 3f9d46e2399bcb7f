/**
 * The master's control socket: a unix socket (mode 0600) answering `status`, `reload`, `quit`, `stop`
 * and `reopen` (control-protocol.ts). A stale socket file left by a crashed master is replaced; a live one
 * (another master answers) is an error, so two masters never share a control path.
 */
import { chmod, unlink } from 'node:fs/promises';
import net from 'node:net';
import { MasterError } from './master-error.ts';
import { MAX_CONTROL_LINE_BYTES, parseControlRequest } from './control-protocol.ts';
import type { ControlReply, ControlRequest } from './control-protocol.ts';

export type ControlHandler = (request: ControlRequest) => Promise<ControlReply>;

export interface ControlServer {
  readonly path: string;
  /**
   * Stops accepting and releases the path at once (libuv unlinks it when the handle closes). Requests
   * already being answered (a pending `upgrade`) still get their reply.
   */
  close(): void;
}

export async function startControlServer(path: string, handle: ControlHandler): Promise<ControlServer> {
  await removeStaleSocket(path);
  const server = net.createServer((socket) => serveConnection(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new MasterError('LL_CONTROL_SOCKET', `cannot listen on ${path}: ${(err as NodeJS.ErrnoException).code}`, { cause: err })));
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    path,
    close: () => {
      if (server.listening) server.close();
    },
  };
}

function serveConnection(socket: net.Socket, handle: ControlHandler): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  const reply = (answer: ControlReply): void => {
    socket.end(`${JSON.stringify(answer)}\n`);
  };
  const onData = (chunk: string): void => {
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (buffered.length > MAX_CONTROL_LINE_BYTES) reply({ ok: false, message: 'request line too long' });
      return;
    }
    socket.off('data', onData);
    let parsed: unknown;
    try {
      parsed = JSON.parse(buffered.slice(0, end));
    } catch {
      reply({ ok: false, message: 'expected one JSON line {"command": "..."}' });
      return;
    }
    const request = parseControlRequest(parsed);
    if (request === undefined) {
      reply({ ok: false, message: `unknown or malformed request ${JSON.stringify(parsed).slice(0, 200)}` });
      return;
    }
    handle(request).then(reply, (err: unknown) => reply({ ok: false, message: (err as Error).message }));
  };
  socket.on('data', onData);
}

async function removeStaleSocket(path: string): Promise<void> {
  const isLive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (isLive) throw new MasterError('LL_CONTROL_SOCKET', `another louailink master answers on ${path}`);
  await unlink(path).catch(() => undefined);
}
