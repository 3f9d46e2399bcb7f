import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';
import { validateLogFormat } from './validate-log-format.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('validateLogFormat', () => {
  it('accepts presets, templates and a document without an access log', () => {
    for (const format of ['combined', 'main', 'json', '$status $http_x_trace']) {
      expect(validateLogFormat({ observability: { access_log: { format } } })).toEqual([]);
    }
    expect(validateLogFormat({ servers: {} })).toEqual([]);
    expect(validateLogFormat({ observability: { access_log: { format: 42 } } })).toEqual([]); // the schema reports it
  });

  it('reports each problem at the format value', () => {
    const problems = validateLogFormat({ observability: { access_log: { format: '$status $bogus ${x' } } });
    expect(problems.map((p) => [p.path.join('.'), p.at])).toEqual([
      ['observability.access_log.format', 'value'],
      ['observability.access_log.format', 'value'],
    ]);
  });

  it('makes the config invalid with the position of the format in its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llk-logfmt-'));
    dirs.push(dir);
    await writeFile(join(dir, 'main.yaml'), 'servers:\n  main:\n    listen: 127.0.0.1:8080\n    locations: [api]\nlocations:\n  api:\n    upstream: b\nupstreams:\n  b:\n    targets: [127.0.0.1:9000]\n');
    await writeFile(join(dir, 'obs.yaml'), 'observability:\n  access_log:\n    format: "$remote_addr $requets"\n');
    const result = await loadConfig(dir);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => [i.file.endsWith('obs.yaml'), i.line, i.col, i.path])).toEqual([[true, 3, 13, 'observability.access_log.format']]);
    expect(issues[0]?.message).toContain('$requets');
  });
});
