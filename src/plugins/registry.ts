/** Plugin types by their config `type`, and the compile step from a named instance to hooks. */
import type { PluginConfig } from '../config/schema.ts';
import { corsPlugin } from './cors/cors-plugin.ts';
import { ipRestrictionPlugin } from './ip-restriction/ip-restriction-plugin.ts';
import { keyAuthPlugin } from './key-auth/key-auth-plugin.ts';
import { limitPlugin } from './limit/limit-plugin.ts';
import { mockPlugin } from './mock/mock-plugin.ts';
import { requestRestrictionPlugin } from './request-restriction/request-restriction-plugin.ts';
import type { PluginHooks, PluginRequestContext, RequestVerdict } from './plugin.ts';

/** Compiles one configured plugin instance; `name` is its name in config (limit counters are keyed by it). */
export function createPluginHooks(config: PluginConfig, name = ''): PluginHooks {
  switch (config.type) {
    case 'mock':
      return mockPlugin.create(config, name);
    case 'key-auth':
      return keyAuthPlugin.create(config, name);
    case 'request-restriction':
      return requestRestrictionPlugin.create(config, name);
    case 'ip-restriction':
      return ipRestrictionPlugin.create(config, name);
    case 'cors':
      return corsPlugin.create(config, name);
    case 'limit':
      return limitPlugin.create(config, name);
  }
}

/**
 * The onRequest chain of a location, in order, or null when no plugin has that hook (the request path
 * then skips plugins with one check). Unknown names throw (reference validation reports them first).
 */
export function compileRequestChain(names: readonly string[] | undefined, plugins: Readonly<Record<string, PluginConfig>>): PluginHooks[] | null {
  if (names === undefined || names.length === 0) return null;
  const chain: PluginHooks[] = [];
  for (const name of names) {
    const config = plugins[name];
    if (config === undefined) throw new Error(`unknown plugin "${name}"`);
    const hooks = createPluginHooks(config, name);
    if (hooks.onRequest !== undefined) chain.push(hooks);
  }
  return chain.length === 0 ? null : chain;
}

/**
 * Runs a location's onRequest chain: synchronous while every hook answers synchronously (the common
 * case costs no promise), a promise from the first hook that waits; the rest of the chain then runs
 * after it. Resolves to the first Reply, or undefined when every plugin let the request continue.
 */
export function runRequestChain(chain: readonly PluginHooks[], ctx: PluginRequestContext, from = 0): RequestVerdict | Promise<RequestVerdict> {
  for (let i = from; i < chain.length; i++) {
    const verdict = chain[i]?.onRequest?.(ctx);
    if (verdict === undefined) continue;
    if (verdict instanceof Promise) return verdict.then((reply) => (reply === undefined ? runRequestChain(chain, ctx, i + 1) : reply));
    return verdict;
  }
  return undefined;
}
