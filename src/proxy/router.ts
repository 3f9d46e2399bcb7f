/**
 * The routing table: (host, path) → location name, compiled once per config (docs/routing.md is the user's
 * view of these rules; keep both in step).
 *
 * Order, first match wins: explicit `priority` (higher first, absent = 0) → host class (exact host, wildcard
 * by longest suffix, regex host in config order, any host) → path class (exact, longest segment-boundary
 * prefix, regex in config order, then the "/" catch-all, as in nginx and pingap) → config order. It is
 * precomputed as tiers (one per distinct priority, most configs have one), each a host index of path tables,
 * so a request does Map lookups while walking its own host labels and path segments; regexes run only when
 * nothing static in that host table matched.
 */
import { isPatternError, parseHostPattern, parsePathPattern } from '../config/patterns.ts';
import type { HostPattern, PathPattern } from '../config/patterns.ts';

export interface RouteSpec {
  /** Location name, returned on a match. */
  readonly name: string;
  /** Host patterns; undefined or empty = any host. */
  readonly hosts: readonly string[] | undefined;
  /** Path pattern: "/prefix", "=/exact" or "~regex". */
  readonly path: string;
  /** Explicit priority, higher first; undefined counts as 0. */
  readonly priority: number | undefined;
}

export interface RouteMatch {
  readonly name: string;
}

export interface RouteTable {
  /**
   * The location serving a request, or undefined (404 route_not_found).
   * @param host lower-case, without port (see normalizeHost)
   * @param path the request path without the query string, as received (not percent-decoded)
   */
  match(host: string, path: string): string | undefined;
}

interface RegexRoute {
  readonly regex: RegExp;
  readonly name: string;
}

/** Locations sharing one host pattern within one priority tier. */
interface PathTable {
  readonly exact: Map<string, string>;
  readonly prefixes: Map<string, string>;
  /** prefixLengths[n] === 1 when some prefix has length n: the walk slices and looks up only those lengths. */
  prefixLengths: Uint8Array;
  readonly regexes: RegexRoute[];
  /** The "/" prefix: tried after the regexes so a catch-all does not shadow them. */
  root: string | undefined;
}

interface HostRegexTable {
  readonly regex: RegExp;
  readonly source: string;
  readonly table: PathTable;
}

interface Tier {
  readonly priority: number;
  readonly exactHosts: Map<string, PathTable>;
  /** Keyed by suffix including its leading dot (".example.com"). */
  readonly wildcardHosts: Map<string, PathTable>;
  /** wildcardLengths[n] === 1 when some suffix has length n. */
  wildcardLengths: Uint8Array;
  readonly regexHosts: HostRegexTable[];
  anyHost: PathTable | undefined;
}

const NO_LENGTHS = new Uint8Array(0);

export function compileRouteTable(specs: readonly RouteSpec[]): RouteTable {
  const tiers = new Map<number, Tier>();
  for (const spec of specs) {
    const path = parsePathPattern(spec.path);
    if (isPatternError(path)) throw new Error(`location "${spec.name}": ${path.error}`);
    const priority = spec.priority ?? 0;
    let tier = tiers.get(priority);
    if (tier === undefined) {
      tier = createTier(priority);
      tiers.set(priority, tier);
    }
    if (spec.hosts === undefined || spec.hosts.length === 0) {
      tier.anyHost ??= createPathTable();
      addPath(tier.anyHost, path, spec.name);
      continue;
    }
    for (const hostText of spec.hosts) {
      const host = parseHostPattern(hostText);
      if (isPatternError(host)) throw new Error(`location "${spec.name}": ${host.error}`);
      addPath(hostTable(tier, host), path, spec.name);
    }
  }
  const ordered = [...tiers.values()].sort((a, b) => b.priority - a.priority);
  return {
    match(host, path) {
      for (const tier of ordered) {
        const name = matchTier(tier, host, path);
        if (name !== undefined) return name;
      }
      return undefined;
    },
  };
}

/**
 * Locations that can never be chosen because an earlier one has the same priority, host pattern and path
 * pattern (for every host it lists), as messages for `louailink -t`. Invalid patterns are skipped: the
 * validator reports those on their own.
 */
export function findShadowedRoutes(specs: readonly RouteSpec[]): string[] {
  const owners = new Map<string, string>();
  const messages: string[] = [];
  for (const spec of specs) {
    const path = parsePathPattern(spec.path);
    if (isPatternError(path)) continue;
    const pathKey = path.kind === 'regex' ? `~${path.source}` : `${path.kind}:${path.path}`;
    const hostKeys: string[] = [];
    for (const hostText of spec.hosts === undefined || spec.hosts.length === 0 ? [undefined] : spec.hosts) {
      const host = hostText === undefined ? undefined : parseHostPattern(hostText);
      if (isPatternError(host)) continue;
      hostKeys.push(`${spec.priority ?? 0} ${hostKeyOf(host)} ${pathKey}`);
    }
    const shadowedBy = hostKeys.map((key) => owners.get(key));
    const firstOwner = shadowedBy[0];
    if (firstOwner !== undefined && shadowedBy.every((owner) => owner !== undefined)) {
      const reason = `"${firstOwner}" comes first with the same host, path and priority`;
      messages.push(`location "${spec.name}" is never used: ${reason}`);
    }
    for (const key of hostKeys) if (!owners.has(key)) owners.set(key, spec.name);
  }
  return messages;
}

/**
 * The host a request is routed by: lower-case, port and brackets removed, trailing dot dropped.
 * "API.Example.com:8080" → "api.example.com", "[::1]:80" → "::1"; absent → "" (matches only any-host locations).
 */
export function normalizeHost(hostHeader: string | undefined): string {
  if (hostHeader === undefined || hostHeader.length === 0) return '';
  // One pass over the characters; the common case (already lower-case, no port) allocates nothing.
  const length = hostHeader.length;
  const isBracketed = hostHeader.charCodeAt(0) === 0x5b; /* [ */
  const start = isBracketed ? 1 : 0;
  let end = length;
  let firstColon = -1;
  let colonCount = 0;
  let hasUpper = false;
  for (let i = start; i < length; i++) {
    const code = hostHeader.charCodeAt(i);
    if (code === 0x3a /* : */) {
      if (firstColon < 0) firstColon = i;
      colonCount++;
    } else if (code === 0x5d /* ] */ && isBracketed) {
      end = i;
      break;
    } else if (code >= 0x41 && code <= 0x5a) {
      hasUpper = true;
    }
  }
  // Unbracketed: one colon is a port; several is a bare IPv6 literal (invalid in Host, seen in :authority).
  if (!isBracketed && colonCount === 1) end = firstColon;
  if (end > start && hostHeader.charCodeAt(end - 1) === 0x2e /* . */) end--;
  const host = start === 0 && end === length ? hostHeader : hostHeader.slice(start, end);
  return hasUpper ? host.toLowerCase() : host;
}

function hostKeyOf(host: HostPattern | undefined): string {
  if (host === undefined) return 'any';
  if (host.kind === 'exact') return `exact:${host.host}`;
  return host.kind === 'wildcard' ? `wildcard:${host.suffix}` : `regex:${host.source}`;
}

function matchTier(tier: Tier, host: string, path: string): string | undefined {
  const exactTable = tier.exactHosts.get(host);
  if (exactTable !== undefined) {
    const name = matchPath(exactTable, path);
    if (name !== undefined) return name;
  }
  const lengths = tier.wildcardLengths;
  if (lengths.length > 0) {
    // Suffixes at each dot after at least one character, longest first (a.b.example.com → .b.example.com, …),
    // skipping dots whose suffix is longer than any configured one. charCodeAt loops beat indexOf in V8 here.
    const hostLength = host.length;
    for (let dot = Math.max(1, hostLength - lengths.length + 1); dot < hostLength; dot++) {
      if (host.charCodeAt(dot) !== 0x2e /* . */ || lengths[hostLength - dot] !== 1) continue;
      const table = tier.wildcardHosts.get(host.slice(dot));
      if (table === undefined) continue;
      const name = matchPath(table, path);
      if (name !== undefined) return name;
    }
  }
  for (const entry of tier.regexHosts) {
    if (!entry.regex.test(host)) continue;
    const name = matchPath(entry.table, path);
    if (name !== undefined) return name;
  }
  return tier.anyHost === undefined ? undefined : matchPath(tier.anyHost, path);
}

function matchPath(table: PathTable, path: string): string | undefined {
  const exact = table.exact.size > 0 ? table.exact.get(path) : undefined;
  if (exact !== undefined) return exact;
  const lengths = table.prefixLengths;
  if (lengths.length > 0) {
    // Candidate prefixes longest first: the whole path, then at each "/" from the right the prefix with the
    // slash ("/v1/") and without it ("/v1"). Only segment boundaries are tried, so "/v1" never matches "/v1x".
    // The scan starts at the longest configured prefix length: deep paths cost no more than short ones.
    const pathLength = path.length;
    let name = lookupPrefix(table, lengths, path, pathLength);
    if (name !== undefined) return name;
    for (let slash = Math.min(pathLength, lengths.length) - 1; slash >= 0; slash--) {
      if (path.charCodeAt(slash) !== 0x2f /* / */) continue;
      if (slash + 1 < pathLength) {
        name = lookupPrefix(table, lengths, path, slash + 1);
        if (name !== undefined) return name;
      }
      if (slash > 0) {
        name = lookupPrefix(table, lengths, path, slash);
        if (name !== undefined) return name;
      }
    }
  }
  for (const route of table.regexes) {
    if (route.regex.test(path)) return route.name;
  }
  return table.root;
}

function lookupPrefix(table: PathTable, lengths: Uint8Array, path: string, length: number): string | undefined {
  if (length >= lengths.length || lengths[length] !== 1) return undefined;
  return table.prefixes.get(length === path.length ? path : path.slice(0, length));
}

function createTier(priority: number): Tier {
  return {
    priority,
    exactHosts: new Map(),
    wildcardHosts: new Map(),
    wildcardLengths: NO_LENGTHS,
    regexHosts: [],
    anyHost: undefined,
  };
}

function createPathTable(): PathTable {
  return { exact: new Map(), prefixes: new Map(), prefixLengths: NO_LENGTHS, regexes: [], root: undefined };
}

function hostTable(tier: Tier, host: HostPattern): PathTable {
  switch (host.kind) {
    case 'exact':
      return getOrCreate(tier.exactHosts, host.host);
    case 'wildcard':
      tier.wildcardLengths = withLength(tier.wildcardLengths, host.suffix.length);
      return getOrCreate(tier.wildcardHosts, host.suffix);
    case 'regex': {
      let entry = tier.regexHosts.find((candidate) => candidate.source === host.source);
      if (entry === undefined) {
        entry = { regex: host.regex, source: host.source, table: createPathTable() };
        tier.regexHosts.push(entry);
      }
      return entry.table;
    }
  }
}

/** Adds a location to a path table; an earlier location with the same exact path or prefix keeps it (config order). */
function addPath(table: PathTable, path: PathPattern, name: string): void {
  switch (path.kind) {
    case 'exact':
      if (!table.exact.has(path.path)) table.exact.set(path.path, name);
      return;
    case 'prefix':
      if (path.path === '/') {
        table.root ??= name;
        return;
      }
      if (!table.prefixes.has(path.path)) table.prefixes.set(path.path, name);
      table.prefixLengths = withLength(table.prefixLengths, path.path.length);
      return;
    case 'regex':
      table.regexes.push({ regex: path.regex, name });
      return;
  }
}

function getOrCreate(map: Map<string, PathTable>, key: string): PathTable {
  let table = map.get(key);
  if (table === undefined) {
    table = createPathTable();
    map.set(key, table);
  }
  return table;
}

function withLength(lengths: Uint8Array, length: number): Uint8Array {
  const next = length < lengths.length ? lengths : new Uint8Array(length + 1);
  if (next !== lengths) next.set(lengths);
  next[length] = 1;
  return next;
}
