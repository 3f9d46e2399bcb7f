/**
 * The built-in `mock` provider: answers without network or key, so the example config works offline and
 * tests get a deterministic upstream. The reply is the configured `reply`, else an echo of the last user
 * message. Token counts are an estimate (ceil(characters / 4), OpenAI's rule of thumb for English text),
 * not a tokenizer: clients and quotas get plausible non-zero usage.
 */
import type { CompletionUsage } from 'openai/resources/completions';
import type { ProviderConfig } from '../config/schema.ts';
import { contentText, type ChatRequest } from './chat-request.ts';

export type MockProviderConfig = Pick<Extract<ProviderConfig, { type: 'mock' }>, 'chunk_delay' | 'reply'>;

/** Words per streamed content chunk. */
const WORDS_PER_CHUNK = 3;
/** Whitespace before the first word, the word, and the whitespace after it: pieces concatenate to the text. */
const WORD_RE = /\s*\S+\s*/g;

export interface MockReply {
  readonly text: string;
  /** `text` cut into stream pieces of a few words; joined they give `text` exactly. */
  readonly pieces: readonly string[];
  readonly usage: CompletionUsage;
  /** Pause before each content piece, in milliseconds. */
  readonly chunkDelayMs: number;
}

export function createMockReply(request: ChatRequest, config: MockProviderConfig): MockReply {
  const text = config.reply ?? `mock reply to: ${lastUserText(request)}`;
  let promptChars = 0;
  for (const message of request.messages) promptChars += contentText(message.content).length;
  const promptTokens = estimateTokens(promptChars);
  const completionTokens = estimateTokens(text.length);
  return {
    text,
    pieces: splitIntoPieces(text, WORDS_PER_CHUNK),
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    chunkDelayMs: config.chunk_delay,
  };
}

/** ceil(characters / 4): a documented estimate, not a tokenizer. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Cuts `text` into pieces of `wordsPerPiece` words, keeping all whitespace so the pieces join back to `text`. */
export function splitIntoPieces(text: string, wordsPerPiece: number): string[] {
  const words = text.match(WORD_RE);
  if (words === null) return text.length === 0 ? [] : [text];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerPiece) pieces.push(words.slice(i, i + wordsPerPiece).join(''));
  return pieces;
}

function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role === 'user') return contentText(message.content);
  }
  return '';
}
