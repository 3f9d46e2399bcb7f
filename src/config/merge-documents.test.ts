import { describe, expect, it } from 'vitest';
import { formatIssue } from './config-issue.ts';
import { mergeDocuments } from './merge-documents.ts';
import { parseYamlFile } from './yaml-source.ts';

const root = { file: 'a.yaml', line: 1, col: 1 };
const merge = (files: Record<string, string>) =>
  mergeDocuments(Object.entries(files).map(([name, text]) => parseYamlFile(name, text, {})), root);

describe('mergeDocuments', () => {
  it('merges map sections by entry name and keeps each entry position from its own file', () => {
    const merged = merge({ 'a.yaml': 'locations:\n  a:\n    upstream: x\n', 'b.yaml': '\nlocations:\n  b:\n    upstream: y\n' });
    expect(merged.value).toEqual({ locations: { a: { upstream: 'x' }, b: { upstream: 'y' } } });
    expect(merged.positions.locate(['locations', 'b', 'upstream'])).toEqual({ file: 'b.yaml', line: 4, col: 15 });
    expect(merged.issues).toEqual([]);
  });

  it('keeps the first definition of a duplicate entry and its positions', () => {
    const merged = merge({ 'a.yaml': 'upstreams:\n  u:\n    targets: [a]\n', 'b.yaml': 'upstreams:\n  u:\n    targets: [b]\n' });
    expect(merged.value).toEqual({ upstreams: { u: { targets: ['a'] } } });
    expect(merged.positions.locate(['upstreams', 'u', 'targets', 0])).toEqual({ file: 'a.yaml', line: 3, col: 15 });
    expect(merged.issues.map(formatIssue)).toEqual(['b.yaml:2:3 upstreams.u: upstreams.u is defined in a.yaml:2 and b.yaml:2']);
  });

  it('reports a section written as a map in one file and as something else in another', () => {
    const merged = merge({ 'a.yaml': 'locations:\n  a: {}\n', 'b.yaml': 'locations: none\n' });
    expect(merged.issues.map(formatIssue)).toEqual(['b.yaml:1:1 locations: locations is defined in a.yaml:1 and b.yaml:1']);
  });

  it('reports an unknown top-level key defined in two files', () => {
    const merged = merge({ 'a.yaml': 'extra: 1\n', 'b.yaml': 'extra: 2\n' });
    expect(merged.issues.map(formatIssue)).toEqual(['b.yaml:1:1 extra: extra is defined in a.yaml:1 and b.yaml:1']);
  });

  it('skips empty files', () => {
    expect(merge({ 'a.yaml': '', 'b.yaml': 'basic:\n  name: x\n' }).value).toEqual({ basic: { name: 'x' } });
  });
});
