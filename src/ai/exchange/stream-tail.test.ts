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
    const tail = new StreamTail(40);
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

  it('keeps the last bytes across wrap-arounds and chunks larger than itself, and knows where a kept event starts', () => {
    const events = Array.from({ length: 30 }, (_, i) => `data: {"n":${i},"pad":"${'p'.repeat(i % 7)}"}\n\n`);
    for (const size of [64, 100, 257]) {
      const tail = new StreamTail(size);
      for (const event of events) tail.push(Buffer.from(event));
      const whole = events.join('');
      const expected = whole.slice(-size).split('\n\n').slice(1, -1).map((e) => e.slice('data: '.length)).slice(-6);
      expect(data(tail)).toEqual(expected);
      const big = new StreamTail(size);
      big.push(whole);
      expect(data(big)).toEqual(expected);
    }
    // The kept bytes start exactly at an event: that event is read (the bytes let go ended with a blank line).
    const exact = new StreamTail(16);
    exact.push('data: first\n\n');
    exact.push('data: 01234567\n\n');
    expect(data(exact)).toEqual(['01234567']);
  });

  it('finds the last events in the bytes when blank lines repeat and a multi-byte character sits at a cut', () => {
    const tail = new StreamTail(32);
    tail.push(Buffer.from('data: xxxxxxxxxxxxxxxxxxxxxxxx\n\n\n\ndata: é\n\n\n'));
    tail.push(Buffer.from('data: b\n\n'));
    expect(data(tail)).toEqual(['é', 'b']);
    const many = new StreamTail();
    for (let i = 0; i < 10; i++) many.push(`data: ${i}\n\n\n`);
    expect(data(many)).toEqual(['7', '8', '9']);
  });
});
