/**
 * Reads the data of an Anthropic stream event. The text delta, most events of an answer, is recognised by its
 * exact documented bytes — `{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}`
 * — and only its text's string token is parsed: JSON.parse built two objects per event for it, a large part of
 * a translated stream's cost. Any other bytes (spacing, member order, another member) are parsed whole, so
 * the result is always what JSON.parse gives.
 */
import { parseEventData } from './json-values.ts';

const PREFIX = '{"type":"content_block_delta","index":';
const MIDDLE = ',"delta":{"type":"text_delta","text":';
const SUFFIX = '}}';
/** Digits of a block index (far more than any answer has blocks). */
const MAX_INDEX_DIGITS = 6;

export function parseAnthropicEventData(data: string): unknown {
  return textDeltaOf(data) ?? parseEventData(data);
}

function textDeltaOf(data: string): unknown {
  if (!data.startsWith(PREFIX) || !data.endsWith(SUFFIX)) return undefined;
  let at = PREFIX.length;
  let index = 0;
  while (at < data.length && at - PREFIX.length < MAX_INDEX_DIGITS) {
    const code = data.charCodeAt(at);
    if (code < 0x30 || code > 0x39) break;
    index = index * 10 + (code - 0x30);
    at++;
  }
  const digits = at - PREFIX.length;
  if (digits === 0 || (digits > 1 && data.charCodeAt(PREFIX.length) === 0x30) || !data.startsWith(MIDDLE, at)) return undefined;
  const tokenStart = at + MIDDLE.length;
  const tokenEnd = data.length - SUFFIX.length;
  // One JSON string token between the two: quotes at both ends, and it parses as a string.
  if (tokenEnd - tokenStart < 2 || data.charCodeAt(tokenStart) !== 0x22 || data.charCodeAt(tokenEnd - 1) !== 0x22) return undefined;
  let text: unknown;
  try {
    text = JSON.parse(data.slice(tokenStart, tokenEnd));
  } catch {
    return undefined;
  }
  return typeof text === 'string' ? { type: 'content_block_delta', index, delta: { type: 'text_delta', text } } : undefined;
}
