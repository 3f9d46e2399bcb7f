import { describe, expect, it } from 'vitest';
import { setTopLevelMembers, setTopLevelMembersInBytes, type MemberEdit } from './json-member-splice.ts';

function edited(json: string, edits: readonly MemberEdit[]): string | undefined {
  return setTopLevelMembers(json, JSON.parse(json) as Record<string, unknown>, edits);
}

describe('setTopLevelMembers', () => {
  it('replaces a member value and keeps every other character as the client sent it', () => {
    const json = '{ "model" : "gpt-4o-mini",\n  "messages": [{"role":"user","content":"the \\"model\\" said é"}], "n": 12345678901234567890, "t": 1.50 }\n';
    expect(edited(json, [['model', '"gpt-4o-2024"']])).toBe(json.replace('"gpt-4o-mini"', '"gpt-4o-2024"'));
  });

  it('replaces object and number values whole', () => {
    expect(edited('{"stream_options":{"x":[1,{"y":"}"}]},"max_tokens":0}', [['stream_options', '{"include_usage":true}'], ['max_tokens', '4096']]))
      .toBe('{"stream_options":{"include_usage":true},"max_tokens":4096}');
  });

  it('adds a member the object lacks before its closing brace', () => {
    expect(edited('{"model":"m","stream":true}', [['model', '"up"'], ['stream_options', '{"include_usage":true}']]))
      .toBe('{"model":"up","stream":true,"stream_options":{"include_usage":true}}');
    expect(edited('{}', [['max_tokens', '4096']])).toBe('{"max_tokens":4096}');
    expect(edited(' { \n } ', [['a', '1'], ['b', '2']])).toBe(' { \n "a":1,"b":2} ');
  });

  it('returns the text itself when nothing changes', () => {
    const json = '{"model":"same","x":[1,2]}';
    expect(edited(json, [['model', '"same"']])).toBe(json);
  });

  it('declines when the key may be spelled twice: repeated, escaped, or the same name nested or quoted', () => {
    // JSON.parse keeps the last of repeated keys; an upstream reader may keep the first.
    expect(edited('{"model":"cheap","x":1,"model":"dear"}', [['model', '"up"']])).toBeUndefined();
    expect(edited('{"model":"a","mod\\u0065l":"b"}', [['model', '"up"']])).toBeUndefined();
    expect(edited('{"m\\u006Fdel":"a"}', [['model', '"up"']])).toBeUndefined();
    expect(edited('{"tools":[{"model":"t"}],"model":"m"}', [['model', '"up"']])).toBeUndefined();
    expect(edited('{"model":"m","messages":["say \\"model"]}', [['model', '"up"']])).toBeUndefined();
    // An escape of a letter the name does not have is no spelling of it.
    expect(edited('{"model":"m","text":"caf\\u00e9 \\u0041"}', [['model', '"up"']])).toBe('{"model":"up","text":"caf\\u00e9 \\u0041"}');
  });

  it('makes the same edit in the UTF-8 bytes, with multi-byte characters before and after it', () => {
    const json = '{"lang":"日本語 é 😀","model":"m","note":"ü","messages":[]}';
    const bytes = Buffer.from(json);
    const body = JSON.parse(json) as Record<string, unknown>;
    const out = setTopLevelMembersInBytes(json, bytes, body, [['model', '"up-😀"'], ['stream_options', '{"include_usage":true}']]);
    expect(Buffer.from(out ?? []).toString('utf8')).toBe('{"lang":"日本語 é 😀","model":"up-😀","note":"ü","messages":[],"stream_options":{"include_usage":true}}');
    expect(setTopLevelMembersInBytes(json, bytes, body, [['model', '"m"']])).toBe(bytes);
  });

  it('declines what is not a JSON object', () => {
    expect(setTopLevelMembers('[{"model":"m"}]', {}, [['model', '"x"']])).toBeUndefined();
    expect(setTopLevelMembers('"model"', {}, [['model', '"x"']])).toBeUndefined();
  });

  it('agrees with JSON.parse on random documents, layouts, escapes and repeated keys', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const names = ['model', 'messages', 'max_tokens', 'stream', 'usage', 'a'];
    const texts = ['', 'model', '"model":"x"', 'a\\b', '{[', 'é ✓ 😀', '\n\t'];
    const space = (): string => pick(['', '', ' ', '\n  ', '\t']);
    // A serializer of our own: random whitespace, keys sometimes escaped, members sometimes repeated.
    const key = (name: string): string => (random() < 0.1 ? `"${name.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}"` : JSON.stringify(name));
    const value = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.3) return JSON.stringify(pick(texts));
      if (r < 0.4) return pick(['0', '-1.5e3', 'true', 'null', '12345678901234567890']);
      if (r < 0.7) return `[${space()}${Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1)).join(`${space()},${space()}`)}${space()}]`;
      return object(depth + 1);
    };
    const object = (depth: number): string => {
      const members = Array.from({ length: Math.floor(random() * 4) }, () => `${key(pick(names))}${space()}:${space()}${value(depth)}`);
      return `{${space()}${members.join(`${space()},${space()}`)}${space()}}`;
    };
    let spliced = 0;
    for (let round = 0; round < 3000; round++) {
      const json = `${space()}${object(0)}${space()}`;
      const edits: MemberEdit[] = [['model', JSON.stringify(`up-${round}`)]];
      if (random() < 0.5) edits.push(['max_tokens', String(round)]);
      const out = edited(json, edits);
      if (out === undefined) continue;
      spliced++;
      const expected = { ...(JSON.parse(json) as object), ...Object.fromEntries(edits.map(([name, text]) => [name, JSON.parse(text) as unknown])) };
      expect(JSON.parse(out)).toEqual(expected);
      const inBytes = setTopLevelMembersInBytes(json, Buffer.from(json), JSON.parse(json) as Record<string, unknown>, edits);
      expect(Buffer.from(inBytes ?? []).toString('utf8')).toBe(out);
    }
    expect(spliced).toBeGreaterThan(1000);
  });
});
