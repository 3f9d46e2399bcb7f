/**
 * Same-dialect relay: upstream bytes go to the client as they come, and the relay reads what the
 * gateway needs from them: usage (OpenAI's usage chunk; Anthropic's message_start / message_delta) and
 * the stream's proper end (`[DONE]`, `message_stop`), so a cut stream ends with an error event instead of
 * a clean end.
 * - Watching (the client takes every event): no event is parsed on its way through. Everything the relay
 *   reads sits at a stream's end (usage chunk, `[DONE]`, message_delta, message_stop, the error event of
 *   a failing stream), so the last bytes are kept (StreamTail) and parsed once when the stream ends, fails
 *   or the client leaves; an Anthropic stream's first events are parsed until message_start (input usage).
 *   An error event in the middle of a stream that then ends properly is not seen (no provider sends one).
 * - Re-framing: OpenAI streams always ask for usage upstream; when the client did not ask for it, the
 *   usage-only chunk is removed, which means parsing every event and writing the kept ones again.
 */
import { renderError } from '../../core/render-error.ts';
import { GatewayError } from '../../core/errors.ts';
import type { UpstreamHeaders } from '../providers/provider.ts';
import { translatedResponseHeaders } from '../translate/response-head.ts';
import { isRecord } from '../translate/json-values.ts';
import { SseParser, type SseEvent } from '../translate/sse-parser.ts';
import type { StreamOutcome } from '../translate/translator.ts';
import { mergeAnthropicUsage, usageFromAnthropic, usageFromOpenAi, ZERO_USAGE, type TokenUsage } from '../translate/usage.ts';
import type { ClientAiDialect, RelayedError, ResponseRelay } from './response-relay.ts';
import { StreamTail } from './stream-tail.ts';
import { findTailObjectMember, type TailMember } from '../../lib/json-tail-member.ts';
import { utf8Text } from '../../lib/utf8-text.ts';

/** Anthropic events parsed at a watched stream's start before giving up on a message_start. */
const HEAD_EVENTS = 4;
const KEPT_ERROR_HEADERS = ['retry-after', 'retry-after-ms', 'request-id', 'x-request-id'] as const;
/** A first filter, without the quote: a search for a pattern that starts with `"` stops at every quote of the JSON (5× slower). */
const USAGE_KEY = 'usage';
/** A `usage` key whose value is an object (`"usage":null` comes in every chunk when usage is asked for). */
const USAGE_OBJECT_RE = /"usage"\s*:\s*\{/;

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The parsed value of a member findTailObjectMember found in `bytes` (undefined when none, or not JSON). */
function parseMember(bytes: Uint8Array, member: TailMember): unknown {
  return member.kind === 'found' ? parse(utf8Text(bytes, member.start, member.end)) : undefined;
}

/** The chunk's last byte is a line break, so no partial UTF-8 sequence waits in the decoder. */
function endsWithLineBreak(chunk: Uint8Array | string): boolean {
  const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
  return last === 0x0a || last === 0x0d;
}

/** The error event that ends a cut stream, in the client's dialect. */
export function streamErrorEvent(dialect: ClientAiDialect, message: string): string {
  const body = renderError(new GatewayError('upstream_error', message), dialect).body;
  return dialect === 'anthropic' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`;
}

export class PassthroughRelay implements ResponseRelay {
  readonly #dialect: ClientAiDialect;
  readonly #isStream: boolean;
  /** OpenAI only: drop the usage-only chunk the client did not ask for. */
  readonly #isReframing: boolean;
  /** Made on a stream's first use (a JSON answer never needs one, and its TextDecoder is not free). */
  #sse: SseParser | null = null;
  /** Watching only: the last bytes, read at the end. */
  readonly #tail: StreamTail | null;
  /** Watching only: events of an Anthropic stream's start still to parse for message_start (0: done). */
  #headEventsLeft: number;
  #hasMessageStart = false;
  #outcome: StreamOutcome = 'open';
  #usage: TokenUsage = ZERO_USAGE;

  constructor(dialect: ClientAiDialect, isStream: boolean, clientWantsUsage: boolean) {
    this.#dialect = dialect;
    this.#isStream = isStream;
    this.#isReframing = dialect === 'openai' && isStream && !clientWantsUsage;
    const isWatching = isStream && !this.#isReframing;
    this.#tail = isWatching ? new StreamTail() : null;
    this.#headEventsLeft = isWatching && dialect === 'anthropic' ? HEAD_EVENTS : 0;
  }

  get streamOutcome(): StreamOutcome {
    return this.#outcome;
  }

  /** For a watched stream still open (the client left), what its kept tail says so far. */
  get usage(): TokenUsage {
    if (this.#tail !== null && this.#outcome === 'open') this.#readTail(false);
    return this.#usage;
  }

  renderError(status: number, bodyText: string, headers: UpstreamHeaders): RelayedError {
    const out: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of KEPT_ERROR_HEADERS) {
      const value = headers[name];
      const text = Array.isArray(value) ? value[0] : value;
      if (text !== undefined) out[name] = text;
    }
    if (parse(bodyText) !== undefined) return { status, headers: out, body: bodyText };
    // Not JSON (an HTML error page of a proxy in front of the provider): the client still gets its dialect.
    const rendered = renderError(new GatewayError('upstream_error', `upstream answered HTTP ${status}`), this.#dialect);
    return { status, headers: out, body: rendered.body };
  }

  responseHeaders(upstream: UpstreamHeaders): Record<string, string> {
    return translatedResponseHeaders(upstream, this.#isStream);
  }

  /** The same bytes go on; only the `usage` member is read (both dialects put it at the end). */
  relayJson(body: Uint8Array): Uint8Array {
    const usage = findTailObjectMember(body, 'usage');
    if (usage.kind === 'not_object') throw new GatewayError('upstream_error', 'the upstream answer is not a JSON object');
    const payload = parseMember(body, usage);
    if (isRecord(payload)) this.#usage = this.#dialect === 'anthropic' ? usageFromAnthropic(payload as never) : usageFromOpenAi(payload as never);
    this.#outcome = 'complete';
    return body;
  }

  push(chunk: Uint8Array | string): Uint8Array | string {
    const tail = this.#tail;
    if (tail !== null) {
      tail.push(chunk);
      if (this.#headEventsLeft > 0) this.#readHead(chunk);
      return chunk;
    }
    const parser = this.#parser();
    const wasBetweenEvents = parser.isBetweenEvents;
    const events = parser.push(chunk);
    // Re-framing drops the usage-only chunk. A chunk that holds whole events only, none of them dropped,
    // goes on as the same bytes (the usual case: one event per upstream write); otherwise the kept events
    // are written again and an unfinished one waits in the parser for its end.
    let dropped = 0;
    const kept = events.map((event) => this.#observe(event) || (dropped++, false));
    if (dropped === 0 && wasBetweenEvents && parser.isBetweenEvents && endsWithLineBreak(chunk)) return chunk;
    let out = '';
    for (let i = 0; i < events.length; i++) if (kept[i] === true) out += `data: ${(events[i] as SseEvent).data}\n\n`;
    return out;
  }

  end(): string {
    if (this.#tail !== null) {
      this.#readTail(true);
      return this.#outcome === 'open' ? this.#truncate('upstream stream ended early') : '';
    }
    let out = '';
    for (const event of this.#parser().end()) if (this.#observe(event) && this.#isReframing) out += `data: ${event.data}\n\n`;
    if (this.#outcome !== 'open') return out;
    this.#outcome = 'truncated';
    return out + streamErrorEvent(this.#dialect, 'upstream stream ended early');
  }

  fail(): string {
    if (this.#tail !== null) this.#readTail(false);
    if (this.#outcome !== 'open') return '';
    return this.#truncate('upstream stream failed');
  }

  #parser(): SseParser {
    return (this.#sse ??= new SseParser());
  }

  #truncate(message: string): string {
    this.#outcome = 'truncated';
    return streamErrorEvent(this.#dialect, message);
  }

  /** An Anthropic stream's first events, until message_start has given the input usage. */
  #readHead(chunk: Uint8Array | string): void {
    for (const event of this.#parser().push(chunk)) {
      this.#headEventsLeft--;
      if (event.event === 'message_start') {
        this.#observe(event);
        this.#hasMessageStart = true;
        this.#headEventsLeft = 0;
      }
      if (this.#headEventsLeft <= 0) return;
    }
  }

  /** Reads the kept tail of a watched stream (again from its start each time: observing is idempotent). */
  #readTail(isStreamEnd: boolean): void {
    for (const event of (this.#tail as StreamTail).events(isStreamEnd)) {
      if (this.#hasMessageStart && event.event === 'message_start') continue;
      this.#observe(event);
    }
  }

  /** Tracks usage and the stream's end; false when the event is to be left out of a re-framed stream. */
  #observe(event: SseEvent): boolean {
    const data = event.data;
    if (this.#dialect === 'anthropic') {
      const type = event.event;
      if (type === 'message_stop') this.#outcome = 'complete';
      else if (type === 'error') this.#outcome = 'error';
      else if (type === 'message_start' || type === 'message_delta') {
        const payload = parse(data);
        if (isRecord(payload)) {
          const message = payload.message;
          if (type === 'message_start' && isRecord(message)) this.#usage = usageFromAnthropic(message.usage as never);
          else this.#usage = mergeAnthropicUsage(this.#usage, payload.usage as never);
        }
      }
      return true;
    }
    if (data === '[DONE]') {
      if (this.#outcome === 'open') this.#outcome = 'complete';
      return true;
    }
    if (data.startsWith('{"error"')) {
      this.#outcome = 'error';
      return true;
    }
    if (data.indexOf(USAGE_KEY) === -1 || !USAGE_OBJECT_RE.test(data)) return true;
    if (!this.#isReframing) {
      // Watching: only the usage is needed, and parsing it alone costs a fraction of the whole chunk.
      const bytes = Buffer.from(data);
      const payload = parseMember(bytes, findTailObjectMember(bytes, 'usage'));
      if (isRecord(payload)) this.#usage = usageFromOpenAi(payload as never);
      return true;
    }
    const payload = parse(data);
    if (!isRecord(payload)) return true;
    this.#usage = usageFromOpenAi(payload.usage as never);
    return !(Array.isArray(payload.choices) && payload.choices.length === 0);
  }
}
