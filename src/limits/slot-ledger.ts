/**
 * Master side of cluster-wide concurrency: per key, the slots each worker holds. The sum never exceeds
 * the key's `max`, so requests in flight over all workers never do either. A worker that needs a slot
 * while none is free is queued and every other worker holding slots is asked for its idle ones (one
 * reclaim round, bounded by a timeout for a worker too busy to answer); whatever is still missing when
 * the round ends is refused (grant 0). A worker that exits frees what it held.
 */
import type { SlotGrantMessage, SlotReclaimMessage, SlotRequestMessage, SlotReturnMessage } from './slot-protocol.ts';

/** One worker as the ledger sees it. */
export interface SlotPeer {
  readonly id: string;
  send(message: SlotGrantMessage | SlotReclaimMessage): void;
}

interface Holding {
  readonly peer: SlotPeer;
  count: number;
}

interface Waiting {
  readonly peer: SlotPeer;
  readonly id: number;
  readonly want: number;
}

interface ReclaimRound {
  readonly id: number;
  readonly waiting: Set<string>;
  readonly timer: NodeJS.Timeout;
}

interface KeySlots {
  max: number;
  total: number;
  readonly held: Map<string, Holding>;
  queue: Waiting[];
  round: ReclaimRound | undefined;
}

const RECLAIM_TIMEOUT_MS = 200;

/** Slots granted beyond what waits (fewer round trips), also what a worker keeps idle (./slot-cache.ts). */
export function slotBatchOf(max: number): number {
  return Math.max(1, Math.ceil(max / 32));
}

export class SlotLedger {
  readonly #keys = new Map<string, KeySlots>();
  readonly #reclaimTimeoutMs: number;
  #nextRound = 1;

  constructor(reclaimTimeoutMs = RECLAIM_TIMEOUT_MS) {
    this.#reclaimTimeoutMs = reclaimTimeoutMs;
  }

  request(peer: SlotPeer, message: SlotRequestMessage): void {
    let entry = this.#keys.get(message.key);
    if (entry === undefined) {
      entry = { max: message.max, total: 0, held: new Map(), queue: [], round: undefined };
      this.#keys.set(message.key, entry);
    }
    entry.max = message.max;
    const free = entry.max - entry.total;
    if (entry.queue.length === 0 && free > 0) {
      this.#grant(message.key, entry, peer, message.id, Math.min(free, Math.max(message.want, slotBatchOf(entry.max))));
      return;
    }
    entry.queue.push({ peer, id: message.id, want: Math.max(1, message.want) });
    if (entry.round === undefined) this.#reclaim(message.key, entry, peer.id);
  }

  giveBack(peer: SlotPeer, message: SlotReturnMessage): void {
    const entry = this.#keys.get(message.key);
    if (entry === undefined) return;
    const holding = entry.held.get(peer.id);
    const count = Math.min(message.count, holding?.count ?? 0);
    if (holding !== undefined) {
      holding.count -= count;
      if (holding.count === 0) entry.held.delete(peer.id);
    }
    entry.total -= count;
    this.#serveQueue(message.key, entry);
    const round = entry.round;
    if (round !== undefined && message.round === round.id) {
      round.waiting.delete(peer.id);
      if (round.waiting.size === 0) this.#finish(message.key, entry);
    }
    this.#forgetIfIdle(message.key, entry);
  }

  /** The worker is gone: its slots are free, its queued requests dropped. */
  forget(peerId: string): void {
    for (const [key, entry] of this.#keys) {
      const holding = entry.held.get(peerId);
      if (holding !== undefined) {
        entry.total -= holding.count;
        entry.held.delete(peerId);
      }
      entry.queue = entry.queue.filter((waiting) => waiting.peer.id !== peerId);
      this.#serveQueue(key, entry);
      if (entry.round?.waiting.delete(peerId) === true && entry.round.waiting.size === 0) this.#finish(key, entry);
      this.#forgetIfIdle(key, entry);
    }
  }

  /** Slots of `key` held by workers (tests, status). */
  heldOf(key: string): number {
    return this.#keys.get(key)?.total ?? 0;
  }

  #reclaim(key: string, entry: KeySlots, askerId: string): void {
    const id = this.#nextRound++;
    const waiting = new Set<string>();
    for (const [peerId, holding] of entry.held) {
      if (peerId === askerId || holding.count === 0) continue;
      waiting.add(peerId);
      holding.peer.send({ type: 'limit-slots-reclaim', key, round: id });
    }
    if (waiting.size === 0) {
      this.#finish(key, entry);
      return;
    }
    const timer = setTimeout(() => this.#finish(key, entry), this.#reclaimTimeoutMs);
    timer.unref();
    entry.round = { id, waiting, timer };
  }

  #serveQueue(key: string, entry: KeySlots): void {
    while (entry.queue.length > 0 && entry.total < entry.max) {
      const waiting = entry.queue.shift() as Waiting;
      this.#grant(key, entry, waiting.peer, waiting.id, Math.min(entry.max - entry.total, waiting.want));
    }
  }

  /** The reclaim round is over: what is still queued is refused. */
  #finish(key: string, entry: KeySlots): void {
    if (entry.round !== undefined) clearTimeout(entry.round.timer);
    entry.round = undefined;
    this.#serveQueue(key, entry);
    for (const waiting of entry.queue.splice(0)) waiting.peer.send({ type: 'limit-slots-grant', id: waiting.id, key, granted: 0 });
    this.#forgetIfIdle(key, entry);
  }

  #grant(key: string, entry: KeySlots, peer: SlotPeer, id: number, count: number): void {
    let holding = entry.held.get(peer.id);
    if (holding === undefined) {
      holding = { peer, count: 0 };
      entry.held.set(peer.id, holding);
    }
    holding.count += count;
    entry.total += count;
    peer.send({ type: 'limit-slots-grant', id, key, granted: count });
  }

  #forgetIfIdle(key: string, entry: KeySlots): void {
    if (entry.total === 0 && entry.queue.length === 0 && entry.round === undefined) this.#keys.delete(key);
  }
}
