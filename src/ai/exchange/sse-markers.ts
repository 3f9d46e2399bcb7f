/**
 * Byte-level checks that let the passthrough relay forward a chunk of a provider's stream without decoding
 * or parsing it. A chunk is *inert* when it cannot change anything the relay tracks: it holds no usage
 * object, no end of stream and no error. Token events (nearly every event of a stream) are inert.
 *
 * The markers are found in the raw bytes. JSON escapes quotes inside strings, so a marker that starts
 * with `"` never matches text the model wrote; markers without one (`[DONE]`, `message_`) may, which only
 * sends that chunk down the full parse: a false match costs time, a miss would lose data, so every
 * marker errs on the side of matching.
 * - OpenAI: `[DONE]`, `"error"`, and a `"usage"` key whose value is an object (`"usage":null`, sent in
 *   every chunk when usage is asked for, is inert).
 * - Anthropic: `message_` (message_start / message_delta carry usage, message_stop ends the stream) and
 *   `"error"` (the error event's payload).
 */
import type { ClientAiDialect } from './response-relay.ts';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;

const DONE = Buffer.from('[DONE]');
const ERROR = Buffer.from('"error"');
const USAGE = Buffer.from('"usage"');
const MESSAGE = Buffer.from('message_');

function bytesOf(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR;
}

/** The chunk ends with a blank line (LF LF, CRLF CRLF or a mix): it leaves the stream between events. */
export function endsWithBlankLine(chunk: Uint8Array | string): boolean {
  const at = (i: number): number => (typeof chunk === 'string' ? chunk.charCodeAt(i) : (chunk[i] ?? -1));
  let i = chunk.length - 1;
  if (i < 0 || at(i) !== LF) return false;
  i--;
  if (i >= 0 && at(i) === CR) i--;
  return i >= 0 && at(i) === LF;
}

/** A `"usage"` key followed by an object (not null) somewhere in the bytes. */
function hasUsageObject(bytes: Buffer): boolean {
  let at = bytes.indexOf(USAGE);
  while (at !== -1) {
    let i = at + USAGE.length;
    while (i < bytes.length && isSpace(bytes[i] as number)) i++;
    if (bytes[i] === COLON) {
      i++;
      while (i < bytes.length && isSpace(bytes[i] as number)) i++;
      // A value cut off by the chunk's end is treated as an object: the full parse decides.
      if (i >= bytes.length || bytes[i] === OPEN_BRACE) return true;
    } else if (i >= bytes.length) {
      return true;
    }
    at = bytes.indexOf(USAGE, at + 1);
  }
  return false;
}

/** True when the chunk may carry usage, the end of the stream or an error for `dialect`. */
export function hasStreamMarker(dialect: ClientAiDialect, chunk: Uint8Array | string): boolean {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : bytesOf(chunk);
  if (bytes.indexOf(ERROR) !== -1) return true;
  if (dialect === 'anthropic') return bytes.indexOf(MESSAGE) !== -1;
  return bytes.indexOf(DONE) !== -1 || hasUsageObject(bytes);
}

/** The `"usage"` key with an object value in an event's data (any JSON whitespace around the colon). */
export function dataHasUsageObject(data: string): boolean {
  return /"usage"\s*:\s*\{/.test(data);
}
