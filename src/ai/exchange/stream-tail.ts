/**
 * The last bytes of a relayed SSE stream, copied into a ring of fixed size, so the passthrough relay can
 * read what matters at the end of a stream without parsing every event: the usage chunk, `[DONE]` /
 * `message_stop`, an error event. The last `maxBytes` are kept (4 KB: those last events take well under
 * 1 KB, and the tail is decoded once per stream, so keeping more costs every stream). Copying costs a
 * memcpy per chunk; keeping the chunks themselves would keep alive the socket buffers they are views of
 * (up to 64 KB each) until dozens of later chunks pushed them out. `events()` parses the last events kept,
 * never one whose start was let go, and hands back whole events only.
 */
import { SseParser, type SseEvent } from '../translate/sse-parser.ts';

const DEFAULT_MAX_BYTES = 4 * 1024;

/** Events read at the end: the usage chunk, `[DONE]`, message_delta, message_stop, an error, a ping between. */
const LAST_EVENTS = 6;

const LF = 0x0a;

/**
 * Index where the last `count` LF-delimited events of `bytes` begin, or -1 when the bytes from `floor` on hold
 * fewer. A search in the bytes: decoding first and searching the text cost more than the rest of the read.
 */
function startOfLastEvents(bytes: Buffer, floor: number, count: number): number {
  let end = bytes.length;
  if (end - floor >= 2 && bytes[end - 1] === LF && bytes[end - 2] === LF) end -= 2;
  for (let i = 0; i < count; i++) {
    // The blank line before: an LF at or before `end` right after another (the pair may end at `end`).
    let at = bytes.lastIndexOf(LF, end);
    while (at > floor && bytes[at - 1] !== LF) at = at >= 2 ? bytes.lastIndexOf(LF, at - 2) : -1;
    if (at <= floor) return -1;
    end = at - 1;
  }
  return end + 2;
}

/** The bytes end with a blank line (LF LF, CRLF CRLF): whatever follows starts a new event. */
function endsWithBlankLine(bytes: Uint8Array): boolean {
  let i = bytes.length - 1;
  if (i < 0 || bytes[i] !== 0x0a) return false;
  i--;
  if (i >= 0 && bytes[i] === 0x0d) i--;
  return i >= 0 && bytes[i] === 0x0a;
}

/** Index just past the first blank line (LF LF or CRLF CRLF) in `text`, or -1. */
function afterFirstBlankLine(text: string): number {
  const lf = text.indexOf('\n\n');
  const crlf = text.indexOf('\r\n\r\n');
  if (lf === -1) return crlf === -1 ? -1 : crlf + 4;
  if (crlf === -1 || lf < crlf) return lf + 2;
  return crlf + 4;
}

/** Bytes before the kept ones that tell whether those start a new event (CRLF CRLF is the longest end). */
const BOUNDARY_BYTES = 4;

export class StreamTail {
  readonly #maxBytes: number;
  /** The last maxBytes + BOUNDARY_BYTES bytes; the newest byte sits just before `#pushed % ring length`. */
  readonly #ring: Buffer;
  #pushed = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.#maxBytes = maxBytes;
    this.#ring = Buffer.allocUnsafe(maxBytes + BOUNDARY_BYTES);
  }

  push(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const ring = this.#ring;
    const size = ring.length;
    const from = bytes.length > size ? bytes.length - size : 0;
    const at = (this.#pushed + from) % size;
    const first = Math.min(bytes.length - from, size - at);
    if (from === 0 && first === bytes.length) {
      ring.set(bytes, at); // the usual case: no wrap, no view to make
    } else {
      ring.set(bytes.subarray(from, from + first), at);
      if (from + first < bytes.length) ring.set(bytes.subarray(from + first), 0);
    }
    this.#pushed += bytes.length;
  }

  /** The whole events among the kept bytes, in order (`isStreamEnd`: a last event without its blank line counts). */
  events(isStreamEnd: boolean): SseEvent[] {
    if (this.#pushed === 0) return [];
    const kept = Math.min(this.#pushed, this.#maxBytes);
    const before = Math.min(this.#pushed - kept, BOUNDARY_BYTES);
    const window = this.#last(kept + before);
    const lastEvents = startOfLastEvents(window, before, LAST_EVENTS);
    let text = window.toString('utf8', lastEvents === -1 ? before : lastEvents);
    // Nothing let go, or what was let go ended with a blank line: the kept bytes begin with a new event.
    if (lastEvents === -1 && before !== 0 && !endsWithBlankLine(window.subarray(0, before))) {
      const start = afterFirstBlankLine(text);
      if (start === -1) return [];
      text = text.slice(start);
    }
    const parser = new SseParser();
    const events = parser.push(text);
    return isStreamEnd ? events.concat(parser.end()) : events;
  }

  /** The newest `count` bytes (at most the ring's size), in stream order. */
  #last(count: number): Buffer {
    const ring = this.#ring;
    const end = this.#pushed % ring.length;
    if (count <= end) return ring.subarray(end - count, end);
    return Buffer.concat([ring.subarray(ring.length - (count - end)), ring.subarray(0, end)], count);
  }
}
