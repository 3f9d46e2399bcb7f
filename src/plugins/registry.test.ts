import { describe, expect, it } from 'vitest';
import { fakeContext } from '../../test/helpers/plugin-context.ts';
import type { PluginHooks, Reply } from './plugin.ts';
import { compileRequestChain, runRequestChain } from './registry.ts';

const STOP: Reply = { status: 418, headers: {}, body: '' };

function recorder(log: string[], name: string, verdict: () => Reply | undefined | Promise<Reply | undefined>): PluginHooks {
  return {
    onRequest: () => {
      log.push(name);
      return verdict();
    },
  };
}

describe('plugin chains', () => {
  it('runs synchronously, in order, until the first reply', () => {
    const log: string[] = [];
    const chain = [recorder(log, 'a', () => undefined), recorder(log, 'b', () => STOP), recorder(log, 'c', () => undefined)];
    expect(runRequestChain(chain, fakeContext())).toBe(STOP);
    expect(log).toEqual(['a', 'b']);
  });

  it('continues after a plugin that waits, and resolves to the first reply or undefined', async () => {
    const log: string[] = [];
    const waitThenGo = () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1));
    const passing = runRequestChain([recorder(log, 'a', waitThenGo), recorder(log, 'b', () => undefined)], fakeContext());
    expect(passing).toBeInstanceOf(Promise);
    expect(log).toEqual(['a']);
    expect(await passing).toBeUndefined();
    expect(log).toEqual(['a', 'b']);
    const stopping = runRequestChain([recorder(log, 'c', waitThenGo), recorder(log, 'd', () => STOP), recorder(log, 'e', () => undefined)], fakeContext());
    expect(await stopping).toBe(STOP);
    expect(log).toEqual(['a', 'b', 'c', 'd']);
  });

  it('compiles no chain for a location without plugins, and refuses an unknown plugin name', () => {
    expect(compileRequestChain(undefined, {})).toBeNull();
    expect(compileRequestChain([], {})).toBeNull();
    expect(() => compileRequestChain(['ghost'], {})).toThrow(/ghost/);
  });
});
