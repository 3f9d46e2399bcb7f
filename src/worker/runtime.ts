/**
 * compileRuntime(config) → Runtime: the immutable snapshot a worker serves from. Everything a request
 * needs is built here once: per server the route table and its locations; per location the upstream
 * route (pool, rewrite, header rules, forwarded headers, body limit), the plugin chain (null when
 * empty) and the AI context; the upstream pools; the TLS contexts. The request path only reads it.
 * A new config generation compiles a new Runtime; `close()` retires the old one's pools.
 */
import { createAiHandler } from '../ai/ai-handler.ts';
import type { AiHandler, AiRequestContext } from '../ai/ai-handler.ts';
import type { UsageSink } from '../ai/usage/usage-record.ts';
import type { Config, LocationConfig, ServerConfig } from '../config/schema.ts';
import type { PluginHooks } from '../plugins/plugin.ts';
import { compileRequestChain } from '../plugins/registry.ts';
import type { ProxyRoute } from '../proxy/forward.ts';
import { compileForwarded } from '../proxy/forwarded.ts';
import { compileHeaderRules } from '../proxy/header-rules.ts';
import type { GeneratedResponseOptions } from '../proxy/respond-error.ts';
import { compileRewrite } from '../proxy/rewrite.ts';
import { compileRouteTable } from '../proxy/router.ts';
import type { RouteTable } from '../proxy/router.ts';
import { createUpstreamPool } from '../proxy/upstream-pool.ts';
import { CircuitBreaker } from '../limits/circuit-breaker.ts';
import type { BreakerFactory } from '../proxy/target-breakers.ts';
import type { UpstreamPool } from '../proxy/upstream-pool.ts';
import { withTokenMeter } from '../limits/token-meter.ts';
import { processCounterStore } from '../limits/counter-store.ts';
import { loadCertificates } from './tls-context.ts';
import type { LoadedCertificate } from './tls-context.ts';

export interface LocationRuntime {
  readonly name: string;
  /** Set when the location proxies; null for AI or plugin-only locations, or a missing upstream. */
  readonly proxy: ProxyRoute | null;
  /** The location names an upstream that does not exist (503 no_upstream_available). */
  readonly isUpstreamMissing: boolean;
  /** Set on AI locations: the handler's per-location context minus the request id. */
  readonly ai: Omit<AiRequestContext, 'requestId'> | null;
  /** onRequest chain in order, or null. */
  readonly plugins: readonly PluginHooks[] | null;
  readonly maxBodyBytes: number;
  readonly generated: GeneratedResponseOptions;
}

export interface ServerRuntime {
  readonly name: string;
  readonly config: ServerConfig;
  readonly proto: 'http' | 'https';
  readonly routes: RouteTable;
  readonly locations: ReadonlyMap<string, LocationRuntime>;
  /** For answers outside any location (404, 400). */
  readonly generated: GeneratedResponseOptions;
}

export interface Runtime {
  readonly config: Config;
  readonly servers: ReadonlyMap<string, ServerRuntime>;
  readonly upstreams: ReadonlyMap<string, UpstreamPool>;
  readonly certificates: ReadonlyMap<string, LoadedCertificate>;
  /** One handler for every AI location, or null when no location has `ai`. */
  readonly aiHandler: AiHandler | null;
  /** Waits for in-flight upstream requests, then closes the pools. */
  close(): Promise<void>;
  /** Aborts in-flight upstream requests and closes the pools. */
  destroy(): Promise<void>;
}

/** The prefix the AI layer strips: "/v1" for "/v1", "/" for "/" or a regex path, the path of an exact match. */
function aiPathPrefix(path: string): string {
  if (path.startsWith('~')) return '/';
  const plain = path.startsWith('=') ? path.slice(1) : path;
  return plain.length > 1 && plain.endsWith('/') ? plain.slice(0, -1) : plain;
}

function compileLocation(
  name: string,
  loc: LocationConfig,
  server: ServerConfig,
  config: Config,
  upstreams: ReadonlyMap<string, UpstreamPool>,
): LocationRuntime {
  const maxBodyBytes = loc.max_body_size ?? server.max_body_size;
  const generated: GeneratedResponseOptions = {
    rules: compileHeaderRules(loc.headers?.response),
    serverHeader: config.basic.server_header,
  };
  const upstream = loc.upstream === undefined ? undefined : upstreams.get(loc.upstream);
  const proxy: ProxyRoute | null =
    upstream === undefined
      ? null
      : {
          upstream,
          rewrite: compileRewrite(loc.rewrite),
          requestRules: compileHeaderRules(loc.headers?.request),
          forwarded: compileForwarded(loc.forwarded),
          maxBodyBytes,
          generated,
        };
  return {
    name,
    proxy,
    isUpstreamMissing: loc.upstream !== undefined && upstream === undefined,
    ai: loc.ai === undefined ? null : { locationName: name, pathPrefix: aiPathPrefix(loc.path), maxBodyBytes },
    plugins: compileRequestChain(loc.plugins, config.plugins),
    maxBodyBytes,
    generated,
  };
}

/** The proxy's circuit breakers (upstreams with `circuit_breaker`): the pure state machine of src/limits. */
const createCircuitBreaker: BreakerFactory = (options) => new CircuitBreaker(options);

/**
 * Compiles a validated config. Relative file paths (certificates, CA files) resolve against `configDir`.
 * Throws on what validation should have caught (unreadable certificate, invalid rewrite). `usageSink`
 * receives the AI layer's usage record of every AI request (observability: tokens, TTFT, the access log).
 */
export function compileRuntime(config: Config, configDir: string, usageSink?: UsageSink): Runtime {
  const upstreams = new Map<string, UpstreamPool>();
  try {
    for (const [name, cfg] of Object.entries(config.upstreams)) upstreams.set(name, createUpstreamPool(name, cfg, configDir, createCircuitBreaker));
    const certificates = loadCertificates(config.certificates, configDir);
    const servers = new Map<string, ServerRuntime>();
    let hasAi = false;
    for (const [serverName, server] of Object.entries(config.servers)) {
      const locations = new Map<string, LocationRuntime>();
      const specs = [];
      for (const locationName of server.locations) {
        const loc = config.locations[locationName];
        if (loc === undefined) continue;
        if (loc.ai !== undefined) hasAi = true;
        locations.set(locationName, compileLocation(locationName, loc, server, config, upstreams));
        specs.push({ name: locationName, hosts: loc.host, path: loc.path, priority: loc.priority });
      }
      servers.set(serverName, {
        name: serverName,
        config: server,
        proto: server.tls === undefined ? 'http' : 'https',
        routes: compileRouteTable(specs),
        locations,
        generated: { rules: null, serverHeader: config.basic.server_header },
      });
    }
    const pools = [...upstreams.values()];
    // The usage record also charges the token limits (tpm, token quotas) that admitted the request; the
    // caps per provider key take their slots from the limits' store (leased from the master in a cluster).
    const aiHandler = hasAi
      ? createAiHandler(config, {
          circuitFactory: (options) => new CircuitBreaker(options),
          usageSink: withTokenMeter(usageSink),
          slotStore: processCounterStore(),
        })
      : null;
    return {
      config,
      servers,
      upstreams,
      certificates,
      aiHandler,
      // The AI handler owns one undici pool per provider: a retired runtime must close them too.
      close: async () => {
        await Promise.all([...pools.map((p) => p.close()), aiHandler?.close()]);
      },
      destroy: async () => {
        await Promise.all([...pools.map((p) => p.destroy()), aiHandler?.close()]);
      },
    };
  } catch (err) {
    for (const pool of upstreams.values()) void pool.destroy();
    throw err;
  }
}
