/** Two ends of an in-process IPC pipe: a message sent on one arrives JSON-copied, a tick later, on the other (as cluster IPC delivers it). */
import { EventEmitter } from 'node:events';

export type PipeEnd = EventEmitter & { send(message: unknown): void };

export function ipcPipe(): [PipeEnd, PipeEnd] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const end = (self: EventEmitter, other: EventEmitter): PipeEnd =>
    Object.assign(self, { send: (m: unknown) => void setImmediate(() => other.emit('message', JSON.parse(JSON.stringify(m)))) });
  return [end(a, b), end(b, a)];
}
