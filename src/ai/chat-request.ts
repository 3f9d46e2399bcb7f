/**
 * The OpenAI chat-completions request as the gateway needs it: the fields it routes and answers on,
 * checked at the boundary, plus the untouched body for providers that pass it through. Everything else
 * is the upstream's business and is not validated here.
 */
import { GatewayError } from '../core/errors.ts';

export interface ChatMessage {
  readonly role: string;
  /** A string, an array of content parts, or null/absent (assistant tool calls). */
  readonly content?: unknown;
}

export interface ChatRequest {
  /** The model name or alias exactly as the client sent it. */
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly isStream: boolean;
  /** `stream_options.include_usage`: the client wants a final usage chunk. */
  readonly includeUsage: boolean;
  /** The parsed body as received. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** Narrows a parsed JSON body; throws GatewayError `bad_request` naming the offending field. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isRecord(body)) throw invalid('the request body must be a JSON object');
  const { model, messages, stream, stream_options: streamOptions } = body;
  if (typeof model !== 'string' || model.length === 0) throw invalid("'model' is required and must be a non-empty string");
  if (!Array.isArray(messages) || messages.length === 0) throw invalid("'messages' is required and must be a non-empty array");
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message) || typeof message.role !== 'string') throw invalid(`'messages[${i}]' must be an object with a string 'role'`);
  }
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw invalid("'stream' must be a boolean");
  let includeUsage = false;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!isRecord(streamOptions)) throw invalid("'stream_options' must be an object");
    const flag = streamOptions.include_usage;
    if (flag !== undefined && flag !== null && typeof flag !== 'boolean') throw invalid("'stream_options.include_usage' must be a boolean");
    includeUsage = flag === true;
  }
  return { model, messages: messages as ChatMessage[], isStream: stream === true, includeUsage, body };
}

/**
 * The text of a message's content: a string as is; for content-part arrays the `text` of its text
 * parts joined by newlines (images, audio and files have no text); anything else is empty.
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): GatewayError {
  return new GatewayError('bad_request', message);
}
