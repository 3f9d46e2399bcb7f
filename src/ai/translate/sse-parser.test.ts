import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.ts';

function parseWhole(text: string): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()];
}

function parseByteByByte(text: string): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const byte of Buffer.from(text, 'utf8')) out.push(...parser.push(Uint8Array.of(byte)));
  return [...out, ...parser.end()];
}

const STREAM = [
  ': keep-alive comment',
  'event: message_start',
  'data: {"type":"message_start"}',
  '',
  'event: content_block_delta',
  'data: {"text":"héllo ☃ 😀"}',
  '',
  'data: line one',
  'data: line two',
  '',
  'data:no-space',
  '',
  'id: 7',
  'retry: 100',
  'data: with id',
  '',
  'event: only-event-no-data',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start"}', id: undefined },
  { event: 'content_block_delta', data: '{"text":"héllo ☃ 😀"}', id: undefined },
  { event: undefined, data: 'line one\nline two', id: undefined },
  { event: undefined, data: 'no-space', id: undefined },
  { event: undefined, data: 'with id', id: '7' },
  { event: undefined, data: '[DONE]', id: '7' },
];

describe('SseParser', () => {
  it('parses event names, multi-line data, comments and ids', () => {
    expect(parseWhole(STREAM)).toEqual(EXPECTED);
  });

  it('gives the same events when fed one byte at a time (multi-byte characters split)', () => {
    expect(parseByteByByte(STREAM)).toEqual(EXPECTED);
  });

  it('accepts CRLF and lone CR line endings, also when CR and LF arrive in different chunks', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    expect(parseWhole(crlf)).toEqual(EXPECTED);
    expect(parseByteByByte(crlf)).toEqual(EXPECTED);
    expect(parseByteByByte(STREAM.replaceAll('\n', '\r'))).toEqual(EXPECTED);
  });

  it('gives the same events for every two-way split of the input', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    for (let cut = 0; cut <= crlf.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(crlf.slice(0, cut)), ...parser.push(crlf.slice(cut)), ...parser.end()];
      expect(events).toEqual(EXPECTED);
    }
  });

  it('gives the same events for every two- and three-way split of the bytes (characters cut included)', () => {
    const bytes = Buffer.from(STREAM, 'utf8');
    const parseParts = (cuts: number[]): SseEvent[] => {
      const parser = new SseParser();
      const out: SseEvent[] = [];
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        out.push(...parser.push(bytes.subarray(from, cut)));
        from = cut;
      }
      return [...out, ...parser.end()];
    };
    for (let cut = 0; cut <= bytes.length; cut++) expect(parseParts([cut])).toEqual(EXPECTED);
    for (let first = 0; first <= bytes.length; first += 7) {
      for (let second = first; second <= bytes.length; second += 3) expect(parseParts([first, second])).toEqual(EXPECTED);
    }
  });

  it('drops a byte order mark at the start of the stream only', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const parser = new SseParser();
    const events = [...parser.push(Buffer.concat([bom, Buffer.from('data: a\n\n')])), ...parser.push(Buffer.concat([Buffer.from('data: '), bom, Buffer.from('b\n\n')])), ...parser.end()];
    expect(events.map((e) => e.data)).toEqual(['a', '\ufeffb']);
  });

  it('dispatches a last event whose lines are complete even without the blank line', () => {
    expect(parseWhole('data: a\n\ndata: [DONE]\n')).toEqual([
      { event: undefined, data: 'a', id: undefined },
      { event: undefined, data: '[DONE]', id: undefined },
    ]);
  });

  it('drops an event cut in the middle of a line at the end of the stream', () => {
    expect(parseWhole('data: {"a":1}\n\ndata: {"b":')).toEqual([{ event: undefined, data: '{"a":1}', id: undefined }]);
  });

  it('keeps only the unterminated tail between pushes', () => {
    const parser = new SseParser();
    expect(parser.push('data: x')).toEqual([]);
    expect(parser.push('yz\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: undefined, data: 'xyz', id: undefined }]);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    expect(parseWhole('data\n\n')).toEqual([{ event: undefined, data: '', id: undefined }]);
  });
});
