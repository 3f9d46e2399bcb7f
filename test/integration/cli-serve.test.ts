import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

describe('louailink -c PATH (serve)', () => {
  it('refuses to start with an invalid config, printing every issue and exiting 1', async () => {
    const result = await runCli(['-c', 'test/fixtures/config/broken']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines[0]).toMatch(/^test\/fixtures\/config\/broken\/a-servers\.yaml:5:30 servers\.main\.listen\.1: /);
  });
});
