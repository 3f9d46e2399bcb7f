/**
 * The last bytes of a relayed SSE stream, kept by reference (the chunks the client was sent, not copies)
 * so the passthrough relay can read what matters at the end of a stream without parsing every event: the
 * usage chunk, `[DONE]` / `message_stop`, an error event. At most about `maxBytes` are kept; older chunks
 * are let go. `events()` parses what is kept, from the first event boundary when older bytes were dropped
 * (so a cut-off first event is never read), and hands back whole events only.
 */
import { SseParser, type SseEvent } from '../translate/sse-parser.ts';

const DEFAULT_MAX_BYTES = 16 * 1024;

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
  #hasDropped = false;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Uint8Array | string): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    // Drop the oldest chunks while what remains still holds maxBytes (the newest chunk always stays).
    while (this.#chunks.length > 1 && this.#bytes - (this.#chunks[0] as Uint8Array | string).length >= this.#maxBytes) {
      this.#bytes -= (this.#chunks.shift() as Uint8Array | string).length;
      this.#hasDropped = true;
    }
  }

  /** The whole events among the kept bytes, in order (`isStreamEnd`: a last event without its blank line counts). */
  events(isStreamEnd: boolean): SseEvent[] {
    if (this.#chunks.length === 0) return [];
    const parts = this.#chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    let text = Buffer.concat(parts).toString('utf8');
    if (this.#hasDropped) {
      const start = afterFirstBlankLine(text);
      if (start === -1) return [];
      text = text.slice(start);
    }
    const parser = new SseParser();
    const events = parser.push(text);
    return isStreamEnd ? events.concat(parser.end()) : events;
  }
}
