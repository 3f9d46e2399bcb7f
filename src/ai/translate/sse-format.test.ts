import { describe, expect, it } from 'vitest';
import { formatAnthropicEvents, formatOpenAiFrames } from './sse-format.ts';

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
  });
});
