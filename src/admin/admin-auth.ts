/**
 * Bearer tokens of the admin listener. Every configured token is kept as its SHA-256 digest; a presented
 * token is hashed and compared with every digest by `timingSafeEqual` (fixed 32 bytes each, all of them
 * every time), so neither the token's length nor the position of a mismatch shows in the timing.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AdminConfig } from '../config/admin-schema.ts';
import { DEFAULT_ADMIN_TOKEN_ID } from '../config/admin-schema.ts';

export interface TokenTable {
  /** The id of the token in `authorization: Bearer <token>`, or undefined. */
  identify(headers: IncomingHttpHeaders): string | undefined;
}

const BEARER_RE = /^Bearer +(\S+) *$/i;

function digest(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

/** Tokens by id; `undefined` entries are skipped (an unset metrics token). */
export function compileTokenTable(tokens: Readonly<Record<string, string | undefined>>): TokenTable {
  const entries = Object.entries(tokens).flatMap(([id, token]) => (token === undefined ? [] : [{ id, digest: digest(token) }]));
  return {
    identify(headers) {
      const match = BEARER_RE.exec(headers.authorization ?? '');
      if (match?.[1] === undefined) return undefined;
      const presented = digest(match[1]);
      let found: string | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.id;
      }
      return found;
    },
  };
}

/** The admin tokens of the config by id (`token` is "admin"). */
export function adminTokens(admin: AdminConfig): Record<string, string> {
  return { ...(admin.token === undefined ? {} : { [DEFAULT_ADMIN_TOKEN_ID]: admin.token }), ...admin.tokens };
}
