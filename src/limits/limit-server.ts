/**
 * The master's side of every cluster-wide limit, for its whole lifetime (so counts survive reloads):
 * fixed windows and token buckets by leases (./lease-ledger.ts), token counts (./token-ledger.ts) and
 * requests in flight by leased slots (./slot-ledger.ts). Transport-free: the caller passes each worker
 * message with that worker as a peer (id + send) and a way to reach every worker
 * (master/lease-service.ts over node:cluster, ./lease-channel.ts over any channel).
 */
import { LeaseLedger } from './lease-ledger.ts';
import { isLeaseRequestMessage, isLeaseReturnMessage, isTokenChargeMessage } from './lease-protocol.ts';
import type { LeaseGrantMessage, TokenCountMessage } from './lease-protocol.ts';
import { SlotLedger } from './slot-ledger.ts';
import { isSlotRequestMessage, isSlotReturnMessage } from './slot-protocol.ts';
import type { SlotGrantMessage, SlotReclaimMessage } from './slot-protocol.ts';
import { TokenLedger } from './token-ledger.ts';

/** Every message the master sends for limits. */
export type LimitMasterMessage = LeaseGrantMessage | TokenCountMessage | SlotGrantMessage | SlotReclaimMessage;

/** One worker: a stable id (slots are held per worker) and its channel. */
export interface LimitPeer {
  readonly id: string;
  send(message: LimitMasterMessage): void;
}

export class LimitServer {
  readonly leases: LeaseLedger;
  readonly tokens = new TokenLedger();
  readonly slots: SlotLedger;

  /** `now`: the clock of the token buckets (windows are named by the workers). */
  constructor(now: () => number = Date.now, slots: SlotLedger = new SlotLedger()) {
    this.leases = new LeaseLedger(now);
    this.slots = slots;
  }

  /**
   * Handles one message of worker `from`: false when it is not a limit message. `broadcast` reaches every
   * worker; `workerCount` is read only for lease requests.
   */
  handle(message: unknown, from: LimitPeer, broadcast: (notice: LimitMasterMessage) => void, workerCount: () => number): boolean {
    if (isLeaseRequestMessage(message)) {
      from.send(this.leases.grant(message, workerCount()));
      return true;
    }
    if (isSlotRequestMessage(message)) {
      this.slots.request(from, message);
      return true;
    }
    if (isSlotReturnMessage(message)) {
      this.slots.giveBack(from, message);
      return true;
    }
    if (isLeaseReturnMessage(message)) {
      this.leases.giveBack(message);
      return true;
    }
    if (isTokenChargeMessage(message)) {
      const outcome = this.tokens.charge(message);
      if (outcome.reply !== undefined) from.send(outcome.reply);
      if (outcome.broadcast !== undefined) broadcast(outcome.broadcast);
      return true;
    }
    return false;
  }

  /** Worker `peerId` is gone: the slots it held are free again (its leases stay counted). */
  forget(peerId: string): void {
    this.slots.forget(peerId);
  }

  /** Forgets ended windows and full buckets (call periodically). */
  sweep(nowMs: number): void {
    this.leases.sweep(nowMs);
    this.tokens.sweep(nowMs);
  }
}
