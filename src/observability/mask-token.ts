/**
 * How a credential is shown in the usage summary, logs and the UI: its scheme prefix ("sk-", "sk-ant-")
 * and last four characters, e.g. `sk-…a1b2`. Short values show nothing of themselves.
 */
const PREFIX_RE = /^(?:[A-Za-z]{1,8}-){1,2}/;
const MIN_SHOWN_LENGTH = 12;

export function maskToken(token: string): string {
  if (token.length < MIN_SHOWN_LENGTH) return '…';
  const prefix = PREFIX_RE.exec(token)?.[0] ?? '';
  const shownPrefix = prefix.length <= token.length - 8 ? prefix : '';
  return `${shownPrefix}…${token.slice(-4)}`;
}

/** The credential a client presented: `authorization: Bearer …` or `x-api-key`; undefined when none. */
export function presentedToken(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
}
