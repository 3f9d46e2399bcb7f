/**
 * Anthropic `stop_reason` ⇄ OpenAI `finish_reason` (ai-gateways.md §2.3). Raw values never cross: an
 * unknown value maps to the plain "stopped" value of the other side.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { StopReason } from './wire-types.ts';

export type FinishReason = ChatCompletion.Choice['finish_reason'];

const TO_FINISH: Readonly<Record<StopReason, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  pause_turn: 'stop', // the caller resends to continue; OpenAI has no equivalent
  refusal: 'content_filter',
  model_context_window_exceeded: 'length',
};

export function finishReasonFromStopReason(stopReason: string | null | undefined): FinishReason {
  return (stopReason !== null && stopReason !== undefined && Object.hasOwn(TO_FINISH, stopReason))
    ? TO_FINISH[stopReason as StopReason]
    : 'stop';
}

/**
 * OpenAI does not say which stop string matched, so `stop` becomes `end_turn` with `stop_sequence: null`.
 * A missing finish reason is also `end_turn` here; the stream translator treats it as truncation instead.
 */
export function stopReasonFromFinishReason(finishReason: string | null | undefined): StopReason {
  switch (finishReason) {
    case 'length': return 'max_tokens';
    case 'tool_calls': case 'function_call': return 'tool_use';
    case 'content_filter': return 'refusal';
    default: return 'end_turn';
  }
}
