/**
 * How a credential is shown in the usage summary, logs and the UI: its scheme prefix ("sk-", "sk-ant-")
 * and last four characters, e.g. `sk-…a1b2`. Short values show nothing of themselves.
 */
import { SecretMemo } from '../lib/secret-memo.ts';

const PREFIX_RE = /^(?:[A-Za-z]{1,8}-){1,2}/;
const MIN_SHOWN_LENGTH = 12;

export function maskToken(token: string): string {
  if (token.length < MIN_SHOWN_LENGTH) return '…';
  const prefix = PREFIX_RE.exec(token)?.[0] ?? '';
  const shownPrefix = prefix.length <= token.length - 8 ? prefix : '';
  return `${shownPrefix}…${token.slice(-4)}`;
}

/** `auth` starts with "Bearer " in any letter case (no slice and lower-casing per request). */
function isBearer(auth: string): boolean {
  return (
    (auth.charCodeAt(0) | 0x20) === 0x62 && // b
    (auth.charCodeAt(1) | 0x20) === 0x65 && // e
    (auth.charCodeAt(2) | 0x20) === 0x61 && // a
    (auth.charCodeAt(3) | 0x20) === 0x72 && // r
    (auth.charCodeAt(4) | 0x20) === 0x65 && // e
    (auth.charCodeAt(5) | 0x20) === 0x72 && // r
    auth.charCodeAt(6) === 0x20
  );
}

/** The credential a client presented: `authorization: Bearer …` or `x-api-key`; undefined when none. */
export function presentedToken(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length > 7 && isBearer(auth)) return auth.slice(7).trim();
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
}

const masks = new SecretMemo<string>();

/**
 * maskToken for a token presented on `connection`, kept on the socket: keep-alive clients present the
 * same token on every request, and a regex plus two new strings per request add up.
 */
export function maskedTokenOn(connection: object | null | undefined, token: string): string {
  let masked = masks.get(connection, token);
  if (masked === undefined) {
    masked = maskToken(token);
    masks.set(connection, token, masked);
  }
  return masked;
}
