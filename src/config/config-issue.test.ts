import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayFile, formatIssue, formatPath } from './config-issue.ts';

describe('config issues', () => {
  it('formats file:line:col path: message', () => {
    expect(formatIssue({ file: 'a.yaml', line: 3, col: 5, path: 'locations.api.upstream', message: 'unknown upstream "x"' })).toBe(
      'a.yaml:3:5 locations.api.upstream: unknown upstream "x"',
    );
  });

  it('leaves the path out of file-level issues', () => {
    expect(formatIssue({ file: 'a.yaml', line: 1, col: 1, path: '', message: 'YAML broken' })).toBe('a.yaml:1:1: YAML broken');
  });

  it('writes array indexes as dotted segments', () => {
    expect(formatPath(['servers', 'main', 'listen', 0])).toBe('servers.main.listen.0');
  });

  it('shows files under the cwd relative to it and others as given', () => {
    expect(displayFile(join('/srv/app', 'config', 'a.yaml'), '/srv/app')).toBe(join('config', 'a.yaml'));
    expect(displayFile('/etc/louailink/a.yaml', '/srv/app')).toBe('/etc/louailink/a.yaml');
  });
});
