import { describe, expect, it } from 'vitest';
import { parseControlRequest } from './control-protocol.ts';

const spawn = { execPath: '/usr/bin/node', args: ['bin/louailink', '-c', 'conf'], cwd: '/srv', env: { PATH: '/usr/bin' } };

describe('parseControlRequest', () => {
  it('accepts the plain commands', () => {
    for (const command of ['status', 'reload', 'quit', 'stop', 'reopen'] as const) {
      expect(parseControlRequest({ command })).toEqual({ command });
    }
  });

  it('accepts an upgrade only with a complete spawn spec', () => {
    expect(parseControlRequest({ command: 'upgrade', spawn })).toEqual({ command: 'upgrade', spawn });
    expect(parseControlRequest({ command: 'upgrade', spawn: { ...spawn, logFile: '/var/log/l.log' } })).toMatchObject({ command: 'upgrade' });
    expect(parseControlRequest({ command: 'upgrade' })).toBeUndefined();
    expect(parseControlRequest({ command: 'upgrade', spawn: { ...spawn, args: [1] } })).toBeUndefined();
    expect(parseControlRequest({ command: 'upgrade', spawn: { ...spawn, env: { A: 1 } } })).toBeUndefined();
  });

  it('rejects unknown commands and non-objects', () => {
    expect(parseControlRequest({ command: 'explode' })).toBeUndefined();
    expect(parseControlRequest('status')).toBeUndefined();
    expect(parseControlRequest(null)).toBeUndefined();
  });
});
