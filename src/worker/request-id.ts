/**
 * Request ids: an incoming `x-request-id` is kept when it is sane (1–128 visible token characters),
 * otherwise one is generated as a per-worker random prefix plus a counter: unique across workers and
 * restarts with overwhelming probability, and no randomness per request.
 */
import { randomBytes } from 'node:crypto';

const SANE_ID_RE = /^[A-Za-z0-9._:+=/@-]{1,128}$/;
const PREFIX = `${randomBytes(6).toString('hex')}-`;
let counter = 0;

export function generateRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}

/** The id for a request given its `x-request-id` header (node joins repeated values into one string). */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_ID_RE.test(incoming) ? incoming : generateRequestId();
}
