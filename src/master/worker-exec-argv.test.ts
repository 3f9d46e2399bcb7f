import { describe, expect, it } from 'vitest';
import { workerExecArgv } from './worker-exec-argv.ts';

const MIB = 1024 * 1024;

describe('workerExecArgv', () => {
  it('passes the master flags on and sizes the young generation from basic.semi_space_size in MiB', () => {
    expect(workerExecArgv({ semi_space_size: 64 * MIB }, ['--import', 'x.mjs'])).toEqual([
      '--import',
      'x.mjs',
      '--disable-warning=ExperimentalWarning',
      '--max-semi-space-size=64',
    ]);
  });

  it("leaves V8's default with 0 and keeps an operator's own --max-semi-space-size", () => {
    expect(workerExecArgv({ semi_space_size: 0 }, [])).toEqual(['--disable-warning=ExperimentalWarning']);
    expect(workerExecArgv({ semi_space_size: 64 * MIB }, ['--max-semi-space-size=8'])).toEqual([
      '--max-semi-space-size=8',
      '--disable-warning=ExperimentalWarning',
    ]);
  });
});
