/**
 * Builds OpenAI chat-completions response objects for one request: the non-streaming `chat.completion`
 * and the `chat.completion.chunk` stream events, all sharing one id, `created` and model name (as OpenAI
 * does). Typed with the `openai` package's wire types (type-only: the package is a devDependency).
 */
import { randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

export type FinishReason = ChatCompletion.Choice['finish_reason'];

export class ChatChunkBuilder {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  /** The model name reported to the client (the name it asked for). */
  readonly model: string;

  constructor(model: string, nowMs: number = Date.now()) {
    this.id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
    this.created = Math.floor(nowMs / 1000);
    this.model = model;
  }

  completion(content: string, finishReason: FinishReason, usage: CompletionUsage): ChatCompletion {
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason }],
      usage,
    };
  }

  /** The first stream event: announces the assistant role with empty content. */
  roleChunk(): ChatCompletionChunk {
    return this.#chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  }

  contentChunk(content: string): ChatCompletionChunk {
    return this.#chunk([{ index: 0, delta: { content }, logprobs: null, finish_reason: null }]);
  }

  /** The last choice event: empty delta and the finish reason. */
  finishChunk(finishReason: FinishReason): ChatCompletionChunk {
    return this.#chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
  }

  /** Sent after the finish chunk when `stream_options.include_usage` is set: no choices, only usage. */
  usageChunk(usage: CompletionUsage): ChatCompletionChunk {
    return { ...this.#chunk([]), usage };
  }

  #chunk(choices: ChatCompletionChunk['choices']): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices };
  }
}
