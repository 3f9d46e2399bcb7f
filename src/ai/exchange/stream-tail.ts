/**
 * The last bytes of a relayed SSE stream, kept by reference (the chunks the client was sent, not copies)
 * so the passthrough relay can read what matters at the end of a stream without parsing every event: the
 * usage chunk, `[DONE]` / `message_stop`, an error event. At most about `maxBytes` are kept (4 KB: those
 * last events take well under 1 KB, and the tail is decoded once per stream, so keeping more costs every
 * stream); older chunks are let go. `events()` parses the last events kept, never one whose start was let
 * go, and hands back whole events only. */
import { SseParser, type SseEvent } from '../translate/sse-parser.ts';

const DEFAULT_MAX_BYTES = 4 * 1024;

/** Events read at the end: the usage chunk, `[DONE]`, message_delta, message_stop, an error, a ping between. */
const LAST_EVENTS = 6;

/** Index where the last `count` LF-delimited events of `text` begin, or -1 when it holds fewer. */
function startOfLastEvents(text: string, count: number): number {
  let end = text.endsWith('\n\n') ? text.length - 2 : text.length;
  for (let i = 0; i < count; i++) {
    const at = text.lastIndexOf('\n\n', end - 1);
    if (at === -1) return -1;
    end = at;
  }
  return end + 2;
}

/** The chunk ends with a blank line (LF LF, CRLF CRLF): whatever follows starts a new event. */
function endsWithBlankLine(chunk: Uint8Array | string): boolean {
  const at = (i: number): number => (typeof chunk === 'string' ? chunk.charCodeAt(i) : (chunk[i] ?? -1));
  let i = chunk.length - 1;
  if (i < 0 || at(i) !== 0x0a) return false;
  i--;
  if (i >= 0 && at(i) === 0x0d) i--;
  return i >= 0 && at(i) === 0x0a;
}

/** Index just past the first blank line (LF LF or CRLF CRLF) in `text`, or -1. */
function afterFirstBlankLine(text: string): number {
  const lf = text.indexOf('\n\n');
  const crlf = text.indexOf('\r\n\r\n');
  if (lf === -1) return crlf === -1 ? -1 : crlf + 4;
  if (crlf === -1 || lf < crlf) return lf + 2;
  return crlf + 4;
}

export class StreamTail {
  readonly #maxBytes: number;
  #chunks: Array<Uint8Array | string> = [];
  #bytes = 0;
  /** The kept bytes begin with a new event (nothing let go yet, or the last chunk let go ended one). */
  #startsAtEvent = true;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Uint8Array | string): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    // Drop the oldest chunks while what remains still holds maxBytes (the newest chunk always stays).
    while (this.#chunks.length > 1 && this.#bytes - (this.#chunks[0] as Uint8Array | string).length >= this.#maxBytes) {
      const dropped = this.#chunks.shift() as Uint8Array | string;
      this.#bytes -= dropped.length;
      this.#startsAtEvent = endsWithBlankLine(dropped);
    }
  }

  /** The whole events among the kept bytes, in order (`isStreamEnd`: a last event without its blank line counts). */
  events(isStreamEnd: boolean): SseEvent[] {
    if (this.#chunks.length === 0) return [];
    const parts = this.#chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    let text = Buffer.concat(parts).toString('utf8');
    const lastEvents = startOfLastEvents(text, LAST_EVENTS);
    if (lastEvents !== -1) {
      text = text.slice(lastEvents);
    } else if (!this.#startsAtEvent) {
      const start = afterFirstBlankLine(text);
      if (start === -1) return [];
      text = text.slice(start);
    }
    const parser = new SseParser();
    const events = parser.push(text);
    return isStreamEnd ? events.concat(parser.end()) : events;
  }
}
