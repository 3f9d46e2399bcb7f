/**
 * Anthropic Message → OpenAI `chat.completion` (ai-gateways.md §2.3). Text blocks are concatenated;
 * `content` is null when there is no text but there are tool calls (OpenAI's convention); thinking goes
 * to the de-facto `reasoning_content` and, with its signature, to `thinking_blocks` so an OpenAI client
 * can replay it to Claude on the next tool turn.
 */
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import { isRecord } from '../json-values.ts';
import { finishReasonFromStopReason } from '../stop-reasons.ts';
import { toOpenAiUsage, usageFromAnthropic } from '../usage.ts';
import type { OpenAiCompletionOut, OpenAiMessageOut, ThinkingBlockOut } from '../wire-types.ts';

export interface AnthropicResponseOptions {
  /** The model name the client asked for (reported back instead of the upstream's). */
  readonly clientModel: string;
  readonly nowMs?: number;
}

export function translateAnthropicResponse(message: Message, opts: AnthropicResponseOptions): OpenAiCompletionOut {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const thinkingBlocks: ThinkingBlockOut[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const block of Array.isArray(message.content) ? message.content : []) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        break;
      case 'thinking':
        reasoning.push(block.thinking);
        thinkingBlocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
        break;
      case 'redacted_thinking':
        thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      default:
        break; // server tool blocks have no OpenAI equivalent
    }
  }
  const text = texts.join('');
  const out: OpenAiMessageOut = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  if (reasoning.length > 0) out.reasoning_content = reasoning.join('');
  if (thinkingBlocks.length > 0) out.thinking_blocks = thinkingBlocks;
  return {
    id: message.id,
    object: 'chat.completion',
    created: Math.floor((opts.nowMs ?? Date.now()) / 1000),
    model: opts.clientModel,
    choices: [{ index: 0, message: out, logprobs: null, finish_reason: finishReasonFromStopReason(message.stop_reason) }],
    usage: toOpenAiUsage(usageFromAnthropic(message.usage)),
  };
}
