/** Plugin types by their config `type`, and the compile step from a named instance to hooks. */
import type { PluginConfig } from '../config/schema.ts';
import { mockPlugin } from './mock/mock-plugin.ts';
import type { PluginHooks } from './plugin.ts';

/** Compiles one configured plugin instance. */
export function createPluginHooks(config: PluginConfig): PluginHooks {
  switch (config.type) {
    case 'mock':
      return mockPlugin.create(config);
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
    const hooks = createPluginHooks(config);
    if (hooks.onRequest !== undefined) chain.push(hooks);
  }
  return chain.length === 0 ? null : chain;
}
