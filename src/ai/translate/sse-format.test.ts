import { describe, expect, it } from 'vitest';
import { ChunkHeads, formatAnthropicEvents, formatOpenAiFrames } from './sse-format.ts';

describe('sse-format', () => {
  it('writes OpenAI frames as data lines and the [DONE] terminator', () => {
    expect(formatOpenAiFrames([{ error: { message: 'm', type: 't', param: null, code: null } }, '[DONE]']))
      .toBe('data: {"error":{"message":"m","type":"t","param":null,"code":null}}\n\ndata: [DONE]\n\n');
  });

  it('names every Anthropic event after its type', () => {
    expect(formatAnthropicEvents([{ type: 'message_stop' }])).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });

  it('keeps JSON payloads on one line, so a newline inside text cannot split the event', () => {
    const text = formatAnthropicEvents([{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'a\nb\r\n\nc' } }]);
    expect(text.split('\n\n')).toHaveLength(2);
  });

  it('writes text deltas byte for byte as JSON.stringify would, whatever the text holds', () => {
    for (const text of ['', 'plain', 'quote " and \\ backslash', 'tab\tnul\u0000', 'ü 😀 \u2028', '\ud800 lone surrogate', '</script>']) {
      const event = { type: 'content_block_delta' as const, index: 3, delta: { type: 'text_delta' as const, text } };
      expect(formatAnthropicEvents([event])).toBe(`event: content_block_delta\ndata: ${JSON.stringify(event)}\n\n`);
    }
    const reordered = { index: 0, type: 'content_block_delta' as const, delta: { text: 'x', type: 'text_delta' as const } };
    expect(formatAnthropicEvents([reordered])).toBe(`event: content_block_delta\ndata: ${JSON.stringify(reordered)}\n\n`);
  });
});

describe('ChunkHeads', () => {
  it('writes every chunk of a stream exactly as JSON.stringify would, a changed head and other members included', () => {
    const heads = new ChunkHeads();
    const head = { id: 'msg_1', object: 'chat.completion.chunk' as const, created: 1700000000, model: 'claude "x"' };
    const frames = [
      { ...head, choices: [{ index: 0, delta: { role: 'assistant' as const, content: '' }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { content: 'hé "quoted"\n' }, logprobs: null, finish_reason: null }] },
      { ...head, model: 'other', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' as const }] },
      { ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
      { choices: [], ...head },
      { ...head, choices: [{ index: 0, delta: { content: 'c' }, logprobs: null, finish_reason: 'length' as const }] },
      { ...head, choices: [{ index: 1, delta: { content: '\u2028 </x>' }, logprobs: null, finish_reason: null }, { index: 2, delta: { content: 'd' }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { content: 'e', refusal: null }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ delta: { content: 'f' }, index: 0, logprobs: null, finish_reason: null }] },
    ];
    for (const frame of frames) expect(formatOpenAiFrames([frame], heads)).toBe(`data: ${JSON.stringify(frame)}\n\n`);
  });
});
