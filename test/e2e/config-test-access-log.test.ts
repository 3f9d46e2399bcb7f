/**
 * `louailink -t` checks the access-log format like every other setting: each unknown variable, a malformed
 * reference or a mistyped preset is an issue with its file:line:col, and the command exits 1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';

const BASE = `servers:
  main:
    listen: 127.0.0.1:0
    locations: [api]
locations:
  api:
    upstream: backend
upstreams:
  backend:
    targets: [127.0.0.1:9]
`;

let dir: ConfigDir | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

async function testConfig(observability: string): Promise<{ code: number; lines: string[] }> {
  dir = await createConfigDir();
  await dir.write(BASE + observability);
  const result = await runCli(['-c', dir.path, '-t']);
  return { code: result.code, lines: result.stderr.trimEnd().split('\n') };
}

describe('louailink -t with an access-log format', () => {
  // `$${` is YAML-level escaping: `${…}` in any config string is environment interpolation.
  it('reports each unknown variable and a malformed reference at the position of the format', async () => {
    const { code, lines } = await testConfig('observability:\n  access_log:\n    format: \'$remote_addr "$requst" $tokens_inn $${status\'\n');
    expect(code).toBe(1);
    const at = /louailink\.yaml:13:13 observability\.access_log\.format: /;
    expect(lines.filter((line) => at.test(line))).toHaveLength(3);
    expect(lines.some((line) => line.endsWith('unknown access-log variable $requst; did you mean $request?'))).toBe(true);
    expect(lines.some((line) => line.includes('$tokens_inn'))).toBe(true);
    expect(lines.some((line) => line.includes('malformed variable reference "${status"'))).toBe(true);
  });

  it('reports a mistyped preset name', async () => {
    const { code, lines } = await testConfig('observability:\n  access_log:\n    format: jsn\n');
    expect(code).toBe(1);
    expect(lines.some((line) => /louailink\.yaml:13:13 observability\.access_log\.format: unknown access-log preset "jsn"/.test(line))).toBe(true);
  });

  it('accepts the presets and a template of known variables', async () => {
    for (const format of ['json', "'$request_id $${status} $http_x_trace $sent_http_content_type $ttft'"]) {
      const { code } = await testConfig(`observability:\n  access_log:\n    format: ${format}\n`);
      expect(code, format).toBe(0);
      await dir?.remove();
    }
  });
});
