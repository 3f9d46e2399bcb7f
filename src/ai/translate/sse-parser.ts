/**
 * Incremental server-sent-events parser (WHATWG HTML §9.2.6 "Interpreting an event stream").
 * Bytes are decoded with a streaming TextDecoder (a UTF-8 sequence split across chunks is kept whole);
 * lines end in CRLF, LF or CR, and a CR at the end of one chunk followed by LF at the start of the next
 * counts once. Only the unterminated tail of the input is ever kept, so a long stream is scanned once
 * (no re-splitting of a growing buffer).
 */
import { TextDecoder } from 'node:util';
import { utf8Text } from '../../lib/utf8-text.ts';

export interface SseEvent {
  /** The `event:` field, or undefined when absent (the spec's default type "message"). */
  readonly event: string | undefined;
  /** All `data:` lines of the event joined with "\n". */
  readonly data: string;
  /** The `id:` field when the event carried one. */
  readonly id: string | undefined;
}

export class SseParser {
  /** Made when a chunk needs it (see #decode); most streams never do. */
  #decoder: TextDecoder | null = null;
  /** The decoder holds no part of a character. */
  #isDecoderClear = true;
  /** No byte was decoded yet (a byte order mark is only dropped there). */
  #isAtStart = true;
  /** Undecoded tail: the part of the input after the last line terminator. */
  #tail = '';
  /** The previous chunk ended in CR, so a LF starting the next chunk belongs to that line end. */
  #isAfterCr = false;
  #event: string | undefined = undefined;
  #id: string | undefined = undefined;
  /** The event's data so far, its lines joined with LF (undefined: no data line yet). */
  #data: string | undefined = undefined;

  /** Nothing of an unfinished line or event is held: the input so far ended exactly between events. */
  get isBetweenEvents(): boolean {
    return this.#tail.length === 0 && this.#data === undefined && this.#event === undefined;
  }

  /** Feeds the next piece of the stream; returns the events it completed, in order. */
  push(chunk: string | Uint8Array): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.#decode(chunk);
    const out: SseEvent[] = [];
    this.#scan(text, out);
    return out;
  }

  /**
   * The stream ended. A last line without its terminator is processed as a line; an event whose blank
   * line never came is dispatched only if all of its lines were complete when the stream ended — an event
   * cut inside a line is incomplete and dropped (a truncated JSON payload is worth nothing).
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.#scan(this.#decoder?.decode() ?? '', out);
    const isCut = this.#tail.length > 0;
    this.#tail = '';
    if (!isCut) this.#dispatch(out);
    this.#reset();
    return out;
  }

  /**
   * A chunk that ends on an ASCII byte ends on a character boundary; when nothing of the chunk before waits
   * in the decoder either, Buffer's UTF-8 decoding gives the same text, faster than a streaming TextDecoder.
   * The stream's first bytes go through the decoder when they may be a byte order mark.
   */
  #decode(bytes: Uint8Array): string {
    if (bytes.length === 0) return '';
    const endsOnBoundary = (bytes[bytes.length - 1] as number) < 0x80;
    const mayHoldBom = this.#isAtStart && bytes[0] === 0xef;
    this.#isAtStart = false;
    if (this.#isDecoderClear && endsOnBoundary && !mayHoldBom) return utf8Text(bytes);
    const text = (this.#decoder ??= new TextDecoder('utf-8')).decode(bytes, { stream: true });
    this.#isDecoderClear = endsOnBoundary;
    return text;
  }

  #scan(text: string, out: SseEvent[]): void {
    let start = 0;
    if (this.#isAfterCr && text.length > 0) {
      if (text.charCodeAt(0) === 10) start = 1;
      this.#isAfterCr = false;
    }
    const length = text.length;
    // Next LF and CR at or after `start`; each is searched again only once passed (native indexOf).
    let nextLf = text.indexOf('\n', start);
    let nextCr = text.indexOf('\r', start);
    while (nextLf !== -1 || nextCr !== -1) {
      const isCr = nextCr !== -1 && (nextLf === -1 || nextCr < nextLf);
      const end = isCr ? nextCr : nextLf;
      const line = this.#tail.length > 0 ? this.#tail + text.slice(start, end) : text.slice(start, end);
      this.#tail = '';
      this.#line(line, out);
      start = end + 1;
      if (isCr) {
        if (start < length) {
          if (text.charCodeAt(start) === 10) start++;
        } else {
          this.#isAfterCr = true;
        }
      }
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
      if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start);
    }
    if (start < length) this.#tail += text.slice(start);
  }

  #line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.#dispatch(out);
      return;
    }
    const first = line.charCodeAt(0);
    if (first === 58) return; // ':' comment, e.g. a keep-alive
    // `data: ` (nearly every line of a stream) without cutting out the field name first.
    if (first === 100 && line.charCodeAt(4) === 58 && line.startsWith('data')) {
      this.#addData(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#addData(value);
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      default:
        break; // `retry` and unknown fields are ignored
    }
  }

  #addData(value: string): void {
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }

  #dispatch(out: SseEvent[]): void {
    if (this.#data !== undefined) out.push({ event: this.#event, data: this.#data, id: this.#id });
    this.#reset();
  }

  #reset(): void {
    this.#event = undefined;
    this.#data = undefined;
  }
}
