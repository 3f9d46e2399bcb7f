import { describe, expect, it } from 'vitest';
import { redactIssues } from './redact-issues.ts';

const at = { file: 'a.yaml', line: 1, col: 1 };

describe('redactIssues', () => {
  it('shows an interpolated value as written and hides quoted fragments of it', () => {
    const issues = [{ ...at, path: 'servers.main.listen.0', message: 'invalid listen address "h!:1": bad host "h!"' }];
    const redacted = redactIssues(issues, [{ path: 'servers.main.listen', value: 'h!:1', source: '${ADDR}' }], ['h!:1']);
    expect(redacted[0]?.message).toBe('invalid listen address "${ADDR}": bad host "***"');
  });

  it('hides environment values in issues about other paths', () => {
    const issues = [{ ...at, path: 'servers.b.listen', message: 'listen address 10.1.2.3:80 is already used by server "a"' }];
    const redacted = redactIssues(issues, [{ path: 'servers.a.listen', value: '10.1.2.3:80', source: '${A}' }], ['10.1.2.3']);
    expect(redacted[0]?.message).toBe('listen address ${A} is already used by server "a"');
    expect(redactIssues(issues, [], ['10.1.2.3'])[0]?.message).toBe('listen address ***:80 is already used by server "a"');
  });

  it('leaves short values alone in unrelated issues so messages stay readable', () => {
    const issues = [{ ...at, path: 'locations.x', message: 'nothing to serve: set "upstream", "ai" or "plugins"' }];
    expect(redactIssues(issues, [{ path: 'basic.name', value: 'ai', source: '${N}' }], ['ai'])).toEqual(issues);
  });
});
