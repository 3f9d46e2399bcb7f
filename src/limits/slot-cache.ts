/**
 * Worker side of cluster-wide concurrency: the slots of each key this worker holds, leased from the
 * master (./slot-ledger.ts). A request takes a held slot without IPC; with none idle it waits for the
 * master's grant (a promise; false = every slot of the cluster is in use). A released slot goes to a
 * request waiting here first; beyond a few idle slots per key the rest go back to the master, and the
 * master may reclaim every idle one when another worker needs it.
 */
import { slotBatchOf } from './slot-ledger.ts';
import type { SlotGrantMessage, SlotReclaimMessage, SlotRequestMessage, SlotReturnMessage } from './slot-protocol.ts';

interface KeySlots {
  max: number;
  held: number;
  inUse: number;
  /** Id of the request in flight, or 0. */
  pendingId: number;
  readonly waiters: ((isAdmitted: boolean) => void)[];
}

export class SlotCache {
  readonly #send: (message: SlotRequestMessage | SlotReturnMessage) => void;
  readonly #keys = new Map<string, KeySlots>();
  #nextId = 1;
  #isDraining = false;

  constructor(send: (message: SlotRequestMessage | SlotReturnMessage) => void) {
    this.#send = send;
  }

  /** One more request of `key` in flight: true at once on a held slot, else a promise of the master's answer. */
  acquire(key: string, max: number): boolean | Promise<boolean> {
    let entry = this.#keys.get(key);
    if (entry === undefined) {
      entry = { max, held: 0, inUse: 0, pendingId: 0, waiters: [] };
      this.#keys.set(key, entry);
    }
    entry.max = max;
    if (entry.inUse < entry.held) {
      entry.inUse++;
      return true;
    }
    const waiting = entry;
    return new Promise<boolean>((resolve) => {
      waiting.waiters.push(resolve);
      if (waiting.pendingId === 0) this.#ask(key, waiting);
    });
  }

  /** A request admitted by `acquire` ended. */
  release(key: string): void {
    const entry = this.#keys.get(key);
    if (entry === undefined || entry.inUse === 0) return;
    const next = entry.waiters.shift();
    if (next !== undefined) {
      next(true);
      return;
    }
    entry.inUse--;
    const keep = this.#isDraining ? 0 : slotBatchOf(entry.max);
    const surplus = entry.held - entry.inUse - keep;
    if (surplus > 0) this.#giveBack(key, entry, surplus, 0);
    if (entry.held === 0 && entry.pendingId === 0) this.#keys.delete(key);
  }

  onGrant(grant: SlotGrantMessage): void {
    const entry = this.#keys.get(grant.key);
    if (entry === undefined || entry.pendingId !== grant.id) return;
    entry.pendingId = 0;
    entry.held += grant.granted;
    while (entry.waiters.length > 0 && entry.inUse < entry.held) {
      entry.inUse++;
      entry.waiters.shift()?.(true);
    }
    if (entry.waiters.length > 0) {
      if (grant.granted === 0) for (const refuse of entry.waiters.splice(0)) refuse(false);
      else this.#ask(grant.key, entry);
    }
    if (entry.held === 0 && entry.pendingId === 0) this.#keys.delete(grant.key);
  }

  /** The master needs slots for another worker: every idle one goes back (an answer is always sent). */
  onReclaim(reclaim: SlotReclaimMessage): void {
    const entry = this.#keys.get(reclaim.key);
    const idle = entry === undefined ? 0 : entry.held - entry.inUse;
    if (entry !== undefined) entry.held -= idle;
    this.#send({ type: 'limit-slots-return', key: reclaim.key, count: idle, round: reclaim.round });
  }

  /** This worker drains: idle slots go back now, released ones as they come. */
  drain(): void {
    this.#isDraining = true;
    for (const [key, entry] of this.#keys) if (entry.held > entry.inUse) this.#giveBack(key, entry, entry.held - entry.inUse, 0);
  }

  /** The master is gone: settles waiting requests with `isAdmitted`. */
  failPending(isAdmitted: boolean): void {
    for (const entry of this.#keys.values()) for (const resolve of entry.waiters.splice(0)) resolve(isAdmitted);
    this.#keys.clear();
  }

  #giveBack(key: string, entry: KeySlots, count: number, round: number): void {
    entry.held -= count;
    this.#send({ type: 'limit-slots-return', key, count, round });
  }

  #ask(key: string, entry: KeySlots): void {
    const id = this.#nextId++;
    entry.pendingId = id;
    this.#send({ type: 'limit-slots', id, key, max: entry.max, want: entry.waiters.length });
  }
}
