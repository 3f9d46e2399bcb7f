import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../core/errors.ts';
import { readFixtureJson, readFixtureText, splitStrategies, thrownBy } from '../../../../test/fixtures/translate/load-fixture.ts';
import { checkAnthropicGrammar, type SseRecord } from '../../../../test/fixtures/translate/stream-grammar.ts';
import { SseParser } from '../sse-parser.ts';
import { AnthropicToOpenAiTranslator } from './translator.ts';

const LONG_NAME = 'mcp__playwright_browser_automation__browser_navigate_to_url_and_wait_for_network_idle';

function newTranslator(): AnthropicToOpenAiTranslator {
  const translator = new AnthropicToOpenAiTranslator({ clientModel: 'claude-sonnet', upstreamModel: 'gpt-4o-mini', maxOutputTokens: 16384, strict: false, inputTokensEstimate: 0 });
  translator.translateRequest({
    model: 'claude-sonnet',
    max_tokens: 1000,
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ name: 'get_weather', input_schema: { type: 'object' } }, { name: LONG_NAME, input_schema: { type: 'object' } }],
  });
  return translator;
}


function sseRecords(text: string): SseRecord[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()].map((event) => ({ event: event.event, data: JSON.parse(event.data) as Record<string, unknown> }));
}

const CASES = [
  { file: 'text', behaviour: 'text with cached prompt tokens (input_tokens excludes the cached share)', outcome: 'complete' },
  { file: 'tools', behaviour: 'reasoning, text, arguments in the same chunk as the tool name, a tool call in the finish chunk, a long name restored', outcome: 'complete' },
  { file: 'interleaved', behaviour: 'interleaved arguments of two tool calls into two sequential blocks, flushing usage at [DONE]', outcome: 'complete' },
  { file: 'single-chunk', behaviour: 'one chunk carrying content, finish reason and usage, split into ordered events', outcome: 'complete' },
  { file: 'error', behaviour: 'an upstream error chunk into an Anthropic error event', outcome: 'error' },
  { file: 'truncated', behaviour: 'a stream that ends without a finish reason into an error event, not end_turn', outcome: 'truncated' },
] as const;

describe('AnthropicToOpenAiTranslator streams (golden transcripts, any chunk split)', () => {
  for (const testCase of CASES) {
    it(`translates ${testCase.behaviour}`, () => {
      const upstreamText = readFixtureText(`anthropic-to-openai/${testCase.file}.upstream.sse`);
      const expected = readFixtureText(`anthropic-to-openai/${testCase.file}.client.sse`);
      for (const variant of [upstreamText, upstreamText.replaceAll('\n', '\r\n')]) {
        for (const strategy of splitStrategies(Buffer.from(variant, 'utf8'))) {
          const translator = newTranslator();
          let out = '';
          for (const piece of strategy.pieces) out += translator.pushStream(piece);
          out += translator.endStream();
          expect(out, strategy.name).toBe(expected);
          expect(translator.streamOutcome).toBe(testCase.outcome);
        }
      }
      expect(() => checkAnthropicGrammar(sseRecords(expected))).not.toThrow();
    });
  }

  it("announces the caller's input-token estimate in message_start", () => {
    const translator = new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict: false, inputTokensEstimate: 100 });
    translator.translateRequest({ model: 'c', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    const [start] = sseRecords(translator.pushStream(`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] })}\n\n`));
    expect(start?.data).toMatchObject({ type: 'message_start', message: { usage: { input_tokens: 100 } } });
  });

  it('announces an estimate set after translateRequest, and not one set after the stream started', () => {
    const translator = new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict: false });
    translator.translateRequest({ model: 'c', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    translator.announceInputTokens(1234);
    const chunk = `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] })}\n\n`;
    const [start] = sseRecords(translator.pushStream(chunk));
    expect(start?.data).toMatchObject({ type: 'message_start', message: { usage: { input_tokens: 1234 } } });
    translator.announceInputTokens(1);
    expect(sseRecords(translator.pushStream(chunk)).some((r) => r.event === 'message_start')).toBe(false);
  });

  it('reports usage in the internal shape with the cache share broken out', () => {
    const translator = newTranslator();
    translator.pushStream(readFixtureText('anthropic-to-openai/text.upstream.sse'));
    translator.endStream();
    expect(translator.usage).toEqual({ promptTokens: 2006, completionTokens: 5, cacheReadTokens: 1920, cacheCreationTokens: 0, reasoningTokens: 0 });
  });

  it('overwrites usage with each report instead of adding (providers that send usage on every chunk)', () => {
    const translator = newTranslator();
    const chunk = (usage: number, finish: string | null) => `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: usage, total_tokens: 10 + usage } })}\n\n`;
    const out = translator.pushStream(chunk(1, null) + chunk(2, null) + chunk(3, 'stop')) + translator.endStream();
    const records = sseRecords(out);
    expect(records.find((r) => r.event === 'message_delta')?.data.usage).toEqual({ input_tokens: 10, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(records.filter((r) => r.event === 'message_delta')).toHaveLength(1);
  });

  it('holds message_delta after the finish reason until the usage chunk arrives', () => {
    const translator = newTranslator();
    const finish = translator.pushStream(`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] })}\n\n`);
    expect(finish).not.toContain('message_delta');
    const usage = translator.pushStream(`data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } })}\n\n`);
    expect(sseRecords(usage).map((r) => r.event)).toEqual(['message_delta', 'message_stop']);
    expect(translator.pushStream('data: [DONE]\n\n') + translator.endStream()).toBe('');
  });

  it('waits for a tool name that arrives after the tool id before opening the block', () => {
    const translator = newTranslator();
    const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const out = translator.pushStream(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { arguments: '' } }] })
      + chunk({ tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: '{"a":1}' } }] }) + chunk({}, 'tool_calls') + 'data: [DONE]\n\n');
    const start = sseRecords(out).find((r) => r.event === 'content_block_start');
    expect(start?.data.content_block).toEqual({ type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} });
  });

  it('treats [DONE] without a finish reason as truncation', () => {
    const translator = newTranslator();
    const out = translator.pushStream(`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] })}\n\ndata: [DONE]\n\n`);
    expect(sseRecords(out).at(-1)?.data).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream stream ended early' } });
    expect(translator.streamOutcome).toBe('truncated');
  });

  it('completes an answer that finished but whose upstream omitted [DONE]', () => {
    const translator = newTranslator();
    translator.pushStream(`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] })}\n\n`);
    expect(sseRecords(translator.endStream()).map((r) => r.event)).toEqual(['message_delta', 'message_stop']);
    expect(translator.streamOutcome).toBe('complete');
  });
});

interface ResponseCase { readonly name: string; readonly upstream: unknown; readonly expected: unknown }
interface ErrorCase { readonly name: string; readonly status: number; readonly headers: Record<string, string>; readonly body: string; readonly expected: unknown }

describe('AnthropicToOpenAiTranslator non-streaming responses (golden fixtures)', () => {
  for (const testCase of readFixtureJson<ResponseCase[]>('anthropic-to-openai/responses.json')) {
    it(testCase.name, () => {
      expect(newTranslator().translateResponse(testCase.upstream)).toEqual(testCase.expected);
    });
  }
});

describe('AnthropicToOpenAiTranslator malformed answers', () => {
  it('turns a 2xx body of the wrong shape into upstream_error', () => {
    const err = thrownBy(() => newTranslator().translateResponse({ choices: [{ index: 0, message: { role: 'assistant', tool_calls: [{ type: 'function' }] } }] }));
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('upstream_error');
  });
});

describe('AnthropicToOpenAiTranslator errors (golden fixtures)', () => {
  for (const testCase of readFixtureJson<ErrorCase[]>('anthropic-to-openai/errors.json')) {
    it(testCase.name, () => {
      expect(newTranslator().translateError(testCase.status, testCase.body, testCase.headers)).toEqual(testCase.expected);
    });
  }
});
