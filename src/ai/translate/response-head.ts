/**
 * The head of a translated 2xx answer. The upstream's content headers describe bytes the client never
 * sees (another dialect, another length), so only its request id is kept; the content type follows the
 * client's dialect and whether it streams. Error answers get their head from the error translation.
 */

export type UpstreamHeaders = Readonly<Record<string, string | string[] | undefined>>;

const REQUEST_ID_HEADERS = ['request-id', 'x-request-id'] as const;

export function translatedResponseHeaders(upstream: UpstreamHeaders, isStream: boolean): Record<string, string> {
  const out: Record<string, string> = isStream
    ? { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
    : { 'content-type': 'application/json' };
  for (const name of REQUEST_ID_HEADERS) {
    const value = upstream[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined) out[name] = text;
  }
  return out;
}
