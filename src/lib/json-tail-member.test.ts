import { describe, expect, it } from 'vitest';
import { findTailObjectMember } from './json-tail-member.ts';

function member(json: string, name = 'usage'): unknown {
  const bytes = Buffer.from(json);
  const found = findTailObjectMember(bytes, name);
  if (found.kind !== 'found') return found.kind;
  return JSON.parse(bytes.subarray(found.start, found.end).toString('utf8'));
}

describe('findTailObjectMember', () => {
  it('reads the usage of an OpenAI answer, wherever it sits among the top-level members', () => {
    const usage = { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 } };
    const choices = [{ index: 0, message: { role: 'assistant', content: 'Hello! {"usage":{"x":1}} ü 😀' }, finish_reason: 'stop' }];
    expect(member(JSON.stringify({ id: 'c', choices, usage }))).toEqual(usage);
    expect(member(JSON.stringify({ id: 'c', usage, choices, system_fingerprint: 'fp' }))).toEqual(usage);
    expect(member(JSON.stringify({ id: 'c', choices, usage }, null, 2) + '\n')).toEqual(usage);
  });

  it('passes over a member of that name inside nested values and inside strings', () => {
    expect(member('{"choices":[{"usage":{"a":1}}],"meta":{"usage":{"b":2}},"text":"\\"usage\\":{\\"c\\":3}"}')).toBe('absent');
    expect(member('{"usage":{"top":1},"choices":[{"usage":{"a":1}}]}')).toEqual({ top: 1 });
    expect(member('{"text":"ends in a backslash \\\\","usage":{"n":1}}')).toEqual({ n: 1 });
  });

  it('does not take a string value or a non-object value for the member', () => {
    expect(member('{"name":"usage","other":{"a":1}}')).toBe('absent');
    expect(member('{"usage":null}')).toBe('absent');
    expect(member('{"usage":[{"a":1}]}')).toBe('absent');
    expect(member('{"usage" : \n{"a":1} }')).toEqual({ a: 1 });
  });

  it('says when the body is not a JSON object', () => {
    for (const body of ['', '  ', '[1]', '"x"', '{"usage":{"a":1}', '{"a":"b}', '}']) expect(member(body)).toBe('not_object');
  });

  it('agrees with JSON.parse on generated documents', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const names = ['usage', 'a', 'b', 'usage'];
    const strings = ['usage', '"usage":{}', 'back\\slash', 'q"uote', '{[', 'ü😀'];
    const value = (depth: number): unknown => {
      const pick = random();
      if (depth > 3 || pick < 0.3) return strings[Math.floor(random() * strings.length)];
      if (pick < 0.4) return Math.floor(random() * 100);
      if (pick < 0.5) return null;
      if (pick < 0.7) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [names[Math.floor(random() * names.length)], value(depth + 1)]));
    };
    let withUsage = 0;
    for (let i = 0; i < 500; i++) {
      const doc = Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 4) }, () => [names[Math.floor(random() * names.length)], value(1)]));
      const usage = (doc as { usage?: unknown }).usage;
      const expected = typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? usage : 'absent';
      if (expected !== 'absent') withUsage++;
      expect(member(JSON.stringify(doc, null, random() < 0.5 ? 0 : 1))).toEqual(expected);
    }
    expect(withUsage).toBeGreaterThan(50);
  });
});
