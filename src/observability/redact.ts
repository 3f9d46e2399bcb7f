/**
 * Credential redaction for anything logged from an exchange (the upstream body log, debug dumps):
 * credential headers are replaced, and in bodies the values of credential-named JSON fields and
 * anything shaped like a provider key (sk-…, sk-ant-…, AIza…, Bearer …) become "[redacted]".
 */

export const REDACTED = '[redacted]';

const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
]);

const SECRET_FIELD_RE = /("(?:api[_-]?key|apikey|authorization|password|secret|client_secret|access_token|refresh_token|token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const KEY_SHAPE_RE = /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,}|AIza[A-Za-z0-9_-]{20,}|(?<=Bearer\s)[A-Za-z0-9._~+/=-]{8,})/g;

export function redactHeaders(headers: Readonly<Record<string, string | string[] | number | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = CREDENTIAL_HEADERS.has(lower) ? REDACTED : Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export function redactBody(text: string): string {
  return text.replace(SECRET_FIELD_RE, `$1"${REDACTED}"`).replace(KEY_SHAPE_RE, REDACTED);
}
