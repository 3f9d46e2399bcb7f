/** Narrowing helpers of the limit protocols (messages arrive as parsed JSON from another process). */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A non-negative safe integer: counts, ids, epoch milliseconds. */
export const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
