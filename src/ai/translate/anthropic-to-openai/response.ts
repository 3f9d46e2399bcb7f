/**
 * OpenAI `chat.completion` → Anthropic Message (ai-gateways.md §2.3), blocks in Anthropic's order:
 * thinking (from the de-facto `reasoning_content` / `reasoning`), text, tool_use. Tool arguments that
 * are not a JSON object are kept as a string under `_raw_arguments` rather than lost. Shortened tool
 * names are restored.
 */
import { isRecord, parseToolArguments } from '../json-values.ts';
import { stopReasonFromFinishReason } from '../stop-reasons.ts';
import type { ToolNameMap } from '../tool-names.ts';
import { toAnthropicUsage, usageFromOpenAi } from '../usage.ts';
import type { AnthropicBlockOut, AnthropicMessageOut, OpenAiUpstreamCompletion } from '../wire-types.ts';

export interface OpenAiResponseOptions {
  /** The model name the client asked for (reported back instead of the upstream's). */
  readonly clientModel: string;
  readonly toolNames: ToolNameMap;
}

/** Anthropic message ids start with `msg_`; the upstream id is kept after the prefix for correlation. */
export function anthropicMessageId(upstreamId: unknown): string {
  const id = typeof upstreamId === 'string' && upstreamId !== '' ? upstreamId : 'unknown';
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/** Tool-call arguments → tool_use input: the parsed object, or the raw text kept under `_raw_arguments`. */
function toolInput(args: string | null | undefined): Record<string, unknown> {
  return parseToolArguments(args) ?? { _raw_arguments: args };
}

export function translateOpenAiResponse(completion: OpenAiUpstreamCompletion, opts: OpenAiResponseOptions): AnthropicMessageOut {
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  const message = isRecord(choice) && isRecord(choice.message) ? choice.message : undefined;
  const content: AnthropicBlockOut[] = [];
  if (message !== undefined) {
    const reasoning = message.reasoning_content ?? message.reasoning;
    if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' });
    if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
    if (typeof message.refusal === 'string' && message.refusal !== '') content.push({ type: 'text', text: message.refusal });
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      if (call.type !== 'function') continue;
      content.push({ type: 'tool_use', id: call.id, name: opts.toolNames.toClient(call.function.name), input: toolInput(call.function.arguments) });
    }
  }
  return {
    id: anthropicMessageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: opts.clientModel,
    content,
    stop_reason: stopReasonFromFinishReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(usageFromOpenAi(completion.usage)),
  };
}
