import { describe, expect, it } from 'vitest';
import { PassthroughRelay, streamErrorEvent } from './passthrough-relay.ts';

const chunk = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
const content = chunk({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }], usage: null });
const finish = chunk({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null });
const usage = chunk({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } } });
const done = 'data: [DONE]\n\n';

describe('PassthroughRelay (OpenAI)', () => {
  it('forwards the very chunk it was given when the client asked for usage, and reads the usage', () => {
    const relay = new PassthroughRelay('openai', true, true);
    const bytes = new TextEncoder().encode(content + finish + usage + done);
    expect(relay.push(bytes)).toBe(bytes);
    expect(relay.end()).toBe('');
    expect(relay.streamOutcome).toBe('complete');
    expect(relay.usage).toMatchObject({ promptTokens: 9, completionTokens: 2, cacheReadTokens: 4 });
  });

  it('reads only a top-level usage object: a "usage" inside a later chunk\'s content leaves the usage read before', () => {
    const relay = new PassthroughRelay('openai', true, true);
    const nested = chunk({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: '"usage": {' }, tool: { usage: { prompt_tokens: 1 } } }] });
    relay.push(content + usage + nested + done);
    expect(relay.end()).toBe('');
    expect(relay.usage).toMatchObject({ promptTokens: 9, completionTokens: 2, cacheReadTokens: 4 });
  });

  it('removes the usage-only chunk the client did not ask for, across chunk boundaries', () => {
    const relay = new PassthroughRelay('openai', true, false);
    const whole = content + finish + usage + done;
    const cut = whole.indexOf('"usage":{') + 3;
    const out = String(relay.push(whole.slice(0, cut))) + String(relay.push(whole.slice(cut))) + relay.end();
    expect(out).toBe(content + finish + done);
    expect(relay.usage.promptTokens).toBe(9);
  });

  it('forwards whole-event chunks as the same bytes while removing the usage chunk, and re-frames one cut inside an event', () => {
    const relay = new PassthroughRelay('openai', true, false);
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    const first = encode(content);
    expect(relay.push(first)).toBe(first);
    const half = Math.floor(finish.length / 2);
    // A cut event: nothing of it goes out until its end, then it goes out whole.
    expect(relay.push(encode(finish.slice(0, half)))).toBe('');
    expect(relay.push(encode(finish.slice(half)))).toBe(finish);
    expect(relay.push(encode(usage))).toBe('');
    const last = encode(done);
    expect(relay.push(last)).toBe(last);
    expect(relay.end()).toBe('');
    expect(relay.streamOutcome).toBe('complete');
  });

  it('reads usage written with spaces around the colon, as vLLM and Ollama write it', () => {
    const relay = new PassthroughRelay('openai', true, true);
    relay.push(content);
    relay.push('data: {"id": "c", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}\n\n');
    relay.push(done);
    expect(relay.end()).toBe('');
    expect(relay.usage).toMatchObject({ promptTokens: 3, completionTokens: 4 });
  });

  it('ends a stream without [DONE] with an OpenAI error event and reports truncation', () => {
    const relay = new PassthroughRelay('openai', true, true);
    relay.push(content);
    expect(relay.end()).toBe(streamErrorEvent('openai', 'upstream stream ended early'));
    expect(relay.streamOutcome).toBe('truncated');
  });

  it('counts an upstream error chunk as an error outcome and adds nothing after it', () => {
    const relay = new PassthroughRelay('openai', true, true);
    relay.push(content + chunk({ error: { message: 'boom', type: 'server_error' } }));
    expect(relay.end()).toBe('');
    expect(relay.streamOutcome).toBe('error');
    expect(relay.fail()).toBe('');
  });

  it('keeps an upstream JSON error body and its retry hints, and wraps a non-JSON one in the dialect', () => {
    const relay = new PassthroughRelay('openai', false, false);
    const json = relay.renderError(429, '{"error":{"message":"slow down"}}', { 'retry-after': '3', 'set-cookie': 'x' });
    expect(json).toEqual({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '3' }, body: '{"error":{"message":"slow down"}}' });
    const html = relay.renderError(502, '<html>bad gateway</html>', {});
    expect(JSON.parse(html.body)).toMatchObject({ error: { message: 'upstream answered HTTP 502' } });
  });
});

describe('PassthroughRelay (Anthropic)', () => {
  const event = (type: string, payload: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

  it('takes usage from message_start and overwrites it with message_delta, then completes on message_stop', () => {
    const relay = new PassthroughRelay('anthropic', true, true);
    relay.push(event('message_start', { message: { usage: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 10 } } }));
    relay.push(event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }));
    expect(relay.streamOutcome).toBe('open');
    relay.push(event('message_stop', {}));
    expect(relay.end()).toBe('');
    expect(relay.usage).toMatchObject({ promptTokens: 15, completionTokens: 7, cacheReadTokens: 10 });
  });

  it('ends a failed stream with an Anthropic error event', () => {
    const relay = new PassthroughRelay('anthropic', true, true);
    relay.push(event('message_start', { message: { usage: { input_tokens: 5, output_tokens: 1 } } }));
    const tail = relay.fail();
    expect(tail.startsWith('event: error\ndata: ')).toBe(true);
    expect(JSON.parse(tail.slice(tail.indexOf('{')))).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});

describe('PassthroughRelay watching a long stream', () => {
  const openAiToken = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'token '.repeat(20) }, finish_reason: null }], usage: null })}\n\n`;

  it('forwards every chunk as it came and reads usage and [DONE] from the end of a stream longer than its tail', () => {
    const relay = new PassthroughRelay('openai', true, true);
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(openAiToken);
      expect(relay.push(bytes)).toBe(bytes);
    }
    const last = `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 40, completion_tokens: 500 } })}\n\ndata: [DONE]\n\n`;
    relay.push(Buffer.from(last.slice(0, 30)));
    relay.push(Buffer.from(last.slice(30)));
    expect(relay.end()).toBe('');
    expect(relay.streamOutcome).toBe('complete');
    expect(relay.usage).toMatchObject({ promptTokens: 40, completionTokens: 500 });
  });

  it('keeps the input usage of an Anthropic message_start long gone from the tail', () => {
    const relay = new PassthroughRelay('anthropic', true, true);
    const event = (type: string, payload: Record<string, unknown>): Buffer => Buffer.from(`event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`);
    relay.push(event('message_start', { message: { usage: { input_tokens: 30, output_tokens: 1 } } }));
    for (let i = 0; i < 500; i++) relay.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'token '.repeat(20) } }));
    relay.push(event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 501 } }));
    relay.push(event('message_stop', {}));
    expect(relay.end()).toBe('');
    expect(relay.usage).toMatchObject({ promptTokens: 30, completionTokens: 501 });
  });

  it('answers with what the stream said so far when the client leaves in the middle', () => {
    const relay = new PassthroughRelay('anthropic', true, true);
    relay.push(`event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":7,"output_tokens":1}}}\n\n`);
    relay.push(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n`);
    expect(relay.usage).toMatchObject({ promptTokens: 7 });
    expect(relay.streamOutcome).toBe('open');
  });
});

describe('PassthroughRelay (JSON answers)', () => {
  it('sends the upstream bytes on unchanged and reads the usage of either dialect', () => {
    const openai = new PassthroughRelay('openai', false, false);
    const answer = Buffer.from(JSON.stringify({ id: 'c', choices: [{ message: { content: '"usage":{"prompt_tokens":99}' } }], usage: { prompt_tokens: 9, completion_tokens: 2 } }));
    expect(openai.relayJson(answer)).toBe(answer);
    expect(openai.usage).toMatchObject({ promptTokens: 9, completionTokens: 2 });
    expect(openai.streamOutcome).toBe('complete');
    const anthropic = new PassthroughRelay('anthropic', false, false);
    anthropic.relayJson(Buffer.from('{"type":"message","content":[],"usage":{"input_tokens":5,"cache_read_input_tokens":3,"output_tokens":7}}\n'));
    expect(anthropic.usage).toMatchObject({ promptTokens: 8, completionTokens: 7, cacheReadTokens: 3 });
  });

  it('refuses an answer that is not a JSON object (a cut-off body), and reads none when usage is missing', () => {
    expect(() => new PassthroughRelay('openai', false, false).relayJson(Buffer.from('{"id":"c","choices":['))).toThrow(/not a JSON object/);
    const relay = new PassthroughRelay('openai', false, false);
    relay.relayJson(Buffer.from('{"id":"c","usage":null}'));
    expect(relay.usage.promptTokens).toBe(0);
  });
});
