/**
 * The management operations as edits of the managed document (the parsed managed-consumers.yaml): pure
 * functions, no I/O. The managed file holds whole key-auth plugin entries (`plugins.<name>`), because
 * config files merge by entry: a plugin written in a hand-written file cannot get consumers from another
 * file, and its file is never rewritten (answered 409 plugin_not_managed). Creating a consumer of a plugin
 * that exists nowhere creates the plugin here. Whether the result is a valid config is the loader's call.
 */
import { AdminError } from './admin-error.ts';
import type { ConsumerPatch, ConsumerSpec, KeyPatch, KeySpec, ManagementOp } from './admin-messages.ts';

export type ManagedDocument = Record<string, unknown>;

type Entry = Record<string, unknown>;

export type OpOutcome =
  | { readonly ok: true; readonly doc: ManagedDocument; readonly status: 200 | 201 }
  | { readonly ok: false; readonly status: number; readonly error: string; readonly message: string };

export interface OpContext {
  /** Plugin name → type, of the configuration now serving (all files). */
  readonly runningPlugins: ReadonlyMap<string, string>;
}

type Mutation = Exclude<ManagementOp, { kind: 'list' | 'get-consumer' }>;

export function isMutation(op: ManagementOp): op is Mutation {
  return op.kind !== 'list' && op.kind !== 'get-consumer';
}

/** Applies `op` to a copy of `doc`. */
export function applyOp(doc: ManagedDocument, op: Mutation, context: OpContext): OpOutcome {
  const next = structuredClone(doc);
  try {
    switch (op.kind) {
      case 'create-consumer': {
        const consumers = consumersOf(next, op.plugin, context, true);
        if (Object.hasOwn(consumers, op.consumer.name)) {
          throw new AdminError(409, 'consumer_exists', `consumer "${op.consumer.name}" of plugin "${op.plugin}" exists`);
        }
        setEntry(consumers, op.consumer.name, consumerEntry(op.consumer));
        return { ok: true, doc: next, status: 201 };
      }
      case 'update-consumer':
        patchConsumer(consumerOf(next, op.plugin, op.consumer, context), op.patch);
        return { ok: true, doc: next, status: 200 };
      case 'delete-consumer': {
        const consumers = consumersOf(next, op.plugin, context, false);
        consumerOf(next, op.plugin, op.consumer, context);
        delete consumers[op.consumer];
        return { ok: true, doc: next, status: 200 };
      }
      case 'create-key': {
        const keys = keysOf(consumerOf(next, op.plugin, op.consumer, context));
        if (findKey(keys, op.key.name) !== -1) throw new AdminError(409, 'key_exists', `key "${op.key.name}" of consumer "${op.consumer}" exists`);
        keys.push(keyEntry(op.key));
        return { ok: true, doc: next, status: 201 };
      }
      case 'update-key': {
        const keys = keysOf(consumerOf(next, op.plugin, op.consumer, context));
        patchKey(keyAt(keys, op.key, op.consumer), op.patch);
        return { ok: true, doc: next, status: 200 };
      }
      case 'delete-key': {
        const keys = keysOf(consumerOf(next, op.plugin, op.consumer, context));
        keyAt(keys, op.key, op.consumer);
        keys.splice(findKey(keys, op.key), 1);
        return { ok: true, doc: next, status: 200 };
      }
    }
  } catch (err) {
    if (err instanceof AdminError) return { ok: false, status: err.status, error: err.code, message: err.message };
    throw err;
  }
}

/** Names of the plugins the managed document holds. */
export function managedPluginNames(doc: ManagedDocument): Set<string> {
  const plugins = asEntry(doc['plugins']);
  return new Set(plugins === undefined ? [] : Object.keys(plugins));
}

function consumersOf(doc: ManagedDocument, plugin: string, context: OpContext, isCreating: boolean): Entry {
  let plugins = asEntry(doc['plugins']);
  let entry = plugins === undefined ? undefined : asEntry(plugins[plugin]);
  if (entry === undefined) {
    if (context.runningPlugins.has(plugin)) {
      throw new AdminError(409, 'plugin_not_managed', `plugin "${plugin}" is defined in a hand-written file; the management API only changes plugins of its own file`);
    }
    if (!isCreating) throw new AdminError(404, 'plugin_not_found', `no key-auth plugin "${plugin}"`);
    if (plugins === undefined) {
      if (doc['plugins'] !== undefined && doc['plugins'] !== null) throw new AdminError(409, 'managed_file_invalid', '`plugins` of the managed file is not a map');
      plugins = {};
      setEntry(doc, 'plugins', plugins);
    }
    entry = { type: 'key-auth', consumers: {} };
    setEntry(plugins, plugin, entry);
  }
  if (entry['type'] !== 'key-auth') throw new AdminError(409, 'plugin_not_key_auth', `plugin "${plugin}" is not a key-auth plugin`);
  const consumers = asEntry(entry['consumers']);
  if (consumers !== undefined) return consumers;
  if (entry['consumers'] !== undefined && entry['consumers'] !== null) {
    throw new AdminError(409, 'managed_file_invalid', `plugins.${plugin}.consumers of the managed file is not a map`);
  }
  const created: Entry = {};
  setEntry(entry, 'consumers', created);
  return created;
}

function consumerOf(doc: ManagedDocument, plugin: string, consumer: string, context: OpContext): Entry {
  const consumers = consumersOf(doc, plugin, context, false);
  const entry = Object.hasOwn(consumers, consumer) ? asEntry(consumers[consumer]) : undefined;
  if (entry === undefined) throw new AdminError(404, 'consumer_not_found', `no consumer "${consumer}" in plugin "${plugin}"`);
  return entry;
}

function keysOf(consumer: Entry): Entry[] {
  const keys = consumer['keys'];
  if (Array.isArray(keys)) return keys as Entry[];
  const created: Entry[] = [];
  consumer['keys'] = created;
  return created;
}

/** A key's name is its `name`, else its index (as key-auth names it). */
function findKey(keys: readonly Entry[], name: string): number {
  return keys.findIndex((key, index) => (typeof key?.['name'] === 'string' ? key['name'] : String(index)) === name);
}

function keyAt(keys: Entry[], name: string, consumer: string): Entry {
  const index = findKey(keys, name);
  const key = keys[index];
  if (key === undefined) throw new AdminError(404, 'key_not_found', `no key "${name}" of consumer "${consumer}"`);
  return key;
}

function consumerEntry(spec: ConsumerSpec): Entry {
  const entry: Entry = {};
  if (spec.active !== undefined) entry['active'] = spec.active;
  if (spec.expires_at !== undefined) entry['expires_at'] = spec.expires_at;
  if (spec.allowed_models !== undefined) entry['allowed_models'] = [...spec.allowed_models];
  if (spec.allowed_locations !== undefined) entry['allowed_locations'] = [...spec.allowed_locations];
  entry['keys'] = spec.keys.map(keyEntry);
  return entry;
}

function keyEntry(spec: KeySpec): Entry {
  const entry: Entry = { name: spec.name, key_hash: spec.key_hash };
  if (spec.expires_at !== undefined) entry['expires_at'] = spec.expires_at;
  return entry;
}

function patchConsumer(entry: Entry, patch: ConsumerPatch): void {
  if (patch.active !== undefined) entry['active'] = patch.active;
  for (const field of ['expires_at', 'allowed_models', 'allowed_locations'] as const) {
    const value = patch[field];
    if (value === undefined) continue;
    if (value === null) delete entry[field];
    else entry[field] = typeof value === 'string' ? value : [...value];
  }
}

function patchKey(entry: Entry, patch: KeyPatch): void {
  if (patch.expires_at === null) delete entry['expires_at'];
  else entry['expires_at'] = patch.expires_at;
}

function asEntry(value: unknown): Entry | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Entry) : undefined;
}

/** defineProperty: a name such as "__proto__" is data, never the prototype. */
function setEntry(target: Entry, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
