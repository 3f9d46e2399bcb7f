import { describe, expect, it } from 'vitest';
import { readFixtureJson, thrownBy } from '../../../../test/fixtures/translate/load-fixture.ts';
import { UnsupportedParamError } from '../param-report.ts';
import type { AnthropicRequestIn } from '../wire-types.ts';
import { translateAnthropicRequest, type AnthropicToOpenAiRequestOptions } from './request.ts';

interface RequestCase {
  readonly name: string;
  readonly options: AnthropicToOpenAiRequestOptions;
  readonly request: AnthropicRequestIn;
  readonly expected?: { body: unknown; dropped: string[] };
  readonly expectedError?: { code: string; param: string };
}

const CASES = readFixtureJson<RequestCase[]>('anthropic-to-openai/requests.json');

describe('translateAnthropicRequest (golden fixtures)', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      if (testCase.expectedError !== undefined) {
        const caught = thrownBy(() => translateAnthropicRequest(testCase.request, testCase.options));
        expect(caught).toBeInstanceOf(UnsupportedParamError);
        const err = caught as UnsupportedParamError;
        expect({ code: err.code, param: err.param, status: err.status }).toEqual({ ...testCase.expectedError, status: 400 });
        return;
      }
      const { body, dropped } = translateAnthropicRequest(testCase.request, testCase.options);
      expect({ body, dropped }).toEqual(testCase.expected);
    });
  }
});

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
