import { describe, expect, it } from 'vitest';
import { formatIssue } from './config-issue.ts';
import { parseYamlFile } from './yaml-source.ts';

describe('parseYamlFile', () => {
  it('records 1-based positions of values and keys', () => {
    const parsed = parseYamlFile('a.yaml', 'servers:\n  main:\n    listen: [127.0.0.1:80, "[::1]:80"]\n', {});
    expect(parsed.value).toEqual({ servers: { main: { listen: ['127.0.0.1:80', '[::1]:80'] } } });
    expect(parsed.positions.locate(['servers', 'main', 'listen', 1])).toEqual({ file: 'a.yaml', line: 3, col: 28 });
    expect(parsed.positions.locate(['servers', 'main', 'listen'], 'key')).toEqual({ file: 'a.yaml', line: 3, col: 5 });
  });

  it('points a collection and a missing child at the key line of the entry', () => {
    const parsed = parseYamlFile('a.yaml', 'servers:\n  main:\n    listen: 80\n', {});
    expect(parsed.positions.locate(['servers', 'main'])).toEqual({ file: 'a.yaml', line: 2, col: 3 });
    expect(parsed.positions.locate(['servers', 'main', 'locations'])).toEqual({ file: 'a.yaml', line: 2, col: 3 });
  });

  it('reports a YAML syntax error with file:line:col and marks the file broken', () => {
    const parsed = parseYamlFile('a.yaml', 'servers:\n  main: [1, 2\n', {});
    expect(parsed.isBroken).toBe(true);
    expect(parsed.issues.map(formatIssue)[0]).toMatch(/^a\.yaml:\d+:\d+: YAML /);
  });

  it('reports a duplicate key at the second one with the path and the first line', () => {
    const parsed = parseYamlFile('a.yaml', 'locations:\n  api:\n    path: /\n    path: /v1\n', {});
    expect(parsed.issues.map(formatIssue)).toEqual(['a.yaml:4:5 locations.api.path: duplicate key "path" (first defined at line 3)']);
  });

  it('interpolates string values but not keys, and reports an unset variable at its value', () => {
    const parsed = parseYamlFile('a.yaml', 'basic:\n  name: ${NAME}\n  ${KEY}: x\nother: "${UNSET}"\n', { NAME: 'edge-1', KEY: 'k' });
    expect(parsed.value).toEqual({ basic: { name: 'edge-1', '${KEY}': 'x' }, other: '' });
    expect(parsed.issues.map(formatIssue)).toEqual(['a.yaml:4:8 other: environment variable UNSET is not set']);
    expect(parsed.secrets).toEqual(['edge-1']);
  });

  it('resolves aliases and reports an unknown alias', () => {
    expect(parseYamlFile('a.yaml', 'x: &t [1]\ny: *t\n', {}).value).toEqual({ x: [1], y: [1] });
    expect(parseYamlFile('a.yaml', 'x: 1\ny: *nope\n', {}).issues.map(formatIssue)).toEqual(['a.yaml:2:4 y: unknown YAML alias "*nope"']);
  });

  it('keeps a "__proto__" key as data', () => {
    const parsed = parseYamlFile('a.yaml', '__proto__:\n  polluted: true\n', {});
    expect(Object.keys(parsed.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads an empty file as null', () => {
    expect(parseYamlFile('a.yaml', '# only a comment\n', {}).value).toBeNull();
  });
});
