/**
 * The master's side of every cluster-wide limit, for its whole lifetime (so counts survive reloads):
 * fixed windows and token buckets by leases (./lease-ledger.ts), token counts (./token-ledger.ts).
 * Transport-free: the caller passes each worker message with a way to answer that worker and a way to
 * reach every worker (master/lease-service.ts over node:cluster, ./lease-channel.ts over any channel).
 */
import { LeaseLedger } from './lease-ledger.ts';
import { isLeaseRequestMessage, isLeaseReturnMessage, isTokenChargeMessage } from './lease-protocol.ts';
import type { LeaseGrantMessage, TokenCountMessage } from './lease-protocol.ts';
import { TokenLedger } from './token-ledger.ts';

/** Every message the master sends for limits. */
export type LimitMasterMessage = LeaseGrantMessage | TokenCountMessage;

export class LimitServer {
  readonly leases: LeaseLedger;
  readonly tokens = new TokenLedger();

  /** `now`: the clock of the token buckets (windows are named by the workers). */
  constructor(now: () => number = Date.now) {
    this.leases = new LeaseLedger(now);
  }

  /**
   * Handles one worker message: false when it is not a limit message. `reply` answers that worker,
   * `broadcast` reaches every worker; `workerCount` is read only for lease requests.
   */
  handle(message: unknown, reply: (answer: LimitMasterMessage) => void, broadcast: (notice: LimitMasterMessage) => void, workerCount: () => number): boolean {
    if (isLeaseRequestMessage(message)) {
      reply(this.leases.grant(message, workerCount()));
      return true;
    }
    if (isLeaseReturnMessage(message)) {
      this.leases.giveBack(message);
      return true;
    }
    if (isTokenChargeMessage(message)) {
      const outcome = this.tokens.charge(message);
      if (outcome.reply !== undefined) reply(outcome.reply);
      if (outcome.broadcast !== undefined) broadcast(outcome.broadcast);
      return true;
    }
    return false;
  }

  /** Forgets ended windows and full buckets (call periodically). */
  sweep(nowMs: number): void {
    this.leases.sweep(nowMs);
    this.tokens.sweep(nowMs);
  }
}
