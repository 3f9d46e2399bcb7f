import { describe, expect, it } from 'vitest';
import { StreamTail } from './stream-tail.ts';

const data = (tail: StreamTail, isEnd = true): string[] => tail.events(isEnd).map((event) => event.data);

describe('StreamTail', () => {
  it('hands back the last events of a stream, whole', () => {
    const tail = new StreamTail();
    for (let i = 0; i < 20; i++) tail.push(Buffer.from(`data: ${i}\n\n`));
    expect(data(tail)).toEqual(['14', '15', '16', '17', '18', '19']);
  });

  it('never reads an event whose start was let go, and reads CRLF streams', () => {
    const tail = new StreamTail(16);
    tail.push(`data: ${'x'.repeat(100)}\r\n\r\n`);
    tail.push('data: usage\r\n\r\ndata: [DONE]\r\n\r\n');
    expect(data(tail)).toEqual(['usage', '[DONE]']);
    const cut = new StreamTail(16);
    cut.push(`data: {"usage": {"prompt_tokens": 1, "pad": "${'x'.repeat(40)}`);
    cut.push('"}}\n\ndata: after\n\n');
    expect(data(cut, false)).toEqual(['after']);
  });

  it('reads a last event without its blank line only at the end of the stream', () => {
    const tail = new StreamTail();
    tail.push('data: a\n\ndata: b\n');
    expect(data(tail, false)).toEqual(['a']);
    expect(data(tail, true)).toEqual(['a', 'b']);
  });
});
