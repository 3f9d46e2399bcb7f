/**
 * The limit protocol over an IPC channel (a node:cluster Worker in the master, `process` in a worker).
 * Both sides ignore every other message, so they sit next to the master/worker protocol of core/ipc.ts.
 */
import { isMasterMessage } from '../core/ipc.ts';
import { ClusterCounterStore } from './cluster-counter-store.ts';
import { setProcessCounterStore } from './counter-store.ts';
import { LeaseCache } from './lease-cache.ts';
import type { LeaseLedger } from './lease-ledger.ts';
import { isLeaseGrantMessage, isLeaseRequestMessage, isTokenCountMessage } from './lease-protocol.ts';
import type { LimitMasterMessage, LimitPeer, LimitServer } from './limit-server.ts';
import { SlotCache } from './slot-cache.ts';
import { isSlotGrantMessage, isSlotReclaimMessage } from './slot-protocol.ts';
import { TokenCountCache } from './token-count-cache.ts';

/** What the limit code needs of a channel: `process` and `cluster.Worker` both fit. */
export interface LeaseChannel {
  send?(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A worker's end that also tells when the master is gone (`process` in a cluster worker). */
export interface WorkerLimitChannel extends LeaseChannel {
  once(event: 'disconnect', listener: () => void): unknown;
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

/**
 * Master side: answers every limit message of one worker from `server`, as peer `peerId`; `broadcast`
 * reaches every worker (token limit reached). Returns a function that detaches the listener and frees
 * what the worker held.
 */
export function serveLimits(
  server: LimitServer,
  channel: LeaseChannel,
  peerId: string,
  workerCount: () => number,
  broadcast: (notice: LimitMasterMessage) => void,
): () => void {
  const peer: LimitPeer = { id: peerId, send: (message) => void channel.send?.(message) };
  const listener = (message: unknown): void => void server.handle(message, peer, broadcast, workerCount);
  channel.on('message', listener);
  return () => {
    channel.off('message', listener);
    server.forget(peerId);
  };
}

/** Worker side: a LeaseCache whose requests go to the master over `channel` and whose grants come back on it. */
export function connectLeaseCache(channel: LeaseChannel, now: () => number = Date.now): LeaseCache {
  const cache = new LeaseCache((request) => channel.send?.(request), now);
  channel.on('message', (message: unknown) => {
    if (isLeaseGrantMessage(message)) cache.onGrant(message);
  });
  return cache;
}

/** The master's `drain` (core/ipc.ts): this worker's generation is being replaced. */
function isDrainMessage(message: unknown): boolean {
  return isMasterMessage(message) && message.type === 'drain';
}

/**
 * Worker side: the cluster-wide CounterStore (windows, buckets, token counts and slots from the master
 * over `channel`). When the master drains this worker, unspent leases go back to it; when the channel closes,
 * waiting requests are admitted and counting goes local.
 */
export function connectClusterCounterStore(channel: WorkerLimitChannel, now: () => number = Date.now): ClusterCounterStore {
  const send = (message: unknown): void => {
    try {
      channel.send?.(message);
    } catch {
      // The channel closed under us; 'disconnect' detaches the store.
    }
  };
  const leases = new LeaseCache(send, now);
  const tokens = new TokenCountCache(send, now);
  const slots = new SlotCache(send);
  const store = new ClusterCounterStore(leases, tokens, slots);
  channel.on('message', (message: unknown) => {
    if (isLeaseGrantMessage(message)) leases.onGrant(message);
    else if (isSlotGrantMessage(message)) slots.onGrant(message);
    else if (isSlotReclaimMessage(message)) slots.onReclaim(message);
    else if (isTokenCountMessage(message)) tokens.onCount(message);
    else if (isDrainMessage(message)) {
      leases.drain();
      slots.drain();
    }
  });
  channel.once('disconnect', () => store.detach());
  return store;
}

/** In a cluster worker, before its runtime is compiled: limit plugins count cluster-wide through the master. */
export function useClusterCounterStore(channel: WorkerLimitChannel): ClusterCounterStore {
  const store = connectClusterCounterStore(channel);
  setProcessCounterStore(store);
  return store;
}
