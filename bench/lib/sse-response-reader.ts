/**
 * Incremental reader for HTTP/1.1 responses on a keep-alive socket, for the SSE load client. It decodes
 * Content-Length and chunked bodies and counts SSE events (a blank line, "\n\n", ends one) across any
 * split of the bytes, without keeping the body. One reader per connection; `reset()` before each request.
 */

export interface ResponseEvents {
  /** The response head arrived. */
  onHead(status: number): void;
  /** `count` more SSE events completed in this piece of the body. */
  onEvents(count: number): void;
  /** The body is complete; the connection can carry the next request. */
  onEnd(): void;
}

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n');

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'done';

export class SseResponseReader {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private lastWasLf = false;
  private readonly events: ResponseEvents;

  constructor(events: ResponseEvents) {
    this.events = events;
  }

  reset(): void {
    this.state = 'head';
    this.pending = undefined;
    this.remaining = 0;
    this.lastWasLf = false;
  }

  isDone(): boolean {
    return this.state === 'done';
  }

  /** Feeds bytes from the socket; throws on a malformed response. */
  push(data: Buffer): void {
    const buf = this.pending === undefined ? data : Buffer.concat([this.pending, data]);
    this.pending = undefined;
    let pos = 0;
    while (pos < buf.length && this.state !== 'done') {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf(HEAD_END, pos);
          if (end < 0) return this.keep(buf, pos);
          this.parseHead(buf.toString('latin1', pos, end));
          pos = end + 4;
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, buf.length - pos);
          this.countEvents(buf, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case 'chunk-size': {
          const eol = buf.indexOf(LF, pos);
          if (eol < 0) return this.keep(buf, pos);
          const size = Number.parseInt(buf.toString('latin1', pos, eol), 16);
          if (!Number.isFinite(size)) throw new Error('bad chunk size');
          pos = eol + 1;
          if (size === 0) this.state = 'trailer';
          else {
            this.remaining = size;
            this.state = 'chunk-data';
          }
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, buf.length - pos);
          this.countEvents(buf, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = 'chunk-crlf';
            this.remaining = 2;
          }
          break;
        }
        case 'chunk-crlf': {
          const take = Math.min(this.remaining, buf.length - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'chunk-size';
          break;
        }
        case 'trailer': {
          // No trailers expected: the last chunk is followed by an empty line.
          const eol = buf.indexOf(LF, pos);
          if (eol < 0) return this.keep(buf, pos);
          const isEmpty = eol === pos || (eol === pos + 1 && buf[pos] === CR);
          pos = eol + 1;
          if (isEmpty) this.finish();
          break;
        }
        default:
          return;
      }
    }
    if (pos < buf.length) throw new Error('bytes after the end of the response');
  }

  private keep(buf: Buffer, pos: number): void {
    this.pending = buf.subarray(pos);
  }

  private parseHead(head: string): void {
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    this.events.onHead(status);
    if (/\r\ntransfer-encoding:\s*chunked/.test(lower)) this.state = 'chunk-size';
    else if (lengthMatch?.[1] !== undefined) {
      this.remaining = Number(lengthMatch[1]);
      this.state = 'length';
      if (this.remaining === 0) this.finish();
    } else throw new Error('response without length (connection-delimited bodies are not supported)');
  }

  private countEvents(buf: Buffer, start: number, end: number): void {
    if (start >= end) return;
    let count = 0;
    if (this.lastWasLf && buf[start] === LF) count++;
    let at = buf.indexOf('\n\n', start);
    while (at >= 0 && at + 1 < end) {
      count++;
      at = buf.indexOf('\n\n', at + 2);
    }
    this.lastWasLf = buf[end - 1] === LF;
    if (count > 0) this.events.onEvents(count);
  }

  private finish(): void {
    this.state = 'done';
    this.events.onEnd();
  }
}
