/**
 * Checks the schema cannot express: names that must exist in another section, patterns that must compile,
 * what a location serves, and listen addresses shared by servers. Reads the document as written (before
 * the schema's defaults) and skips anything of the wrong shape, which the schema reports already — so both
 * kinds of problem come out in one run.
 */
import type { ConfigPath, ConfigProblem } from './config-issue.ts';
import { parseListenAddress } from './listen-address.ts';
import { isPatternError, parseHostPattern, parsePathPattern, parseRewrite } from './patterns.ts';

type Doc = Readonly<Record<string, unknown>>;

export function validateRefs(document: unknown): ConfigProblem[] {
  const doc = asRecord(document) ?? {};
  const problems: ConfigProblem[] = [];
  checkServers(doc, problems);
  checkLocations(doc, problems);
  checkModels(doc, problems);
  checkConsumers(doc, problems);
  return problems;
}

/** key-auth consumers: `allowed_locations` must name locations, `allowed_models` models or their aliases. */
function checkConsumers(doc: Doc, problems: ConfigProblem[]): void {
  const locations = names(doc['locations']);
  const models = new Set(names(doc['models']));
  for (const [, model] of sectionEntries(doc['models'])) forEachString(model['aliases'], [], (alias) => models.add(alias));
  for (const [pluginName, plugin] of sectionEntries(doc['plugins'])) {
    if (plugin['type'] !== 'key-auth') continue;
    for (const [consumerName, consumer] of sectionEntries(plugin['consumers'])) {
      const base = ['plugins', pluginName, 'consumers', consumerName];
      forEachString(consumer['allowed_locations'], [...base, 'allowed_locations'], (location, path) => {
        if (!locations.has(location)) problems.push({ path, message: `unknown location "${location}"` });
      });
      forEachString(consumer['allowed_models'], [...base, 'allowed_models'], (model, path) => {
        if (!models.has(model)) problems.push({ path, message: `unknown model "${model}" (not a model name or alias)` });
      });
    }
  }
}

function checkServers(doc: Doc, problems: ConfigProblem[]): void {
  const locations = names(doc['locations']);
  const certificates = names(doc['certificates']);
  const listeners = new ListenerTable(problems);
  for (const [name, server] of sectionEntries(doc['servers'])) {
    const base = ['servers', name];
    forEachString(server['locations'], [...base, 'locations'], (location, path) => {
      if (!locations.has(location)) problems.push({ path, message: `unknown location "${location}"` });
    });
    const tls = asRecord(server['tls']);
    if (tls !== undefined) {
      forEachString(tls['certificates'], [...base, 'tls', 'certificates'], (certificate, path) => {
        if (!certificates.has(certificate)) problems.push({ path, message: `unknown certificate "${certificate}"` });
      });
    }
    forEachStringOrItem(server['listen'], [...base, 'listen'], (address, path) => listeners.add(name, address, path));
  }
}

function checkLocations(doc: Doc, problems: ConfigProblem[]): void {
  const upstreams = names(doc['upstreams']);
  const plugins = names(doc['plugins']);
  for (const [name, location] of sectionEntries(doc['locations'])) {
    const base = ['locations', name];
    const upstream = location['upstream'];
    if (typeof upstream === 'string' && !upstreams.has(upstream)) {
      problems.push({ path: [...base, 'upstream'], message: `unknown upstream "${upstream}"` });
    }
    forEachString(location['plugins'], [...base, 'plugins'], (plugin, path) => {
      if (!plugins.has(plugin)) problems.push({ path, message: `unknown plugin "${plugin}"` });
    });
    const hasUpstream = upstream !== undefined && upstream !== null;
    const hasAi = location['ai'] !== undefined && location['ai'] !== null;
    const pluginList = location['plugins'];
    const hasPlugins = Array.isArray(pluginList) && pluginList.length > 0;
    if (!hasUpstream && !hasAi && !hasPlugins) {
      problems.push({ path: base, message: 'nothing to serve: set "upstream", "ai" or "plugins"' });
    }
    if (hasUpstream && hasAi) {
      problems.push({ path: [...base, 'ai'], message: 'a location serves either "upstream" or "ai", not both' });
    }
    const ai = asRecord(location['ai']);
    if (ai !== undefined) {
      const providers = names(doc['providers']);
      forEachString(ai['allow_providers'], [...base, 'ai', 'allow_providers'], (provider, path) => {
        if (!providers.has(provider)) problems.push({ path, message: `unknown provider "${provider}"` });
      });
    }
    const pathText = location['path'];
    if (typeof pathText === 'string') report(problems, [...base, 'path'], parsePathPattern(pathText));
    forEachStringOrItem(location['host'], [...base, 'host'], (host, path) => report(problems, path, parseHostPattern(host)));
    const rewrite = location['rewrite'];
    if (typeof rewrite === 'string') report(problems, [...base, 'rewrite'], parseRewrite(rewrite));
  }
}

function checkModels(doc: Doc, problems: ConfigProblem[]): void {
  const providers = names(doc['providers']);
  const modelNames = new Map<string, string>();
  const models = sectionEntries(doc['models']);
  for (const [name] of models) modelNames.set(name, name);
  for (const [name, model] of models) {
    const base = ['models', name];
    const modelProviders = Object.keys(asRecord(model['providers']) ?? {});
    for (const provider of modelProviders) {
      if (!providers.has(provider)) {
        problems.push({ path: [...base, 'providers', provider], at: 'key', message: `unknown provider "${provider}"` });
      }
    }
    const defaultProvider = model['default_provider'];
    if (typeof defaultProvider === 'string' && !modelProviders.includes(defaultProvider)) {
      problems.push({ path: [...base, 'default_provider'], message: `"${defaultProvider}" is not one of this model's providers` });
    }
    forEachString(model['aliases'], [...base, 'aliases'], (alias, path) => {
      const owner = modelNames.get(alias);
      if (owner !== undefined) {
        problems.push({ path, message: `model name "${alias}" is already used by model "${owner}"` });
      } else {
        modelNames.set(alias, name);
      }
    });
  }
}

/** Listen addresses by canonical key, plus wildcard overlap ("0.0.0.0:80" vs "127.0.0.1:80") per port. */
class ListenerTable {
  readonly #problems: ConfigProblem[];
  readonly #byPort = new Map<number, { server: string; host: string; key: string }[]>();

  constructor(problems: ConfigProblem[]) {
    this.#problems = problems;
  }

  add(server: string, text: string, path: ConfigPath): void {
    const address = parseListenAddress(text);
    if (typeof address === 'string') return; // the schema reports it
    if (address.port === 0) return; // any free port: never shared
    const others = this.#byPort.get(address.port) ?? [];
    for (const other of others) {
      if (other.key === address.key) {
        const message = other.server === server
          ? `listen address ${address.key} is listed twice`
          : `listen address ${address.key} is already used by server "${other.server}"`;
        this.#problems.push({ path, message });
        return;
      }
      if (isOverlapping(other.host, address.host)) {
        this.#problems.push({ path, message: `listen address ${address.key} overlaps ${other.key} of server "${other.server}"` });
        return;
      }
    }
    others.push({ server, host: address.host, key: address.key });
    this.#byPort.set(address.port, others);
  }
}

function isOverlapping(a: string, b: string): boolean {
  if (a === '::' || b === '::') return true; // dual-stack: [::]:p also takes 0.0.0.0:p
  const isV4 = (host: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(host);
  return (a === '0.0.0.0' && isV4(b)) || (b === '0.0.0.0' && isV4(a));
}

function report(problems: ConfigProblem[], path: ConfigPath, result: unknown): void {
  if (isPatternError(result)) problems.push({ path, message: result.error });
}

/** Calls `visit` for each string of an array (with its index in the path). */
function forEachString(value: unknown, path: ConfigPath, visit: (text: string, path: ConfigPath) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'string') visit(item, [...path, index]);
    });
  }
}

/** For fields written as one string or a list of them (`listen`, `host`). */
function forEachStringOrItem(value: unknown, path: ConfigPath, visit: (text: string, path: ConfigPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else forEachString(value, path, visit);
}

function sectionEntries(section: unknown): [string, Doc][] {
  const result: [string, Doc][] = [];
  for (const [name, entry] of Object.entries(asRecord(section) ?? {})) {
    const record = asRecord(entry);
    if (record !== undefined) result.push([name, record]);
  }
  return result;
}

function names(section: unknown): ReadonlySet<string> {
  return new Set(Object.keys(asRecord(section) ?? {}));
}

function asRecord(value: unknown): Doc | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : undefined;
}
