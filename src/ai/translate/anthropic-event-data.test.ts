import { describe, expect, it } from 'vitest';
import { parseAnthropicEventData } from './anthropic-event-data.ts';

describe('parseAnthropicEventData', () => {
  it('gives what JSON.parse gives, for text deltas in the documented bytes and for anything near them', () => {
    const texts = ['Hello', '', ' token', 'quote " backslash \\ end', 'line\nbreak', 'ü 😀', '"}}', ',"x":"y'];
    const samples = [
      ...texts.map((text) => JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
      JSON.stringify({ type: 'content_block_delta', index: 12, delta: { type: 'text_delta', text: 'a' } }),
      '{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","extra":1}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"extra":1}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}}',
      '{"type":"content_block_delta", "index":0,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":1}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}',
      JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a' } }),
      JSON.stringify({ type: 'message_stop' }),
      '[DONE]',
    ];
    for (const data of samples) {
      let expected: unknown;
      try {
        expected = data === '[DONE]' ? data : JSON.parse(data);
      } catch {
        expected = undefined;
      }
      expect(parseAnthropicEventData(data)).toEqual(expected);
    }
  });
});
