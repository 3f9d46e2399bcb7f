/**
 * How a worker tells the operator something: it sends a `notify` message (src/core/notify-message.ts) to
 * the master, which de-duplicates across workers and posts it to the notification channels
 * (src/master/worker-notify.ts). A worker never calls a webhook itself. Without a master (in-process
 * mode, `--workers 0`) or once the channel has closed, the notification is dropped.
 */
import type { NotifyWorkerMessage } from '../core/notify-message.ts';

export type WorkerNotification = Omit<NotifyWorkerMessage, 'type'>;

/** What is needed of the channel to the master: a cluster worker's `process` fits. */
export interface MasterChannel {
  readonly connected?: boolean;
  send?(message: unknown): unknown;
}

/** Returns the function that sends a notification to the master over `channel`; it never throws. */
export function masterNotifier(channel: MasterChannel = process): (notification: WorkerNotification) => void {
  return (notification) => {
    if (channel.connected !== true) return;
    try {
      channel.send?.({ type: 'notify', ...notification } satisfies NotifyWorkerMessage);
    } catch {
      // The channel closed meanwhile: this worker is going away.
    }
  };
}
