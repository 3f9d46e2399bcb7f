/**
 * Reads one object-valued member of a JSON object from its raw bytes without parsing the rest: the scan
 * starts at the closing brace and walks back over the members (string contents skipped whole) until it
 * meets the member at the top level. A member near the end (an LLM answer's `usage`) costs a scan of
 * itself and what follows it instead of decoding and parsing the whole body.
 * Only a top-level member counts: a member of the same name inside a nested object or array is passed
 * over, and a name inside a string is never one (its quotes would be escaped).
 */

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, isJsonWhitespace, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-syntax.ts';

/** The first and last non-whitespace positions (-1 when the input is blank). */
function trimmedBounds(bytes: Uint8Array): [number, number] {
  let first = 0;
  while (first < bytes.length && isJsonWhitespace(bytes[first])) first++;
  let last = bytes.length - 1;
  while (last >= first && isJsonWhitespace(bytes[last])) last--;
  return first > last ? [-1, -1] : [first, last];
}

/**
 * The position of the quote that opens the string whose closing quote is at `closing` (-1 if none). A JS
 * loop: the strings met are mostly short keys, where a native search costs more than it saves.
 */
function stringStart(bytes: Uint8Array, closing: number, floor: number): number {
  for (let at = closing - 1; at > floor; at--) {
    if (bytes[at] !== QUOTE) continue;
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

function nextNonWhitespace(bytes: Uint8Array, from: number): number {
  let at = from;
  while (isJsonWhitespace(bytes[at])) at++;
  return at;
}

function equalsAscii(bytes: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

export type TailMember =
  /** The body is not a JSON object (blank, an array, a cut-off answer). */
  | { readonly kind: 'not_object' }
  | { readonly kind: 'absent' }
  /** The member's value: bytes [start, end) of the input. */
  | { readonly kind: 'found'; readonly start: number; readonly end: number };

const NOT_OBJECT: TailMember = { kind: 'not_object' };
const ABSENT: TailMember = { kind: 'absent' };

/**
 * Finds the top-level member `name` (ASCII, no escapes) whose value is an object, scanning back from the
 * end of `bytes`. The body is assumed to be well-formed JSON otherwise: only its outer braces are checked.
 */
export function findTailObjectMember(bytes: Uint8Array, name: string): TailMember {
  const [first, last] = trimmedBounds(bytes);
  if (first === -1 || bytes[first] !== OPEN_BRACE || bytes[last] !== CLOSE_BRACE || last === first) return NOT_OBJECT;
  let depth = 1;
  /** The last object value seen at depth 1, as [start, end]; -1 when the bytes since were not its key. */
  let valueStart = -1;
  let valueEnd = -1;
  for (let at = last - 1; at > first; at--) {
    const byte = bytes[at];
    if (byte === QUOTE) {
      const opening = stringStart(bytes, at, first);
      if (opening === -1) return NOT_OBJECT;
      if (depth === 1 && valueStart !== -1 && equalsAscii(bytes, opening + 1, at, name)) {
        const colon = nextNonWhitespace(bytes, at + 1);
        if (bytes[colon] === COLON && nextNonWhitespace(bytes, colon + 1) === valueStart) return { kind: 'found', start: valueStart, end: valueEnd + 1 };
      }
      at = opening;
      if (depth === 1) valueStart = -1;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 1 && byte === CLOSE_BRACE) valueEnd = at;
      depth++;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth--;
      if (depth === 0) return NOT_OBJECT;
      if (depth === 1) valueStart = byte === OPEN_BRACE ? at : -1;
    } else if (depth === 1 && byte !== COLON && !isJsonWhitespace(byte)) {
      // A comma or a scalar value at the top level: the object seen before is not the next key's value.
      valueStart = -1;
    }
  }
  return ABSENT;
}
