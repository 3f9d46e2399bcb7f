import { describe, expect, it } from 'vitest';
import { finishReasonFromStopReason, stopReasonFromFinishReason } from './stop-reasons.ts';

describe('stop reasons', () => {
  it.each([
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['tool_use', 'tool_calls'],
    ['pause_turn', 'stop'], ['refusal', 'content_filter'], ['model_context_window_exceeded', 'length'],
    [null, 'stop'], ['some_future_reason', 'stop'], ['constructor', 'stop'],
  ])('maps Anthropic %s to OpenAI %s (raw values never cross)', (stop, finish) => {
    expect(finishReasonFromStopReason(stop)).toBe(finish);
  });

  it.each([
    ['stop', 'end_turn'], ['length', 'max_tokens'], ['tool_calls', 'tool_use'], ['function_call', 'tool_use'],
    ['content_filter', 'refusal'], [null, 'end_turn'], ['eos', 'end_turn'],
  ])('maps OpenAI %s to Anthropic %s', (finish, stop) => {
    expect(stopReasonFromFinishReason(finish)).toBe(stop);
  });
});
