/**
 * What was derived from a secret a client presented, kept on its connection (a socket) for the next request
 * on it: keep-alive clients present the same key on every request. The next secret is compared with the kept
 * one in constant time, so a connection shared by several clients through a front proxy tells nobody more than
 * whether a guess equals the previous client's secret. One slot per memo, so memos never see each other's values.
 */
import { constantTimeEqual } from './constant-time-equal.ts';

interface Kept<V> {
  readonly secret: string;
  readonly value: V;
}

export class SecretMemo<V> {
  readonly #slot = Symbol('louailink.secretMemo');

  /** The value kept for `secret` on `connection`, or undefined. */
  get(connection: object | null | undefined, secret: string): V | undefined {
    const kept = (connection as Record<symbol, Kept<V> | undefined> | null | undefined)?.[this.#slot];
    return kept !== undefined && constantTimeEqual(kept.secret, secret) ? kept.value : undefined;
  }

  set(connection: object | null | undefined, secret: string, value: V): void {
    if (connection != null) (connection as Record<symbol, Kept<V>>)[this.#slot] = { secret, value };
  }
}
