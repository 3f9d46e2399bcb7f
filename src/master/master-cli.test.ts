import { describe, expect, it } from 'vitest';
import { daemonArgs } from './daemonize.ts';
import { resolveDurationMs, resolveWorkerCount } from './master-cli.ts';

describe('resolveWorkerCount', () => {
  it('prefers --workers, then LOUAILINK_WORKERS, else leaves it to the config', () => {
    expect(resolveWorkerCount('3', { LOUAILINK_WORKERS: '5' })).toBe(3);
    expect(resolveWorkerCount(undefined, { LOUAILINK_WORKERS: '5' })).toBe(5);
    expect(resolveWorkerCount(undefined, {})).toBeUndefined();
    expect(resolveWorkerCount('0', {})).toBe(0);
  });

  it('explains a value that is not a worker count', () => {
    expect(resolveWorkerCount('two', {})).toMatch(/--workers must be an integer/);
    expect(resolveWorkerCount('-1', {})).toMatch(/--workers must be an integer/);
  });
});

describe('resolveDurationMs', () => {
  it('parses durations and explains bad ones', () => {
    expect(resolveDurationMs('30s', '--drain-timeout')).toBe(30_000);
    expect(resolveDurationMs(undefined, '--drain-timeout')).toBeUndefined();
    expect(resolveDurationMs('soon', '--upgrade-wait')).toMatch(/^--upgrade-wait expects a duration/);
  });
});

describe('daemonArgs', () => {
  it('keeps the command line without the launcher flags', () => {
    expect(daemonArgs(['node', 'bin/louailink', '-c', 'conf', '-d', '-u', '--log', 'x.log', '--workers', '2'])).toEqual([
      'bin/louailink',
      '-c',
      'conf',
      '--log',
      'x.log',
      '--workers',
      '2',
    ]);
  });
});
