/**
 * The master's side of the management API: runs every change alone (one queue per master), in this order:
 *   1. apply the operation to the managed file's document (consumer-ops.ts; 404/409 stop here);
 *   2. write it (atomically) and validate the directory with the loader `-t` uses; issues → the old file is
 *      put back and the reply is 400 with every issue and its file:line:col;
 *   3. reload through the supervisor (zero downtime) and wait until the old generation stopped accepting
 *      (`settle`), so a new connection after the reply meets the new config; a failed reload puts the old
 *      file back (the old generation keeps serving) and answers 503;
 *   4. audit the change (who, what, outcome) and answer.
 * The candidate is written before it is validated because the loader reads files; the old text is back
 * within milliseconds when it is invalid, and the dot-named temporary file is never read by anyone.
 */
import { relative, resolve, sep } from 'node:path';
import type { ConfigIssue } from '../config/config-issue.ts';
import type { LoadedConfig, LoadResult } from '../config/load.ts';
import type { Actor, ManagementOp, ManagementReply } from './admin-messages.ts';
import type { AuditLog } from './audit-log.ts';
import { applyOp, isMutation, managedPluginNames } from './consumer-ops.ts';
import { consumerView, keyAuthPlugin, keyAuthPluginViews, pluginView } from './consumer-view.ts';
import { MANAGED_FILE_NAME, readManagedFile, serializeManagedDocument, writeManagedFile } from './managed-file.ts';

/** Structurally the supervisor's ReloadOutcome (admin may not import master). */
export type ReloadResult =
  | { readonly ok: true; readonly generation: number }
  | { readonly ok: false; readonly reason: string; readonly message: string };

export interface ManagementHost {
  /** A forced, zero-downtime reload; settles once the new generation serves or has failed. */
  reload(): Promise<ReloadResult>;
  /** Resolves once every worker of a draining generation has stopped accepting connections. */
  settle(): Promise<void>;
  /** Validates the config at `configPath` as `-t` does. */
  load(configPath: string): Promise<LoadResult>;
  /** The generation now serving. */
  generation(): number;
}

type Mutation = Exclude<ManagementOp, { kind: 'list' | 'get-consumer' }>;

interface Serving {
  readonly loaded: LoadedConfig;
  readonly generation: number;
}

const ACTIONS: Record<Mutation['kind'], string> = {
  'create-consumer': 'consumer.create',
  'update-consumer': 'consumer.update',
  'delete-consumer': 'consumer.delete',
  'create-key': 'key.create',
  'update-key': 'key.update',
  'delete-key': 'key.delete',
};

export class ManagementService {
  readonly #host: ManagementHost;
  readonly #audit: AuditLog;
  #loaded: LoadedConfig;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(loaded: LoadedConfig, host: ManagementHost, audit: AuditLog) {
    this.#loaded = loaded;
    this.#host = host;
    this.#audit = audit;
  }

  /** The configuration now serving (after every reload, whatever triggered it). */
  configure(loaded: LoadedConfig): void {
    this.#loaded = loaded;
  }

  get managedFile(): string {
    return resolve(this.#loaded.configDir, MANAGED_FILE_NAME);
  }

  handle(op: ManagementOp, actor: Actor): Promise<ManagementReply> {
    if (!isMutation(op)) return this.#read(op);
    const run = this.#queue.then(() => this.#change(op, actor));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #read(op: Extract<ManagementOp, { kind: 'list' | 'get-consumer' }>): Promise<ManagementReply> {
    const { config } = this.#loaded;
    const file = await readManagedFile(this.managedFile);
    const managed = file.ok ? managedPluginNames(file.doc) : new Set<string>();
    if (op.plugin === undefined) return { status: 200, body: { plugins: keyAuthPluginViews(config, managed) } };
    const plugin = keyAuthPlugin(config, op.plugin);
    if (plugin === undefined) return failure(404, 'plugin_not_found', `no key-auth plugin "${op.plugin}"`);
    if (op.kind === 'list') return { status: 200, body: { plugin: pluginView(op.plugin, plugin, managed.has(op.plugin)) } };
    const consumer = Object.hasOwn(plugin.consumers, op.consumer) ? plugin.consumers[op.consumer] : undefined;
    if (consumer === undefined) return failure(404, 'consumer_not_found', `no consumer "${op.consumer}" in plugin "${op.plugin}"`);
    return { status: 200, body: { plugin: op.plugin, consumer: consumerView(op.consumer, consumer) } };
  }

  async #change(op: Mutation, actor: Actor): Promise<ManagementReply> {
    const reply = await this.#apply(op).catch((err: unknown) =>
      failure(500, 'management_failed', `the change could not be made: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`),
    );
    const outcome = outcomeOf(reply);
    this.#audit.write({
      action: ACTIONS[op.kind],
      outcome,
      actor,
      plugin: op.plugin,
      consumer: typeof op.consumer === 'string' ? op.consumer : op.consumer.name,
      key: keyNamesOf(op),
      fields: fieldsOf(op),
      status: reply.status,
      ...(typeof reply.body['error'] === 'string' ? { error: reply.body['error'] } : {}),
      ...(outcome === 'applied' ? { generation: reply.body['generation'] } : {}),
    });
    return reply;
  }

  async #apply(op: Mutation): Promise<ManagementReply> {
    const { configPath, configDir } = this.#loaded;
    if (resolve(configPath) !== resolve(configDir)) {
      return failure(409, 'config_not_directory', 'the management API needs a config directory (`-c DIR`): it writes its own file there');
    }
    const path = this.managedFile;
    const file = await readManagedFile(path);
    if (!file.ok) return failure(409, 'managed_file_invalid', file.message);
    const runningPlugins = new Map(Object.entries(this.#loaded.config.plugins).map(([name, plugin]) => [name, plugin.type]));
    const applied = applyOp(file.doc, op, { runningPlugins });
    if (!applied.ok) return failure(applied.status, applied.error, applied.message);
    const text = serializeManagedDocument(applied.doc);
    if (text === file.text) return { status: 200, body: { ...this.#resultOf(op, this.#loaded), generation: this.#host.generation(), changed: false } };

    await writeManagedFile(path, text);
    const undo = (): Promise<void> => writeManagedFile(path, file.text);
    let serving: Serving | ManagementReply;
    try {
      serving = await this.#validateAndReload(configPath, configDir);
    } catch (err) {
      await undo();
      throw err;
    }
    if ('status' in serving) {
      await undo();
      return serving;
    }
    await this.#host.settle();
    this.configure(serving.loaded);
    return { status: applied.status, body: { ...this.#resultOf(op, serving.loaded), generation: serving.generation, changed: true } };
  }

  /** The config on disk now: validated like `-t`, then reloaded; a reply when either fails. */
  async #validateAndReload(configPath: string, configDir: string): Promise<Serving | ManagementReply> {
    const validated = await this.#host.load(configPath);
    if (!validated.ok) {
      const count = validated.issues.length;
      return failure(400, 'invalid_config', `the configuration would be invalid (${count} issue${count === 1 ? '' : 's'}); nothing changed`, {
        issues: validated.issues.map((issue) => relativeIssue(issue, configDir)),
      });
    }
    const reloaded = await this.#host.reload();
    if (!reloaded.ok) return failure(503, 'reload_failed', `${reloaded.message}; the change was undone`, { reason: reloaded.reason });
    return { loaded: validated.loaded, generation: reloaded.generation };
  }

  /** What a change answers besides `generation`: the consumer as it is now, or what was deleted. */
  #resultOf(op: Mutation, loaded: LoadedConfig): Record<string, unknown> {
    const consumerName = op.kind === 'create-consumer' ? op.consumer.name : op.consumer;
    if (op.kind === 'delete-consumer') return { plugin: op.plugin, deleted: { consumer: consumerName } };
    const plugin = keyAuthPlugin(loaded.config, op.plugin);
    const consumer = plugin !== undefined && Object.hasOwn(plugin.consumers, consumerName) ? plugin.consumers[consumerName] : undefined;
    const view = consumer === undefined ? null : consumerView(consumerName, consumer);
    if (op.kind === 'delete-key') return { plugin: op.plugin, consumer: view, deleted: { key: op.key } };
    return { plugin: op.plugin, consumer: view };
  }
}

function failure(status: number, error: string, message: string, extra: Record<string, unknown> = {}): ManagementReply {
  return { status, body: { error, message, ...extra } };
}

function outcomeOf(reply: ManagementReply): string {
  if (reply.status < 300) return reply.body['changed'] === false ? 'unchanged' : 'applied';
  if (reply.body['error'] === 'invalid_config') return 'invalid';
  return reply.status >= 500 ? 'failed' : 'rejected';
}

function keyNamesOf(op: Mutation): string | readonly string[] | undefined {
  switch (op.kind) {
    case 'create-consumer':
      return op.consumer.keys.map((key) => key.name);
    case 'create-key':
      return op.key.name;
    case 'update-key':
    case 'delete-key':
      return op.key;
    default:
      return undefined;
  }
}

/** The fields an update sets or clears (names only: values may be dates and lists, never secrets, but long). */
function fieldsOf(op: Mutation): readonly string[] | undefined {
  if (op.kind === 'update-consumer') return Object.keys(op.patch).filter((field) => op.patch[field as keyof typeof op.patch] !== undefined);
  if (op.kind === 'update-key') return Object.keys(op.patch);
  return undefined;
}

/** Issue files relative to the config directory: the client knows the directory, not the master's cwd. */
function relativeIssue(issue: ConfigIssue, configDir: string): ConfigIssue {
  const path = relative(configDir, resolve(issue.file));
  return path === '' || path.startsWith(`..${sep}`) ? issue : { ...issue, file: path };
}
