/**
 * The IPC messages of cluster-wide concurrency (requests in flight). The master leases slots to workers;
 * a worker admits requests on the slots it holds without asking, keeps a few idle ones and gives the rest
 * back. When the master has no free slot it asks every other worker to give back its idle ones (a
 * reclaim round) before it refuses, so a request is refused only when the slots are really in use.
 */
import { isCount, isRecord } from './message-guards.ts';

/** Worker → master: "lease me up to `want` more slots of `key`" (`max` = the configured concurrency). */
export interface SlotRequestMessage {
  readonly type: 'limit-slots';
  readonly id: number;
  readonly key: string;
  readonly max: number;
  readonly want: number;
}

/** Master → worker: `granted` more slots (0 = every slot of `key` is in use). */
export interface SlotGrantMessage {
  readonly type: 'limit-slots-grant';
  readonly id: number;
  readonly key: string;
  readonly granted: number;
}

/** Master → worker: give back the idle slots of `key` (answer with a return naming `round`). */
export interface SlotReclaimMessage {
  readonly type: 'limit-slots-reclaim';
  readonly key: string;
  readonly round: number;
}

/** Worker → master: `count` slots of `key` given back; `round` answers a reclaim (0 = on its own). */
export interface SlotReturnMessage {
  readonly type: 'limit-slots-return';
  readonly key: string;
  readonly count: number;
  readonly round: number;
}


export function isSlotRequestMessage(value: unknown): value is SlotRequestMessage {
  return isRecord(value) && value.type === 'limit-slots' && isCount(value.id) && typeof value.key === 'string' && isCount(value.max) && isCount(value.want);
}

export function isSlotGrantMessage(value: unknown): value is SlotGrantMessage {
  return isRecord(value) && value.type === 'limit-slots-grant' && isCount(value.id) && typeof value.key === 'string' && isCount(value.granted);
}

export function isSlotReclaimMessage(value: unknown): value is SlotReclaimMessage {
  return isRecord(value) && value.type === 'limit-slots-reclaim' && typeof value.key === 'string' && isCount(value.round);
}

export function isSlotReturnMessage(value: unknown): value is SlotReturnMessage {
  return isRecord(value) && value.type === 'limit-slots-return' && typeof value.key === 'string' && isCount(value.count) && isCount(value.round);
}
