/**
 * A worker's end of the management messages (admin-messages.ts): sends an operation to the master and
 * resolves with its reply. A change answers only once the new generation serves, so the wait is long;
 * a master that never answers (it is stopping) ends in 504.
 */
import { isAdminReplyMessage } from './admin-messages.ts';
import type { Actor, AdminRequestMessage, ManagementOp, ManagementReply } from './admin-messages.ts';

/** Longer than a reload can take: the workers' ready timeout (30 s) twice, for a coalesced follow-up reload. */
const REPLY_TIMEOUT_MS = 90_000;

/** What the client needs of a channel: a cluster worker's `process` fits, and so does a test pipe. */
export interface AdminChannel {
  readonly connected?: boolean;
  send?(message: unknown, callback?: (err: Error | null) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface ManagementClient {
  request(op: ManagementOp, actor: Actor): Promise<ManagementReply>;
  close(): void;
}

interface Waiter {
  readonly resolve: (reply: ManagementReply) => void;
  readonly timer: NodeJS.Timeout;
}

export function createManagementClient(channel: AdminChannel, timeoutMs = REPLY_TIMEOUT_MS): ManagementClient {
  const pending = new Map<number, Waiter>();
  let nextId = 1;
  const onMessage = (message: unknown): void => {
    if (!isAdminReplyMessage(message)) return;
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    clearTimeout(waiter.timer);
    waiter.resolve({ status: message.status, body: message.body });
  };
  channel.on('message', onMessage);
  return {
    request(op, actor) {
      if (channel.connected === false || channel.send === undefined) {
        return Promise.resolve(unavailable(503, 'management_unavailable', 'the master is not reachable'));
      }
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(unavailable(504, 'management_timeout', `the master did not answer within ${Math.round(timeoutMs / 1000)} s; the change may still be applied`));
        }, timeoutMs);
        pending.set(id, { resolve, timer });
        const message: AdminRequestMessage = { type: 'admin:request', id, op, actor };
        try {
          channel.send?.(message);
        } catch {
          pending.delete(id);
          clearTimeout(timer);
          resolve(unavailable(503, 'management_unavailable', 'the master is not reachable'));
        }
      });
    },
    close() {
      channel.off('message', onMessage);
      for (const waiter of pending.values()) {
        clearTimeout(waiter.timer);
        waiter.resolve(unavailable(503, 'management_unavailable', 'the worker is stopping'));
      }
      pending.clear();
    },
  };
}

function unavailable(status: number, error: string, message: string): ManagementReply {
  return { status, body: { error, message } };
}
