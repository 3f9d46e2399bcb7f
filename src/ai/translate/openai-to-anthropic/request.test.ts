import { describe, expect, it } from 'vitest';
import { describeRequestCases } from '../../../../test/fixtures/translate/request-cases.ts';
import type { OpenAiRequestIn } from '../wire-types.ts';
import { translateOpenAiRequest, type OpenAiToAnthropicRequestOptions } from './request.ts';

describeRequestCases<OpenAiRequestIn, OpenAiToAnthropicRequestOptions>('translateOpenAiRequest (golden fixtures)', 'openai-to-anthropic/requests.json', translateOpenAiRequest);

describe('translateOpenAiRequest', () => {
  const opts = { upstreamModel: 'claude-haiku-4-5', maxOutputTokens: 64000, strict: false };

  it('defaults max_tokens to the catalogue value, never a small constant', () => {
    const { body } = translateOpenAiRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, opts);
    expect(body.max_tokens).toBe(64000);
  });

  it('does not mutate the client body', () => {
    const request: OpenAiRequestIn = {
      model: 'x',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }, { role: 'user', content: 'b' }],
      temperature: 1.7,
    };
    const before = structuredClone(request);
    translateOpenAiRequest(request, opts);
    expect(request).toEqual(before);
  });

  it('merges adjacent user turns so roles alternate', () => {
    const { body } = translateOpenAiRequest({ model: 'x', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, opts);
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });

  it('reports a legacy function_call in history, which has no id to pair a result with', () => {
    const { dropped } = translateOpenAiRequest({ model: 'x', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }, { role: 'function', name: 'f', content: 'r' }] }, opts);
    expect(dropped).toEqual(['messages[].function_call', 'messages[].role=function']);
  });

  it('leaves out tools and tool_choice when the client sent an empty tool list', () => {
    const { body } = translateOpenAiRequest({ model: 'x', messages: [{ role: 'user', content: 'a' }], tools: [], tool_choice: 'auto' }, opts);
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
  });
});
