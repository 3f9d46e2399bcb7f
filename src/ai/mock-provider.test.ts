import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.ts';
import { createMockReply, splitIntoPieces } from './mock-provider.ts';

const echo = { type: 'mock', chunk_delay: 5 } as const;

describe('createMockReply', () => {
  it('echoes the last user message when no reply is configured', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'second question' },
      ],
    });
    const reply = createMockReply(request, echo);
    expect(reply.text).toBe('mock reply to: second question');
    expect(reply.chunkDelayMs).toBe(5);
  });

  it('echoes the text parts of a content-part array', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'here' }] }],
    });
    expect(createMockReply(request, echo).text).toBe('mock reply to: look\nhere');
  });

  it('uses the configured reply', () => {
    const request = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(createMockReply(request, { ...echo, reply: 'fixed answer' }).text).toBe('fixed answer');
  });

  it('estimates usage as ceil(characters / 4) for prompt and completion', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [{ role: 'system', content: 'abcde' }, { role: 'user', content: 'abc' }],
    });
    const reply = createMockReply(request, { ...echo, reply: '123456789' });
    expect(reply.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  });
});

describe('splitIntoPieces', () => {
  it('groups words and keeps every character', () => {
    const text = '  one two  three four\nfive six seven ';
    const pieces = splitIntoPieces(text, 3);
    expect(pieces).toEqual(['  one two  three ', 'four\nfive six ', 'seven ']);
    expect(pieces.join('')).toBe(text);
  });

  it('returns no pieces for empty text and one piece for whitespace only', () => {
    expect(splitIntoPieces('', 3)).toEqual([]);
    expect(splitIntoPieces('   ', 3)).toEqual(['   ']);
  });
});
