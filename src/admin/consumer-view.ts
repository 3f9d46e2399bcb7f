/**
 * The consumers of the key-auth plugins as the management API shows them, read from the configuration
 * that serves: names, flags, expiry dates and key names — never a key, never a hash.
 */
import type { Config, PluginConfig } from '../config/schema.ts';

type KeyAuthConfig = Extract<PluginConfig, { type: 'key-auth' }>;
type ConsumerConfig = KeyAuthConfig['consumers'][string];

export interface KeyView {
  readonly name: string;
  readonly expires_at?: string;
}

export interface ConsumerView {
  readonly name: string;
  readonly active: boolean;
  readonly expires_at?: string;
  readonly allowed_models?: readonly string[];
  readonly allowed_locations?: readonly string[];
  readonly keys: readonly KeyView[];
}

export interface KeyAuthPluginView {
  readonly name: string;
  /** Defined in the managed file, so the API may change it. */
  readonly managed: boolean;
  readonly headers: readonly string[];
  readonly consumers: readonly ConsumerView[];
}

export function keyAuthPluginViews(config: Config, managed: ReadonlySet<string>): KeyAuthPluginView[] {
  const views: KeyAuthPluginView[] = [];
  for (const [name, plugin] of Object.entries(config.plugins)) {
    if (plugin.type === 'key-auth') views.push(pluginView(name, plugin, managed.has(name)));
  }
  return views;
}

export function pluginView(name: string, plugin: KeyAuthConfig, isManaged: boolean): KeyAuthPluginView {
  return {
    name,
    managed: isManaged,
    headers: plugin.headers,
    consumers: Object.entries(plugin.consumers).map(([consumer, entry]) => consumerView(consumer, entry)),
  };
}

export function consumerView(name: string, consumer: ConsumerConfig): ConsumerView {
  return {
    name,
    active: consumer.active,
    ...(consumer.expires_at === undefined ? {} : { expires_at: isoOf(consumer.expires_at) }),
    ...(consumer.allowed_models === undefined ? {} : { allowed_models: consumer.allowed_models }),
    ...(consumer.allowed_locations === undefined ? {} : { allowed_locations: consumer.allowed_locations }),
    keys: consumer.keys.map((key, index) => ({
      name: key.name ?? String(index),
      ...(key.expires_at === undefined ? {} : { expires_at: isoOf(key.expires_at) }),
    })),
  };
}

/** The key-auth plugin `name` of `config`, if it is one. */
export function keyAuthPlugin(config: Config, name: string): KeyAuthConfig | undefined {
  const plugin = Object.hasOwn(config.plugins, name) ? config.plugins[name] : undefined;
  return plugin?.type === 'key-auth' ? plugin : undefined;
}

function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
