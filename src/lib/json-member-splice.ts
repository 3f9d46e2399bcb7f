/**
 * Sets top-level members of a JSON object in its text, without serializing the rest again: a member the
 * object has gets the new value text in place of its old value, a member it lacks is added last.
 * Everything else stays as the client wrote it (layout, member order, numbers as written).
 *
 * The passthrough sends request bodies this way instead of `JSON.stringify({ ...body, model })`, which for
 * the 300 KB bodies coding agents send took about 1 ms per request with the encoding after it; the native
 * searches here take about 0.2 ms, and a small body costs the same either way.
 *
 * How a member is found without walking the structure: the caller parsed the same text (the parsed object
 * says which names are present at the top level). When the quoted name occurs exactly once in the text
 * and no escape in it could spell one of the name's characters, that occurrence is the top-level key: no
 * other spelling of the key exists, and a nested member or a string of the same name would be a second
 * occurrence. Anything else (a repeated or escaped name) returns undefined, and the caller serializes the
 * parsed body instead. Names are lower-case ASCII letters and `_`.
 */

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, isJsonWhitespace, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-syntax.ts';

/** A member to set: its name, and its new value as JSON text (e.g. `JSON.stringify(model)`). */
export type MemberEdit = readonly [name: string, valueJson: string];

function skipWhitespace(text: string, at: number): number {
  while (isJsonWhitespace(text.charCodeAt(at))) at++;
  return at;
}

/** The position just past the string token whose opening quote is at `open` (-1 if it never closes). */
function stringEnd(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at + 1;
  }
}

/** The position just past the value starting at `start` (-1 if the text ends first). */
function valueEnd(text: string, start: number): number {
  if (text.charCodeAt(start) === QUOTE) return stringEnd(text, start);
  let depth = 0;
  let at = start;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = stringEnd(text, at);
      if (at === -1) return -1;
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET || code === COMMA || isJsonWhitespace(code)) {
      // A scalar ends at the first separator; an object or array at its own closing bracket.
      if (depth === 0) return at;
      if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return at + 1;
      }
    }
    at++;
  }
  return depth === 0 ? at : -1;
}

/**
 * An escape of a character from 0x50 to 0x7F (`\u005f`, `\u006D`…): only such an escape can spell a letter
 * or underscore of a member name, and JSON writers never produce one (they escape control characters,
 * quotes, backslashes and sometimes non-ASCII or `<>&`, all outside that range).
 */
const NAME_CHAR_ESCAPE_RE = /\\u00[5-7]/;

/**
 * [start, end) of the value of top-level member `name`, known to be present (undefined: not found exactly).
 * The search is for `name"` and then the quote before it: a pattern that starts with a quote stops at
 * every quote of the JSON (5× slower on a conversation).
 */
function memberValueRange(text: string, name: string): [number, number] | undefined {
  const tail = `${name}"`;
  let key = -1;
  for (let at = text.indexOf(tail); at !== -1; at = text.indexOf(tail, at + tail.length)) {
    if (text.charCodeAt(at - 1) !== QUOTE) continue;
    if (key !== -1) return undefined;
    key = at - 1;
  }
  if (key === -1) return undefined;
  const colon = skipWhitespace(text, key + tail.length + 1);
  if (text.charCodeAt(colon) !== COLON) return undefined;
  const start = skipWhitespace(text, colon + 1);
  const end = valueEnd(text, start);
  return end <= start ? undefined : [start, end];
}

/** A replacement of text [start, end) (an insertion when start = end), in the source's character indices. */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The pieces that apply `edits` to `source`, in order ([] when nothing changes), or undefined (see the module comment). */
function planEdits(source: string, body: Readonly<Record<string, unknown>>, edits: readonly MemberEdit[]): Piece[] | undefined {
  const open = skipWhitespace(source, 0);
  let closing = source.length - 1;
  while (closing > open && isJsonWhitespace(source.charCodeAt(closing))) closing--;
  if (source.charCodeAt(open) !== OPEN_BRACE || source.charCodeAt(closing) !== CLOSE_BRACE) return undefined;
  if (edits.some(([name]) => Object.hasOwn(body, name)) && NAME_CHAR_ESCAPE_RE.test(source)) return undefined;
  const pieces: Piece[] = [];
  let added = '';
  let isEmpty = skipWhitespace(source, open + 1) === closing;
  for (const [name, valueJson] of edits) {
    if (!Object.hasOwn(body, name)) {
      added += `${isEmpty ? '' : ','}${JSON.stringify(name)}:${valueJson}`;
      isEmpty = false;
      continue;
    }
    const range = memberValueRange(source, name);
    if (range === undefined) return undefined;
    if (source.slice(range[0], range[1]) !== valueJson) pieces.push({ start: range[0], end: range[1], text: valueJson });
  }
  pieces.sort((a, b) => a.start - b.start);
  // Just before the closing brace, after every replaced value.
  if (added.length > 0) pieces.push({ start: closing, end: closing, text: added });
  return pieces;
}

/**
 * `source` (the text `body` was parsed from) with `edits` applied, or undefined when this cannot be done
 * exactly in place (see the module comment). Returns `source` itself when nothing changes.
 */
export function setTopLevelMembers(source: string, body: Readonly<Record<string, unknown>>, edits: readonly MemberEdit[]): string | undefined {
  const pieces = planEdits(source, body, edits);
  if (pieces === undefined) return undefined;
  let out = '';
  let copiedTo = 0;
  for (const { start, end, text } of pieces) {
    out += source.slice(copiedTo, start) + text;
    copiedTo = end;
  }
  return copiedTo === 0 ? source : out + source.slice(copiedTo);
}

/**
 * The same edit made in `bytes`, the UTF-8 encoding of `source`: for a large body this spares turning the
 * edited text back into bytes (a 300 KB string is flattened and encoded again on its way to the socket,
 * ~0.6 ms); only the bytes around the edits are measured. Returns `bytes` itself when nothing changes.
 */
export function setTopLevelMembersInBytes(source: string, bytes: Uint8Array, body: Readonly<Record<string, unknown>>, edits: readonly MemberEdit[]): Uint8Array | undefined {
  const pieces = planEdits(source, body, edits);
  if (pieces === undefined) return undefined;
  if (pieces.length === 0) return bytes;
  // A character index as a byte offset, measured from the nearer end of the text.
  const byteOffset = (index: number): number =>
    index <= source.length / 2 ? Buffer.byteLength(source.slice(0, index)) : bytes.length - Buffer.byteLength(source.slice(index));
  const parts: Uint8Array[] = [];
  let copiedTo = 0;
  for (const { start, end, text } of pieces) {
    parts.push(bytes.subarray(copiedTo, byteOffset(start)), Buffer.from(text));
    copiedTo = byteOffset(end);
  }
  parts.push(bytes.subarray(copiedTo));
  return Buffer.concat(parts);
}
