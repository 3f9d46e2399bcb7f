import { describe, expect, it } from 'vitest';
import { readFixtureJson } from '../../../test/fixtures/translate/load-fixture.ts';
import { statedOutputLimit, type StatedOutputLimit } from './stated-output-limit.ts';

interface ErrorCase {
  readonly vendor: string;
  readonly body: string;
  readonly expected: StatedOutputLimit | null;
}

describe('statedOutputLimit (golden error bodies)', () => {
  for (const c of readFixtureJson<ErrorCase[]>('output-limit-errors.json')) {
    it(`reads ${c.vendor}`, () => {
      expect(statedOutputLimit(c.body) ?? null).toEqual(c.expected);
    });
  }

  it('reads an Ollama-style string error and ignores bodies too long to be a limit error', () => {
    expect(statedOutputLimit('{"error":"Invalid max_tokens value, the valid range of max_tokens is [1, 4096]"}')).toEqual({ tokens: 4096, scope: 'model' });
    const long = JSON.stringify({ error: { message: `Invalid max_tokens value, the valid range of max_tokens is [1, 4096]${' '.repeat(20_000)}` } });
    expect(statedOutputLimit(long)).toBeUndefined();
  });
});
