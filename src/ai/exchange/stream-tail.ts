/**
 * The last bytes of a relayed SSE stream, copied into a buffer of fixed size, so the passthrough relay can
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
  /**
   * Twice the kept size (maxBytes + BOUNDARY_BYTES): chunks are appended, and when the next one does not fit,
   * the newest kept bytes move to the front first. The kept bytes are then always in one piece, so reading
   * them never joins two parts of a ring; the move costs one memmove per kept size of stream.
   */
  readonly #buffer: Buffer;
  /** Bytes in #buffer (its newest bytes end there). */
  #length = 0;
  #pushed = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.#maxBytes = maxBytes;
    this.#buffer = Buffer.allocUnsafe(2 * (maxBytes + BOUNDARY_BYTES));
  }

  push(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const buffer = this.#buffer;
    const keep = this.#maxBytes + BOUNDARY_BYTES;
    this.#pushed += bytes.length;
    if (bytes.length >= keep) {
      buffer.set(bytes.subarray(bytes.length - keep));
      this.#length = keep;
      return;
    }
    if (this.#length + bytes.length > buffer.length) {
      const older = keep - bytes.length; // fewer than #length here: only what is still kept moves
      buffer.copyWithin(0, this.#length - older, this.#length);
      this.#length = older;
    }
    buffer.set(bytes, this.#length);
    this.#length += bytes.length;
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

  /** The newest `count` bytes (at most maxBytes + BOUNDARY_BYTES), in stream order. */
  #last(count: number): Buffer {
    return this.#buffer.subarray(this.#length - count, this.#length);
  }
}
