/**
 * The AiTranslator contract, run against every translator: what the request path may rely on whatever
 * the dialects (STYLE.md: contract suites run one spec against every implementation).
 */
import { describe, expect, it } from 'vitest';
import { readFixtureText } from '../../../test/fixtures/translate/load-fixture.ts';
import { AnthropicToOpenAiTranslator } from './anthropic-to-openai/translator.ts';
import { OpenAiToAnthropicTranslator } from './openai-to-anthropic/translator.ts';
import { SseParser } from './sse-parser.ts';
import type { AiTranslator } from './translator.ts';

interface Subject {
  readonly name: string;
  create(opts: { strict: boolean; stream: boolean }): AiTranslator<never, unknown, unknown, unknown>;
  /** A client request with one parameter the upstream dialect cannot take. */
  readonly requestWithUnsupported: unknown;
  readonly unsupportedParam: string;
  readonly completeUpstreamStream: string;
  /** True when a client error event of this dialect is in the SSE text. */
  isErrorEvent(data: unknown): boolean;
  readonly terminator: string;
}

const SUBJECTS: Subject[] = [
  {
    name: 'OpenAI client → Anthropic upstream',
    create: ({ strict, stream }) => {
      const t = new OpenAiToAnthropicTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict });
      t.translateRequest({ model: 'c', messages: [{ role: 'user', content: 'x' }], stream });
      return t as unknown as AiTranslator<never, unknown, unknown, unknown>;
    },
    requestWithUnsupported: { model: 'c', messages: [{ role: 'user', content: 'x' }], seed: 3 },
    unsupportedParam: 'seed',
    completeUpstreamStream: readFixtureText('openai-to-anthropic/text.upstream.sse'),
    isErrorEvent: (data) => typeof data === 'object' && data !== null && 'error' in data,
    terminator: '[DONE]',
  },
  {
    name: 'Anthropic client → OpenAI upstream',
    create: ({ strict, stream }) => {
      const t = new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict });
      t.translateRequest({ model: 'c', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], stream });
      return t as unknown as AiTranslator<never, unknown, unknown, unknown>;
    },
    requestWithUnsupported: { model: 'c', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], top_k: 3 },
    unsupportedParam: 'top_k',
    completeUpstreamStream: readFixtureText('anthropic-to-openai/text.upstream.sse'),
    isErrorEvent: (data) => typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'error',
    terminator: '{"type":"message_stop"}',
  },
];

function dataOf(text: string): unknown[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()].map((e) => (e.data === '[DONE]' ? e.data : JSON.parse(e.data) as unknown));
}

describe.each(SUBJECTS)('AiTranslator contract: $name', (subject) => {
  it('reports a parameter it cannot carry and rejects it in strict mode', () => {
    const lenient = subject.create({ strict: false, stream: false });
    expect(lenient.translateRequest(subject.requestWithUnsupported as never).dropped).toEqual([subject.unsupportedParam]);
    const strict = subject.create({ strict: true, stream: false });
    expect(() => strict.translateRequest(subject.requestWithUnsupported as never)).toThrow(expect.objectContaining({ code: 'bad_request', param: subject.unsupportedParam }));
  });

  it('says whether the request streams and answers with the matching content type', () => {
    expect(subject.create({ strict: false, stream: true }).isStream).toBe(true);
    expect(subject.create({ strict: false, stream: true }).responseHeaders({})['content-type']).toBe('text/event-stream');
    expect(subject.create({ strict: false, stream: false }).responseHeaders({})['content-type']).toBe('application/json');
  });

  it('ends a complete upstream stream with the dialect terminator and outcome complete', () => {
    const t = subject.create({ strict: false, stream: true });
    const out = t.pushStream(subject.completeUpstreamStream) + t.endStream();
    expect(out.trimEnd().endsWith(subject.terminator)).toBe(true);
    expect(t.streamOutcome).toBe('complete');
    expect(t.usage.completionTokens).toBeGreaterThan(0);
  });

  it('ends an empty upstream stream with an error event in the client dialect and outcome truncated', () => {
    const t = subject.create({ strict: false, stream: true });
    const events = dataOf(t.endStream());
    expect(events).toHaveLength(1);
    expect(subject.isErrorEvent(events[0])).toBe(true);
    expect(t.streamOutcome).toBe('truncated');
  });

  it('writes nothing after the stream has ended', () => {
    const t = subject.create({ strict: false, stream: true });
    t.pushStream(subject.completeUpstreamStream);
    t.endStream();
    expect(t.pushStream(subject.completeUpstreamStream) + t.endStream()).toBe('');
  });

  it('answers an upstream error with a client-dialect error keeping retry-after', () => {
    const error = subject.create({ strict: false, stream: false }).translateError(429, '{}', { 'retry-after': '7' });
    expect(error.status).toBe(429);
    expect(error.headers['retry-after']).toBe('7');
  });

  it('reads an upstream error body given as bytes, text or parsed JSON alike', () => {
    const t = subject.create({ strict: false, stream: false });
    const json = { type: 'error', error: { type: 'rate_limit_error', message: 'slow down', code: 'rate_limit_exceeded' } };
    const text = JSON.stringify(json);
    const fromText = t.translateError(429, text);
    expect(t.translateError(429, Buffer.from(text))).toEqual(fromText);
    expect(t.translateError(429, json)).toEqual(fromText);
    expect(JSON.stringify(fromText.body)).toContain('slow down');
  });
});
