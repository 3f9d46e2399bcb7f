/**
 * The worker's end of the shared key cooldowns (protocol in src/core/provider-state.ts, the master's end in
 * src/master/key-state-service.ts). A cooldown decided in this worker is already in its store when it is
 * reported, so the next request here skips the key without waiting for the master; the master's
 * broadcasts are merged without being reported back. Reads never touch the channel.
 */
import { isKeyStateMasterMessage, type KeyStateWorkerMessage } from '../../core/provider-state.ts';
import { processKeyStateStore, type LocalKeyStateStore } from './key-state-store.ts';

/** What the link needs of a channel: a cluster worker's `process` fits, and so does a test pipe. */
export interface KeyStateChannel {
  readonly connected?: boolean;
  send?(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface KeyStateLink {
  /**
   * Settles once the master's whole map has arrived, or after `syncTimeoutMs` (then the worker serves with
   * what it has and merges the map whenever it comes). Never rejects.
   */
  readonly synced: Promise<void>;
  /** Detaches from the store and the channel. */
  close(): void;
}

/** Far longer than one IPC round trip; only a master that never answers (none, or an old one) reaches it. */
const DEFAULT_SYNC_TIMEOUT_MS = 2_000;

export function linkKeyStates(store: LocalKeyStateStore, channel: KeyStateChannel, syncTimeoutMs = DEFAULT_SYNC_TIMEOUT_MS): KeyStateLink {
  const send = (message: KeyStateWorkerMessage): void => {
    if (channel.connected === false) return;
    try {
      channel.send?.(message);
    } catch {
      // The channel closed meanwhile: this worker is going away; its own store stays correct.
    }
  };
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  const timer = setTimeout(() => markSynced(), syncTimeoutMs);
  timer.unref();
  const onMessage = (message: unknown): void => {
    if (!isKeyStateMasterMessage(message)) return;
    store.merge(message.cooldowns);
    if (message.isFull) {
      clearTimeout(timer);
      markSynced();
    }
  };
  channel.on('message', onMessage);
  store.onCoolDown((cooldown) => send({ type: 'keys:cool-down', cooldowns: [cooldown] }));
  send({ type: 'keys:subscribe' });
  return {
    synced,
    close: () => {
      clearTimeout(timer);
      markSynced();
      store.onCoolDown(null);
      channel.off('message', onMessage);
    },
  };
}

/** Links this process's store (processKeyStateStore) to the master over `channel` (a cluster worker's `process`). */
export function linkProcessKeyStates(channel: KeyStateChannel): KeyStateLink {
  return linkKeyStates(processKeyStateStore(), channel);
}
