/**
 * Master side of cluster-wide token limits (`tpm`, token quotas): per key, the tokens charged in the
 * current window by every worker. Token costs are only known when a response ends, so nothing is leased:
 * workers charge after the fact and refuse new requests once the window's count has reached the limit.
 * A worker learns the count once per key and window (its first check); after that the ledger tells every
 * worker when a charge makes the count reach the limit, one message per key and window.
 */
import { windowEndOf } from './fixed-window.ts';
import type { TokenChargeMessage, TokenCountMessage } from './lease-protocol.ts';

interface TokenWindow {
  windowStart: number;
  windowMs: number;
  used: number;
}

/** What the master sends after a charge: an answer to its worker, a notice to every worker, both or neither. */
export interface TokenChargeOutcome {
  readonly reply: TokenCountMessage | undefined;
  readonly broadcast: TokenCountMessage | undefined;
}

export class TokenLedger {
  readonly #windows = new Map<string, TokenWindow>();

  /** Applies one charge or check from a worker. */
  charge(message: TokenChargeMessage): TokenChargeOutcome {
    let entry = this.#windows.get(message.key);
    if (entry === undefined || entry.windowStart < message.windowStart || entry.windowMs !== message.windowMs) {
      entry = { windowStart: message.windowStart, windowMs: message.windowMs, used: 0 };
      this.#windows.set(message.key, entry);
    }
    // A charge for a window already replaced comes too late to matter (that window is over).
    const isCurrent = entry.windowStart === message.windowStart;
    const before = isCurrent ? entry.used : 0;
    if (isCurrent) entry.used += message.charge;
    const used = isCurrent ? entry.used : 0;
    const count = { type: 'limit-token-count', key: message.key, windowStart: message.windowStart, used } as const;
    const hasReachedLimit = isCurrent && message.charge > 0 && before < message.limit && used >= message.limit;
    return {
      reply: message.id === 0 ? undefined : { ...count, id: message.id },
      broadcast: hasReachedLimit ? { ...count, id: 0 } : undefined,
    };
  }

  /** Forgets windows that ended before `nowMs`. */
  sweep(nowMs: number): void {
    for (const [key, entry] of this.#windows) if (windowEndOf(entry.windowStart, entry.windowMs) <= nowMs) this.#windows.delete(key);
  }

  /** Tokens charged so far in the current window of `key` (tests, status). */
  usedOf(key: string): number {
    return this.#windows.get(key)?.used ?? 0;
  }
}
