/**
 * One regression test per translation bug class that other gateways ship (ai-gateways.md §2.6 and §3),
 * named after the reports. The golden transcripts cover the same ground in bulk; these pin each bug.
 */
import { describe, expect, it } from 'vitest';
import { AnthropicToOpenAiTranslator } from './anthropic-to-openai/translator.ts';
import { OpenAiToAnthropicTranslator } from './openai-to-anthropic/translator.ts';
import { SseParser } from './sse-parser.ts';

function claudeClient(): AnthropicToOpenAiTranslator {
  const translator = new AnthropicToOpenAiTranslator({ clientModel: 'claude-x', upstreamModel: 'gpt-x', maxOutputTokens: 16384, strict: false });
  translator.translateRequest({ model: 'claude-x', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  return translator;
}

function openAiClient(includeUsage = true): OpenAiToAnthropicTranslator {
  const translator = new OpenAiToAnthropicTranslator({ clientModel: 'gpt-x', upstreamModel: 'claude-x', maxOutputTokens: 8192, strict: false });
  translator.translateRequest({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: includeUsage } });
  return translator;
}

const oaChunk = (delta: object, finish: string | null = null, usage?: object): string =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage === undefined ? {} : { usage }) })}\n\n`;
const anEvent = (event: { type: string } & Record<string, unknown>): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const anStart = anEvent({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } });

function records(text: string): Array<Record<string, unknown> | '[DONE]'> {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()].map((e) => (e.data === '[DONE]' ? '[DONE]' : JSON.parse(e.data) as Record<string, unknown>));
}

function toolInputs(text: string): unknown[] {
  const inputs = new Map<number, string>();
  for (const record of records(text)) {
    if (record === '[DONE]' || record.type !== 'content_block_delta') continue;
    const delta = record.delta as { type: string; partial_json?: string };
    if (delta.type === 'input_json_delta') inputs.set(record.index as number, (inputs.get(record.index as number) ?? '') + (delta.partial_json ?? ''));
  }
  return [...inputs.values()].map((json) => JSON.parse(json) as unknown);
}

describe('regressions (bugs other gateways ship)', () => {
  it('litellm #25321/#25836: keeps argument fragments that arrive in the same chunk as the tool name', () => {
    const t = claudeClient();
    const out = t.pushStream(oaChunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] }))
      + t.pushStream(oaChunk({}, 'tool_calls', { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })) + t.endStream();
    expect(toolInputs(out)).toEqual([{ command: 'ls' }]);
  });

  it('litellm #36262: an Anthropic tool_use reaches the OpenAI client as tool_calls with finish_reason tool_calls', () => {
    const t = openAiClient(false);
    const out = t.pushStream(anStart
      + anEvent({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } })
      + anEvent({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } })
      + anEvent({ type: 'content_block_stop', index: 0 })
      + anEvent({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 3 } })
      + anEvent({ type: 'message_stop' })) + t.endStream();
    const chunks = records(out).filter((r): r is Record<string, unknown> => r !== '[DONE]');
    const finish = chunks.map((c) => (c.choices as Array<{ finish_reason: string | null }>)[0]?.finish_reason).filter((f) => f !== null && f !== undefined);
    expect(finish).toEqual(['tool_calls']);
    expect(out).toContain('"tool_calls":[{"index":0,"id":"toolu_1"');
  });

  it('new-api #5482/#5483: block indices stay contiguous and typed through thinking → text → tool → text switches', () => {
    const t = claudeClient();
    const out = t.pushStream(oaChunk({ reasoning_content: 'r' }) + oaChunk({ content: 'a' }) + oaChunk({ reasoning_content: 'r2' })
      + oaChunk({ tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] })
      + oaChunk({ content: 'late text' }) + oaChunk({}, 'tool_calls') + 'data: [DONE]\n\n') + t.endStream();
    const starts = records(out).filter((r) => r !== '[DONE]' && r.type === 'content_block_start') as Array<{ index: number; content_block: { type: string } }>;
    expect(starts.map((s) => [s.index, s.content_block.type])).toEqual([[0, 'thinking'], [1, 'text'], [2, 'thinking'], [3, 'tool_use'], [4, 'text']]);
    const stops = records(out).filter((r) => r !== '[DONE]' && r.type === 'content_block_stop').map((r) => (r as { index: number }).index);
    expect(stops).toEqual([0, 1, 2, 3, 4]);
  });

  it('ollama #7881: every streamed tool-call delta for an OpenAI client carries its index', () => {
    const t = openAiClient(false);
    const out = t.pushStream(anStart
      + anEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
      + anEvent({ type: 'content_block_stop', index: 0 })
      + anEvent({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } })
      + anEvent({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } }));
    const calls = records(out).flatMap((r) => (r === '[DONE]' ? [] : ((r.choices as Array<{ delta: { tool_calls?: Array<{ index?: number }> } }>)[0]?.delta.tool_calls ?? [])));
    expect(calls.map((c) => c.index)).toEqual([0, 0]);
  });

  it('portkey #1797: an OpenAI-client stream cut mid-answer ends with an error, not a clean [DONE]', () => {
    const t = openAiClient();
    const out = t.pushStream(anStart) + t.endStream();
    expect(out).not.toContain('[DONE]');
    expect(t.streamOutcome).toBe('truncated');
  });

  it('portkey #1797: an Anthropic-client stream cut mid-answer ends with an error event, not message_stop', () => {
    const t = claudeClient();
    const out = t.pushStream(oaChunk({ content: 'half' })) + t.endStream();
    expect(out).not.toContain('message_stop');
    expect(records(out).at(-1)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it('portkey: a mid-stream Anthropic error is an OpenAI error frame, not a finish_reason plus [DONE]', () => {
    const t = openAiClient();
    const out = t.pushStream(anStart + anEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })) + t.endStream();
    expect(out).not.toContain('[DONE]');
    expect(out).not.toContain('finish_reason":"overloaded_error');
    expect(records(out).at(-1)).toMatchObject({ error: { type: 'server_error', code: 'overloaded' } });
  });

  it('portkey: Anthropic stop reasons are mapped, never passed through raw', () => {
    const t = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false });
    const body = t.translateResponse({ id: 'msg', type: 'message', role: 'assistant', model: 'u', content: [{ type: 'text', text: 'x' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });
    expect(body.choices[0]?.finish_reason).toBe('stop');
  });

  it('litellm #9812 / new-api: cached tokens are counted once in each direction (no double billing)', () => {
    const toOpenAi = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false })
      .translateResponse({ id: 'msg', type: 'message', role: 'assistant', model: 'u', content: [], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, cache_read_input_tokens: 3, cache_creation_input_tokens: 5, output_tokens: 12 } });
    expect(toOpenAi.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 12, total_tokens: 30, prompt_tokens_details: { cached_tokens: 3 } });
    const toAnthropic = claudeClient().translateResponse({ id: 'c', choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }], usage: { prompt_tokens: 18, completion_tokens: 12, total_tokens: 30, prompt_tokens_details: { cached_tokens: 3 } } });
    expect(toAnthropic.usage).toEqual({ input_tokens: 15, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 3 });
  });

  it('ferro-labs #281 / openclaw #90495: streamed requests to OpenAI upstreams always ask for usage', () => {
    const t = new AnthropicToOpenAiTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false });
    expect(t.translateRequest({ model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }).body.stream_options).toEqual({ include_usage: true });
  });

  it('openai-agents #1704 / dify #41092: signed thinking survives a tool turn through an OpenAI client (response → next request)', () => {
    const first = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'claude', maxOutputTokens: 8192, strict: false });
    const answer = first.translateResponse({
      id: 'msg', type: 'message', role: 'assistant', model: 'claude', stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 },
      content: [{ type: 'thinking', thinking: 'plan', signature: 'SIG==' }, { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } }],
    });
    const message = answer.choices[0]?.message;
    const second = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'claude', maxOutputTokens: 8192, strict: false });
    const { body } = second.translateRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'go' }, { ...message, role: 'assistant' } as never, { role: 'tool', tool_call_id: 'toolu_1', content: 'ok' }],
    });
    expect(body.messages[1]?.content).toEqual([
      { type: 'thinking', thinking: 'plan', signature: 'SIG==' },
      { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
    ]);
  });

  it('one-api: every system message is kept, not only the first', () => {
    const { body } = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false })
      .translateRequest({ model: 'm', messages: [{ role: 'system', content: 'a' }, { role: 'user', content: 'x' }, { role: 'system', content: 'b' }] });
    expect(body.system).toEqual([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }]);
    expect(body.messages.every((m) => m.role !== 'system')).toBe(true);
  });

  it('litellm / one-api 4096 default, portkey / envoy missing max_tokens: Anthropic upstreams get the catalogue value', () => {
    const { body } = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 32000, strict: false })
      .translateRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(body.max_tokens).toBe(32000);
  });

  it('portkey: unparsable tool-call arguments in history do not throw (no 500)', () => {
    const t = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false });
    expect(() => t.translateRequest({ model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] })).not.toThrow();
  });

  it('one-api / portkey: tool_choice required and none and parallel_tool_calls false reach Anthropic', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    const translate = (extra: object) => new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false })
      .translateRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools, ...extra }).body.tool_choice;
    expect(translate({ tool_choice: 'required' })).toEqual({ type: 'any' });
    expect(translate({ tool_choice: 'none' })).toEqual({ type: 'none' });
    expect(translate({ parallel_tool_calls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('litellm #30557 / portkey: tool schemas pass as is (no type merged in, no keywords lost)', () => {
    const schema = { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'null' }] } }, additionalProperties: false, $defs: { x: { type: 'string' } } };
    const anthropic = new OpenAiToAnthropicTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false })
      .translateRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] }).body.tools;
    expect(anthropic).toEqual([{ name: 'f', input_schema: schema }]);
    const openai = new AnthropicToOpenAiTranslator({ clientModel: 'm', upstreamModel: 'u', maxOutputTokens: 10, strict: false })
      .translateRequest({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', name: 'f', input_schema: { ...schema, type: 'object' } }] }).body.tools;
    expect(openai).toEqual([{ type: 'function', function: { name: 'f', parameters: schema } }]);
  });

  it('litellm (class-level deque): two interleaved streams keep separate state', () => {
    const a = claudeClient();
    const b = claudeClient();
    let outA = a.pushStream(oaChunk({ tool_calls: [{ index: 0, id: 'ca', type: 'function', function: { name: 'f', arguments: '{"who":' } }] }));
    let outB = b.pushStream(oaChunk({ tool_calls: [{ index: 0, id: 'cb', type: 'function', function: { name: 'g', arguments: '{"who":' } }] }));
    outA += a.pushStream(oaChunk({ tool_calls: [{ index: 0, function: { arguments: '"a"}' } }] }, 'tool_calls') + 'data: [DONE]\n\n') + a.endStream();
    outB += b.pushStream(oaChunk({ tool_calls: [{ index: 0, function: { arguments: '"b"}' } }] }, 'tool_calls') + 'data: [DONE]\n\n') + b.endStream();
    expect(toolInputs(outA)).toEqual([{ who: 'a' }]);
    expect(toolInputs(outB)).toEqual([{ who: 'b' }]);
  });

  it("claude-code-proxy #99 / sglang #29169: Claude Code's per-conversation billing-header line never reaches an OpenAI upstream's prompt prefix", () => {
    const translate = (suffix: string, task: string) => new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict: false }).translateRequest({
      model: 'c', max_tokens: 10,
      system: [{ type: 'text', text: `x-anthropic-billing-header: cc_version=2.1.197.${suffix}; cc_entrypoint=sdk-cli;` }, { type: 'text', text: 'You are a Claude agent.' }],
      messages: [{ role: 'user', content: task }],
    }).body.messages[0];
    expect(translate('595', 'Create hello.txt')).toEqual({ role: 'system', content: 'You are a Claude agent.' });
    expect(translate('123', 'say hi')).toEqual(translate('595', 'Create hello.txt'));
  });

  it("bifrost (OpenAI's 64-character user): Claude Code's JSON user_id goes upstream as a stable 64-character id, not a 400", () => {
    const userId = JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: '6a448c45-4131-4116-8f6e-1d65539c8056' });
    const userOf = (id: string) => new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict: false })
      .translateRequest({ model: 'c', max_tokens: 10, metadata: { user_id: id }, messages: [{ role: 'user', content: 'x' }] }).body.user;
    expect(userOf(userId)).toMatch(/^[0-9a-f]{64}$/);
    expect(userOf(userId)).toBe(userOf(userId));
    expect(userOf('user-42')).toBe('user-42');
  });

  it('§2.4: an Anthropic 529 reaches OpenAI clients as 503 with retry-after kept', () => {
    const error = openAiClient().translateError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', { 'retry-after': '3' });
    expect({ status: error.status, retryAfter: error.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '3' });
  });
});
