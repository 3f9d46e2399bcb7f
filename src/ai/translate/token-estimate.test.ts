import { describe, expect, it } from 'vitest';
import { estimateAnthropicInputTokens } from './token-estimate.ts';

describe('estimateAnthropicInputTokens', () => {
  it('counts system, message text, tool use and results at four characters per token, rounded up', () => {
    expect(estimateAnthropicInputTokens({
      system: [{ type: 'text', text: 'abcd' }],
      messages: [
        { role: 'user', content: 'abcdefgh' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'x' }] }] },
      ],
    })).toBe(Math.ceil((4 + 8 + '{"a":1}'.length + 1) / 4));
  });

  it('counts tool definitions as their JSON', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    expect(estimateAnthropicInputTokens({ messages: [], tools })).toBe(Math.ceil(JSON.stringify(tools).length / 4));
  });

  it('is zero for an empty request', () => {
    expect(estimateAnthropicInputTokens({})).toBe(0);
  });
});
