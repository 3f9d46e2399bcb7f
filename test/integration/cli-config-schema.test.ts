import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { VERSION } from '../../src/core/version.ts';

describe('louailink config schema', () => {
  it('prints the JSON Schema of the config as JSON with every section', async () => {
    const result = await runCli(['config', 'schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { type: string; properties: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['basic', 'servers', 'locations', 'upstreams', 'certificates', 'plugins', 'providers', 'models']),
    );
  });
});

describe('louailink flags', () => {
  it('prints the version with -V', async () => {
    const result = await runCli(['-V']);
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('refuses to run without -c', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('-c, --conf <path> is required');
  });
});
