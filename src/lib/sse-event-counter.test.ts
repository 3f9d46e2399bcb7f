import { describe, expect, it } from 'vitest';
import { SseEventCounter } from './sse-event-counter.ts';

const CHUNKS = ['data: a\n', '\ndata: b\r\n\r', '\n', 'data: c\n\nda', 'ta: d\n\n', 'event: x\ndata: {"a":"\\n"}\n\n'];

describe('SseEventCounter', () => {
  it('counts events split across text chunks, with LF or CRLF line ends', () => {
    const counter = new SseEventCounter();
    expect(CHUNKS.map((chunk) => counter.push(chunk))).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('counts bytes exactly like text', () => {
    const counter = new SseEventCounter();
    expect(CHUNKS.map((chunk) => counter.push(Buffer.from(chunk)))).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('counts several events in one chunk and none in a partial one', () => {
    const counter = new SseEventCounter();
    expect(counter.push('data: 1\n\ndata: 2\n\ndata: [DONE]\n\n')).toBe(3);
    expect(counter.push('data: 4\n')).toBe(0);
  });
});
