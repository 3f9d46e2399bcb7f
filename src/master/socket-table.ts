/**
 * The master's listening sockets, by canonical address key ("127.0.0.1:8080"). Each is bound once with
 * `net.BoundSocket` (bound, so the port is reserved, but never accepted on in the master) and adopted by a
 * `net.Socket` that keeps it open for the master's whole life, across worker crashes and generations.
 * Workers get the raw handle (`socket._handle`) over IPC and call `server.listen(handle)`: they accept
 * directly on the one shared socket, so the kernel accept queue is shared and survives any worker
 * (zero-downtime.md §7.1, pitfalls 4 and 8). `_handle` is internal: `rawHandleOf` checks its shape.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { SendHandle } from 'node:child_process';
import type { ListenAddress } from '../config/listen-address.ts';
import { MasterError } from './master-error.ts';

interface RawTcpHandle {
  readonly fd: number;
}

export class SocketTable {
  readonly #sockets = new Map<string, net.Socket>();

  get keys(): readonly string[] {
    return [...this.#sockets.keys()];
  }

  has(key: string): boolean {
    return this.#sockets.has(key);
  }

  /**
   * Binds every address not bound yet. All or nothing: when one bind fails, the ones bound by this call are
   * released and the error (code LL_BIND_FAILED, cause with the errno code) is thrown.
   */
  async bindMissing(addresses: readonly ListenAddress[]): Promise<string[]> {
    const added: string[] = [];
    try {
      for (const address of addresses) {
        if (this.#sockets.has(address.key)) continue;
        this.#sockets.set(address.key, await bindSocket(address));
        added.push(address.key);
      }
    } catch (err) {
      for (const key of added) this.release(key);
      throw err;
    }
    return added;
  }

  /**
   * Adopts a listening socket inherited from a predecessor master (its fd number in this process). The
   * socket is the predecessor's very socket, so both share one accept queue.
   */
  adopt(key: string, fd: number): void {
    if (this.#sockets.has(key)) throw new MasterError('LL_BIND_FAILED', `${key} is already in the socket table`);
    const socket = new net.Socket({ fd, readable: false, writable: false });
    rawHandleOf(socket);
    this.#sockets.set(key, socket);
  }

  /** The file descriptor of a socket, to pass to a successor master. */
  fdOf(key: string): number {
    const socket = this.#sockets.get(key);
    if (socket === undefined) throw new MasterError('LL_BIND_FAILED', `no socket bound for ${key}`);
    return rawHandleOf(socket).fd;
  }

  /** The raw handle to send with `worker.send(msg, handle)`; the master keeps its own copy. */
  handleOf(key: string): SendHandle {
    const socket = this.#sockets.get(key);
    if (socket === undefined) throw new MasterError('LL_BIND_FAILED', `no socket bound for ${key}`);
    return rawHandleOf(socket) as unknown as SendHandle;
  }

  /** Closes the master's copy. Workers still listening on their own copy keep accepting until they close. */
  release(key: string): void {
    const socket = this.#sockets.get(key);
    if (socket === undefined) return;
    this.#sockets.delete(key);
    socket.destroy();
  }

  releaseAll(): void {
    for (const key of this.keys) this.release(key);
  }
}

async function bindSocket(address: ListenAddress): Promise<net.Socket> {
  if (typeof net.BoundSocket !== 'function') {
    throw new MasterError('LL_HANDLE_UNSUPPORTED', `net.BoundSocket is missing in Node ${process.version}; the master needs Node >= 24.19`);
  }
  const host = net.isIP(address.host) === 0 ? (await lookup(address.host)).address : address.host;
  let bound: net.BoundSocket;
  try {
    bound = new net.BoundSocket({ host, port: address.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    throw new MasterError('LL_BIND_FAILED', `cannot bind ${address.key}: ${code}`, { cause: err });
  }
  const socket = new net.Socket({ handle: bound, readable: false, writable: false });
  rawHandleOf(socket);
  return socket;
}

function rawHandleOf(socket: net.Socket): RawTcpHandle {
  const handle = (socket as unknown as { _handle?: unknown })._handle;
  if (!isRawTcpHandle(handle)) {
    throw new MasterError('LL_HANDLE_UNSUPPORTED', `Node ${process.version} does not expose the raw TCP handle of a bound socket`);
  }
  return handle;
}

function isRawTcpHandle(value: unknown): value is RawTcpHandle {
  return typeof value === 'object' && value !== null && typeof (value as { fd?: unknown }).fd === 'number'
    && (value as { fd: number }).fd >= 0 && value.constructor?.name === 'TCP';
}
