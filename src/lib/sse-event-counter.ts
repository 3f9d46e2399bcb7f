/**
 * Counts server-sent events in a byte or text stream as it passes, chunk by chunk: an event ends with an
 * empty line (LF LF; CRs are ignored, so CRLF CRLF counts too), and an end split across chunks is still
 * seen. Used where a stream is relayed to a client (the proxy's request record, the AI exchange), so both
 * count `streaming_events_total` the same way. No buffering: only the previous significant byte is kept.
 */
const LF = 0x0a;
const CR = 0x0d;
/**
 * The typed-array search (a V8 builtin) instead of Buffer's indexOf: a chunk is searched once per line, and
 * Buffer's JS wrapper (argument checks, then the binding) took more time than the search in a profile.
 */
const indexOfByte = Uint8Array.prototype.indexOf;

export class SseEventCounter {
  /** Previous byte other than CR. */
  #last = 0;

  /** Returns the number of events this chunk completes. */
  push(chunk: Uint8Array | string): number {
    return typeof chunk === 'string' ? this.#pushText(chunk) : this.#pushBytes(chunk);
  }

  #pushBytes(chunk: Uint8Array): number {
    let events = 0;
    let last = this.#last;
    let from = 0;
    let at = indexOfByte.call(chunk, LF);
    while (at !== -1) {
      let prev = at - 1;
      while (prev >= from && chunk[prev] === CR) prev--;
      if ((prev >= from ? chunk[prev] : last) === LF) events++;
      last = LF;
      from = at + 1;
      at = indexOfByte.call(chunk, LF, from);
    }
    for (let i = chunk.length - 1; i >= from; i--) {
      if (chunk[i] !== CR) {
        last = chunk[i] as number;
        break;
      }
    }
    this.#last = last;
    return events;
  }

  #pushText(chunk: string): number {
    let events = 0;
    let last = this.#last;
    let from = 0;
    let at = chunk.indexOf('\n');
    while (at !== -1) {
      let prev = at - 1;
      while (prev >= from && chunk.charCodeAt(prev) === CR) prev--;
      if ((prev >= from ? chunk.charCodeAt(prev) : last) === LF) events++;
      last = LF;
      from = at + 1;
      at = chunk.indexOf('\n', from);
    }
    for (let i = chunk.length - 1; i >= from; i--) {
      const c = chunk.charCodeAt(i);
      if (c !== CR) {
        last = c;
        break;
      }
    }
    this.#last = last;
    return events;
  }
}
