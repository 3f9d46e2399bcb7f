/**
 * The lease protocol over an IPC channel (a node:cluster Worker in the master, `process` in a worker).
 * Both sides ignore every other message, so they sit next to the master/worker protocol of core/ipc.ts.
 */
import { LeaseCache } from './lease-cache.ts';
import { LeaseLedger } from './lease-ledger.ts';
import { isLeaseGrantMessage, isLeaseRequestMessage } from './lease-protocol.ts';

/** What the lease code needs of a channel: `process` and `cluster.Worker` both fit. */
export interface LeaseChannel {
  send?(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * Master side: answers the lease requests of one worker from `ledger`. `workerCount` is read per request
 * (live workers of the serving generation). Returns a function that detaches the listener.
 */
export function serveLeases(ledger: LeaseLedger, channel: LeaseChannel, workerCount: () => number): () => void {
  const listener = (message: unknown): void => {
    if (!isLeaseRequestMessage(message)) return;
    channel.send?.(ledger.grant(message, workerCount()));
  };
  channel.on('message', listener);
  return () => channel.off('message', listener);
}

/** Worker side: a LeaseCache whose requests go to the master over `channel` and whose grants come back on it. */
export function connectLeaseCache(channel: LeaseChannel, now: () => number = Date.now): LeaseCache {
  const cache = new LeaseCache((request) => channel.send?.(request), now);
  channel.on('message', (message: unknown) => {
    if (isLeaseGrantMessage(message)) cache.onGrant(message);
  });
  return cache;
}
