import { describe, expect, it } from 'vitest';
import { readFixtureJson, readFixtureText, splitStrategies } from '../../../../test/fixtures/translate/load-fixture.ts';
import { SseParser } from '../sse-parser.ts';
import { OpenAiToAnthropicTranslator } from './translator.ts';

const NOW_MS = 1_700_000_000_000;

function newTranslator(includeUsage: boolean): OpenAiToAnthropicTranslator {
  const translator = new OpenAiToAnthropicTranslator({ clientModel: 'sonnet', upstreamModel: 'claude-sonnet-4-5', maxOutputTokens: 8192, strict: false, nowMs: NOW_MS });
  translator.translateRequest({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: includeUsage } });
  return translator;
}

function sseData(text: string): unknown[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()].map((event) => (event.data === '[DONE]' ? '[DONE]' : JSON.parse(event.data) as unknown));
}

const CASES = [
  { name: 'text with cache usage and a ping', file: 'text', includeUsage: true, outcome: 'complete', usage: { promptTokens: 2125, completionTokens: 15, cacheReadTokens: 2000, cacheCreationTokens: 100, reasoningTokens: 0 } },
  { name: 'thinking, text and two tool calls', file: 'tools', includeUsage: false, outcome: 'complete', usage: { promptTokens: 472, completionTokens: 89, cacheReadTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 } },
  { name: 'redacted thinking, a server tool and citations (no tool call leaks to the client)', file: 'server-tools', includeUsage: true, outcome: 'complete', usage: { promptTokens: 50, completionTokens: 30, cacheReadTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 } },
  { name: 'an upstream error event mid-stream', file: 'error', includeUsage: true, outcome: 'error', usage: { promptTokens: 10, completionTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 } },
  { name: 'an upstream that stops mid-event', file: 'truncated', includeUsage: true, outcome: 'truncated', usage: { promptTokens: 10, completionTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 } },
] as const;

describe('OpenAiToAnthropicTranslator streams (golden transcripts, any chunk split)', () => {
  for (const testCase of CASES) {
    it(`translates ${testCase.name}`, () => {
      const upstream = Buffer.from(readFixtureText(`openai-to-anthropic/${testCase.file}.upstream.sse`), 'utf8');
      const expected = readFixtureText(`openai-to-anthropic/${testCase.file}.client.sse`);
      let first: string | undefined;
      for (const strategy of splitStrategies(upstream)) {
        const translator = newTranslator(testCase.includeUsage);
        let out = '';
        for (const piece of strategy.pieces) out += translator.pushStream(piece);
        out += translator.endStream();
        expect(sseData(out), strategy.name).toEqual(sseData(expected));
        first ??= out;
        expect(out, strategy.name).toBe(first);
        expect(translator.streamOutcome).toBe(testCase.outcome);
        expect(translator.usage).toEqual(testCase.usage);
      }
    });
  }

  it('numbers tool calls from 0 by their own counter and puts the index on every tool delta', () => {
    const translator = newTranslator(false);
    const frames = sseData(translator.pushStream(readFixtureText('openai-to-anthropic/tools.upstream.sse')) + translator.endStream());
    const args = new Map<number, string>();
    for (const frame of frames) {
      const calls = (frame as { choices?: Array<{ delta: { tool_calls?: Array<{ index?: number; function?: { arguments?: string } }> } }> }).choices?.[0]?.delta.tool_calls ?? [];
      for (const call of calls) {
        expect(call.index).toBeTypeOf('number');
        args.set(call.index ?? -1, (args.get(call.index ?? -1) ?? '') + (call.function?.arguments ?? ''));
      }
    }
    expect([...args.keys()]).toEqual([0, 1]);
    expect(JSON.parse(args.get(0) ?? '')).toEqual({ city: 'Paris' });
    expect(JSON.parse(args.get(1) ?? '')).toEqual({ city: 'Oslo' });
  });

  it('ends a stream that stopped mid-answer with an error frame and no [DONE]', () => {
    const translator = newTranslator(true);
    const out = translator.pushStream(readFixtureText('openai-to-anthropic/truncated.upstream.sse')) + translator.endStream();
    expect(out).not.toContain('[DONE]');
    expect(sseData(out).at(-1)).toMatchObject({ error: { code: 'stream_truncated' } });
  });

  it('ends with an error frame when an upstream event is not JSON', () => {
    const translator = newTranslator(true);
    const out = translator.pushStream('event: message_start\ndata: {not json\n\n') + translator.endStream();
    expect(sseData(out)).toEqual([{ error: { message: 'upstream sent an event that is not JSON', type: 'server_error', param: null, code: 'upstream_error' } }]);
    expect(translator.streamOutcome).toBe('error');
  });

  it('ends with an error frame when an upstream event is JSON of the wrong shape', () => {
    const translator = newTranslator(true);
    const out = translator.pushStream('event: message_start\ndata: {"type":"message_start"}\n\n') + translator.endStream();
    expect(sseData(out)).toEqual([{ error: { message: 'upstream sent a malformed event', type: 'server_error', param: null, code: 'upstream_error' } }]);
    expect(translator.streamOutcome).toBe('error');
  });

  it('keeps usage of concurrent streams apart (state is per request)', () => {
    const a = newTranslator(true);
    const b = newTranslator(true);
    const text = readFixtureText('openai-to-anthropic/text.upstream.sse');
    const tools = readFixtureText('openai-to-anthropic/tools.upstream.sse');
    const half = Math.floor(text.length / 2);
    a.pushStream(text.slice(0, half));
    b.pushStream(tools);
    a.pushStream(text.slice(half));
    a.endStream();
    b.endStream();
    expect(a.usage.completionTokens).toBe(15);
    expect(b.usage.completionTokens).toBe(89);
  });
});

interface ResponseCase { readonly name: string; readonly upstream: unknown; readonly expected: unknown }
interface ErrorCase { readonly name: string; readonly status: number; readonly headers: Record<string, string>; readonly body: string; readonly expected: unknown }

describe('OpenAiToAnthropicTranslator non-streaming responses (golden fixtures)', () => {
  for (const testCase of readFixtureJson<ResponseCase[]>('openai-to-anthropic/responses.json')) {
    it(testCase.name, () => {
      const translator = newTranslator(false);
      expect(translator.translateResponse(testCase.upstream)).toEqual(testCase.expected);
    });
  }

  it('records the response usage in the internal shape', () => {
    const translator = newTranslator(false);
    const [first] = readFixtureJson<ResponseCase[]>('openai-to-anthropic/responses.json');
    translator.translateResponse(first?.upstream);
    expect(translator.usage).toEqual({ promptTokens: 18, completionTokens: 12, cacheReadTokens: 3, cacheCreationTokens: 5, reasoningTokens: 0 });
  });
});

describe('OpenAiToAnthropicTranslator errors (golden fixtures)', () => {
  for (const testCase of readFixtureJson<ErrorCase[]>('openai-to-anthropic/errors.json')) {
    it(testCase.name, () => {
      expect(newTranslator(false).translateError(testCase.status, testCase.body, testCase.headers)).toEqual(testCase.expected);
    });
  }
});
