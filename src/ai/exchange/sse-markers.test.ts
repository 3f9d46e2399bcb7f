import { describe, expect, it } from 'vitest';
import { dataHasUsageObject, endsWithBlankLine, hasStreamMarker } from './sse-markers.ts';

const token = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"the \\"usage\\": {\\"error\\"} and [DONE"}}],"usage":null}\n\n';

describe('SSE stream markers', () => {
  it('finds an end of stream between events, after LF or CRLF lines only', () => {
    expect(endsWithBlankLine('data: x\n\n')).toBe(true);
    expect(endsWithBlankLine(Buffer.from('data: x\r\n\r\n'))).toBe(true);
    expect(endsWithBlankLine('data: x\n')).toBe(false);
    expect(endsWithBlankLine(Buffer.from('data: {"a":'))).toBe(false);
    expect(endsWithBlankLine('')).toBe(false);
  });

  it('leaves OpenAI token chunks with "usage":null inert, even when their text mentions usage or errors', () => {
    expect(hasStreamMarker('openai', Buffer.from(token))).toBe(false);
    expect(hasStreamMarker('openai', token)).toBe(false);
  });

  it('marks OpenAI usage objects (with or without spaces), [DONE] and errors', () => {
    expect(hasStreamMarker('openai', Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n'))).toBe(true);
    expect(hasStreamMarker('openai', Buffer.from('data: {"choices": [], "usage" : {"prompt_tokens": 1}}\n\n'))).toBe(true);
    expect(hasStreamMarker('openai', Buffer.from('data: [DONE]\n\n'))).toBe(true);
    expect(hasStreamMarker('openai', Buffer.from('data: {"error":{"message":"boom"}}\n\n'))).toBe(true);
  });

  it('marks the Anthropic message events and errors, not content deltas or pings', () => {
    const delta = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n';
    expect(hasStreamMarker('anthropic', Buffer.from(delta))).toBe(false);
    expect(hasStreamMarker('anthropic', Buffer.from('event: ping\ndata: {"type": "ping"}\n\n'))).toBe(false);
    expect(hasStreamMarker('anthropic', Buffer.from('event: message_stop\ndata: {"type":"message_stop"}\n\n'))).toBe(true);
    expect(hasStreamMarker('anthropic', Buffer.from('event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'))).toBe(true);
  });

  it('reads a usage object in event data, not a null one', () => {
    expect(dataHasUsageObject('{"usage": {"prompt_tokens":1}}')).toBe(true);
    expect(dataHasUsageObject('{"usage":null}')).toBe(false);
  });
});
