/** Narrowing helpers for client JSON, which is typed by the SDKs but never validated by them. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

/** Parses tool-call arguments; undefined when they are not a JSON object. Empty arguments are `{}`. */
export function parseToolArguments(text: string | null | undefined): Record<string, unknown> | undefined {
  if (text === null || text === undefined || text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface DataUrl {
  readonly mediaType: string;
  readonly data: string;
}

/** `data:<media type>;base64,<data>` → parts; undefined for any other URL (http(s), non-base64 data URLs). */
export function parseBase64DataUrl(url: string): DataUrl | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma === -1) return undefined;
  const header = url.slice(5, comma);
  if (!header.endsWith(';base64')) return undefined;
  const mediaType = header.slice(0, header.indexOf(';')).toLowerCase();
  return { mediaType: mediaType === '' ? 'text/plain' : mediaType, data: url.slice(comma + 1) };
}

/** An SSE event's JSON payload; the string `[DONE]` for OpenAI's terminator; undefined when it is not JSON. */
export function parseEventData(data: string): unknown {
  if (data === '[DONE]') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}
