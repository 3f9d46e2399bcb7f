import { describe, expect, it } from 'vitest';
import { describeRequestCases } from '../../../../test/fixtures/translate/request-cases.ts';
import type { AnthropicRequestIn } from '../wire-types.ts';
import { translateAnthropicRequest, type AnthropicToOpenAiRequestOptions } from './request.ts';

describeRequestCases<AnthropicRequestIn, AnthropicToOpenAiRequestOptions>('translateAnthropicRequest (golden fixtures)', 'anthropic-to-openai/requests.json', translateAnthropicRequest);

describe('translateAnthropicRequest', () => {
  const opts = { upstreamModel: 'gpt-4o', maxOutputTokens: 16384, strict: false };

  it('always asks a streaming upstream for usage, even when the client did not ask', () => {
    const { body } = translateAnthropicRequest({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }, opts);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('returns the tool-name map that restores shortened names', () => {
    const long = `mcp__${'x'.repeat(80)}`;
    const { body, toolNames } = translateAnthropicRequest({
      model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: long, input_schema: { type: 'object' } }],
    }, opts);
    const sent = body.tools?.[0];
    const sentName = sent?.type === 'function' ? sent.function.name : '';
    expect(sentName.length).toBeLessThanOrEqual(64);
    expect(toolNames.toClient(sentName)).toBe(long);
  });

  it('does not merge the Anthropic tool type into the parameters schema', () => {
    const { body } = translateAnthropicRequest({
      model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'custom', name: 'f', input_schema: { type: 'object', properties: {} } }],
    }, opts);
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }]);
  });
});
