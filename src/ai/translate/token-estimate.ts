/**
 * A documented pre-dispatch estimate of a request's input tokens: ceil(characters / 4) over the text
 * the model reads (system, message text, tool results, tool definitions as JSON), OpenAI's rule of
 * thumb for English. Not a tokenizer: good enough for Claude Code's `message_start` display and for a
 * local `count_tokens` answer when the upstream has none; images and documents are not counted.
 */
import { isRecord } from './json-values.ts';

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

function textLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') length += block.text.length;
    else if (block.type === 'tool_use') length += JSON.stringify(block.input ?? {}).length;
    else if (block.type === 'tool_result') length += textLength(block.content);
    else if (typeof block.thinking === 'string') length += block.thinking.length;
  }
  return length;
}

/** Estimated input tokens of an Anthropic Messages request (also usable for count_tokens). */
export function estimateAnthropicInputTokens(body: { system?: unknown; messages?: unknown; tools?: unknown }): number {
  let length = textLength(body.system);
  if (Array.isArray(body.messages)) for (const message of body.messages) if (isRecord(message)) length += textLength(message.content);
  if (Array.isArray(body.tools)) length += JSON.stringify(body.tools).length;
  return estimateTokens(length);
}
