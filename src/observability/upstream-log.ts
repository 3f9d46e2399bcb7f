/**
 * The optional upstream debug log (`observability.upstream_log`): one JSON line per direction of an
 * upstream exchange with headers and a body excerpt, credentials redacted (./redact.ts). Bodies are cut
 * at `maxBodyBytes` so a long stream cannot flood the disk. Written through the access log's
 * non-blocking writer.
 */
import type { LogWriter } from './access-log/log-writer.ts';
import { redactBody, redactHeaders } from './redact.ts';
import type { RequestRecord } from './request-record.ts';

export interface UpstreamLogEntry {
  readonly requestId: string;
  readonly direction: 'request' | 'response';
  /** Upstream or provider name. */
  readonly upstream: string;
  readonly url?: string;
  readonly status?: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string | Buffer;
  /** The whole body's length when `body` is already only its start. */
  readonly totalBytes?: number;
}

export class UpstreamLog {
  readonly #writer: LogWriter;
  readonly #maxBodyBytes: number;

  constructor(writer: LogWriter, maxBodyBytes: number) {
    this.#writer = writer;
    this.#maxBodyBytes = maxBodyBytes;
  }

  record(entry: UpstreamLogEntry): void {
    const raw = typeof entry.body === 'string' ? Buffer.from(entry.body) : entry.body;
    const isCut = raw.length > this.#maxBodyBytes || (entry.totalBytes ?? 0) > this.#maxBodyBytes;
    const body = redactBody((isCut ? raw.subarray(0, this.#maxBodyBytes) : raw).toString('utf8'));
    const line = {
      time: new Date().toISOString(),
      request_id: entry.requestId,
      direction: entry.direction,
      upstream: entry.upstream,
      ...(entry.url === undefined ? {} : { url: redactBody(entry.url) }),
      ...(entry.status === undefined ? {} : { status: entry.status }),
      headers: redactHeaders(entry.headers),
      body,
      ...(isCut ? { body_truncated_at: this.#maxBodyBytes } : {}),
    };
    this.#writer.write(`${JSON.stringify(line)}\n`);
  }

  /** Bytes of response body kept per request (RequestRecord.captureLeft). */
  get maxBodyBytes(): number {
    return this.#maxBodyBytes;
  }

  /**
   * Logs a finished proxied exchange: the request head (proxied request bodies stream through and are not
   * kept) and the response with the start of its body.
   */
  recordExchange(record: RequestRecord): void {
    const { req, res } = record;
    this.record({ requestId: record.requestId, direction: 'request', upstream: record.upstream, url: req.url ?? '', headers: req.headers, body: '' });
    this.record({
      requestId: record.requestId,
      direction: 'response',
      upstream: record.upstream,
      status: record.upstreamStatus,
      headers: res.getHeaders(),
      body: record.captured === null ? '' : Buffer.concat(record.captured),
      totalBytes: record.bodyBytes,
    });
  }

  reopen(): void {
    this.#writer.reopen();
  }

  close(): void {
    this.#writer.close();
  }
}
