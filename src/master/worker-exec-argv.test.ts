import { describe, expect, it } from 'vitest';
import { workerExecArgv } from './worker-exec-argv.ts';

const MIB = 1024 * 1024;

describe('workerExecArgv', () => {
  it('passes the master flags on, sizes the young generation from basic.semi_space_size in MiB and turns pretenuring off', () => {
    expect(workerExecArgv({ semi_space_size: 64 * MIB }, ['--import', 'x.mjs'])).toEqual([
      '--import',
      'x.mjs',
      '--disable-warning=ExperimentalWarning',
      '--max-semi-space-size=64',
      '--no-allocation-site-pretenuring',
    ]);
  });

  it("leaves V8's default semi-space with 0 and keeps an operator's own heap flags", () => {
    expect(workerExecArgv({ semi_space_size: 0 }, [])).toEqual(['--disable-warning=ExperimentalWarning', '--no-allocation-site-pretenuring']);
    expect(workerExecArgv({ semi_space_size: 64 * MIB }, ['--max-semi-space-size=8', '--allocation-site-pretenuring'])).toEqual([
      '--max-semi-space-size=8',
      '--allocation-site-pretenuring',
      '--disable-warning=ExperimentalWarning',
    ]);
  });
});
