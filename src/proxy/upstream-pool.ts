/**
 * One upstream group: an undici `Pool` per target (keep-alive, HTTP/2 where configured), the smooth
 * weighted round-robin balancer over them, and the timeouts the forwarder applies. Built once per
 * config generation; `close()` drains the pools when the generation retires.
 *
 * Timeouts: connect (TCP + TLS) is undici's `connect.timeout`; response head and idle-between-chunks
 * are undici's `headersTimeout` / `bodyTimeout`, which run on undici's shared coarse timers and may
 * fire up to ~1 s after the configured value. The total deadline is ours (./deadline-timer.ts).
 *
 * With `circuit_breaker` each target has a breaker (./target-breakers.ts): `pick()` leaves targets with
 * an open circuit out (nginx-style, so the others share their weight) and returns -1 when all are open.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { Pool } from 'undici';
import type { TargetConfig, UpstreamConfig } from '../config/schema.ts';
import { SmoothWeightedBalancer } from './balancer.ts';
import { TargetBreakers } from './target-breakers.ts';
import type { BreakerFactory, TargetBreaker } from './target-breakers.ts';

export interface UpstreamTarget {
  /** "http://host:port" or "https://host:port". */
  readonly origin: string;
  readonly weight: number;
  readonly pool: Pool;
  /** The target's circuit breaker; null when the upstream has no `circuit_breaker`. */
  readonly breaker: TargetBreaker | null;
}

export interface UpstreamTimeouts {
  readonly connectMs: number;
  readonly responseHeaderMs: number;
  readonly idleMs: number;
  /** Whole exchange for non-streaming responses. */
  readonly totalMs: number;
}

export interface UpstreamPool {
  readonly name: string;
  readonly targets: readonly UpstreamTarget[];
  readonly preserveHost: boolean;
  readonly timeouts: UpstreamTimeouts;
  /** The targets' breakers (null without `circuit_breaker`): failure statuses and Retry-After. */
  readonly breakers: TargetBreakers | null;
  /**
   * Index of the target the next request starts with (smooth weighted round-robin over the targets
   * whose circuit is not open), or -1 when every circuit is open.
   */
  pick(): number;
  /** Waits for in-flight requests, then closes the connections (generation retirement). */
  close(): Promise<void>;
  /** Aborts in-flight requests and closes the connections at once. */
  destroy(): Promise<void>;
}

export interface ParsedTarget {
  readonly origin: string;
  readonly weight: number;
}

const SCHEME_RE = /^(https?):\/\/([^/\s]+)\/?$/i;

/**
 * "host:port", "host:port weight", "[v6]:port", "http(s)://host:port", or {addr, weight}.
 * Without a scheme the target speaks HTTPS when the upstream has `tls`. A missing port means 80/443.
 */
export function parseTarget(target: TargetConfig, useTls: boolean): ParsedTarget | string {
  let addr: string;
  let weight = 1;
  if (typeof target === 'string') {
    const parts = target.trim().split(/\s+/);
    addr = parts[0] ?? '';
    if (parts.length > 2) return `invalid target "${target}": expected "host:port [weight]"`;
    if (parts[1] !== undefined) {
      weight = Number(parts[1]);
      if (!Number.isInteger(weight) || weight < 1 || weight > 1000) {
        return `invalid target "${target}": weight must be an integer 1-1000`;
      }
    }
  } else {
    addr = target.addr.trim();
    weight = target.weight;
  }
  let scheme = useTls ? 'https' : 'http';
  let authority = addr;
  const withScheme = SCHEME_RE.exec(addr);
  if (withScheme !== null) {
    scheme = (withScheme[1] ?? scheme).toLowerCase();
    authority = withScheme[2] ?? '';
  } else if (addr.includes('/')) {
    return `invalid target "${addr}": expected "host:port" or "http(s)://host:port"`;
  }
  if (authority === '') return `invalid target "${addr}": empty address`;
  const hasPort = authority.startsWith('[') ? /\]:\d+$/.test(authority) : /:\d+$/.test(authority);
  if (!hasPort) authority = `${authority}:${scheme === 'https' ? 443 : 80}`;
  return { origin: `${scheme}://${authority}`, weight };
}

function poolOptions(cfg: UpstreamConfig, origin: string, configDir: string): Pool.Options {
  const isTls = origin.startsWith('https:');
  const t = cfg.timeouts;
  const connect: ConnectionOptions & { timeout: number; preferH2?: boolean } = { timeout: t.connect };
  if (isTls) {
    const tls = cfg.tls;
    if (tls?.servername !== undefined) connect.servername = tls.servername;
    if (tls?.verify === false) connect.rejectUnauthorized = false;
    if (tls?.ca !== undefined) connect.ca = readFileSync(resolve(configDir, tls.ca));
    if (cfg.http2) connect.preferH2 = true;
  }
  const options: Pool.Options & { useH2c?: boolean } = {
    connect,
    connections: cfg.keepalive.connections ?? null,
    keepAliveTimeout: cfg.keepalive.idle_timeout,
    keepAliveMaxTimeout: cfg.keepalive.idle_timeout,
    headersTimeout: t.response_header,
    bodyTimeout: t.idle,
    allowH2: cfg.http2,
  };
  if (cfg.http2 && !isTls) {
    // undici 8's Pool builds its connector from the top-level `useH2c` (untyped) and ignores
    // `h2Options.useH2c`; both are set so the Pool and its Clients agree on h2c.
    options.useH2c = true;
    options.h2Options = { useH2c: true };
  }
  return options;
}

/**
 * Throws on an unparsable target (config validation reports these before we get here). `createBreaker`
 * builds the targets' circuit breakers when the upstream has `circuit_breaker` (without it, none).
 */
export function createUpstreamPool(name: string, cfg: UpstreamConfig, configDir: string, createBreaker?: BreakerFactory): UpstreamPool {
  const useTls = cfg.tls !== undefined;
  const parsedTargets = cfg.targets.map((t) => {
    const parsed = parseTarget(t, useTls);
    if (typeof parsed === 'string') throw new Error(`upstream "${name}": ${parsed}`);
    return parsed;
  });
  const breakers =
    cfg.circuit_breaker === undefined || createBreaker === undefined
      ? null
      : new TargetBreakers(name, parsedTargets.map((t) => t.origin), cfg.circuit_breaker, createBreaker);
  const targets: UpstreamTarget[] = parsedTargets.map((parsed, i) => ({
    origin: parsed.origin,
    weight: parsed.weight,
    pool: new Pool(parsed.origin, poolOptions(cfg, parsed.origin, configDir)),
    breaker: breakers?.breakers[i] ?? null,
  }));
  const balancer = new SmoothWeightedBalancer(targets.map((t) => t.weight));
  const timeouts: UpstreamTimeouts = {
    connectMs: cfg.timeouts.connect,
    responseHeaderMs: cfg.timeouts.response_header,
    idleMs: cfg.timeouts.idle,
    totalMs: cfg.timeouts.total,
  };
  return {
    name,
    targets,
    preserveHost: cfg.preserve_host,
    timeouts,
    breakers,
    pick:
      breakers === null
        ? () => balancer.pick()
        : () => (breakers.openCount === 0 ? balancer.pick() : balancer.pickAmong(breakers.isOpen)),
    close: async () => {
      await Promise.all(targets.map((t) => t.pool.close().catch(() => undefined)));
    },
    destroy: async () => {
      await Promise.all(targets.map((t) => t.pool.destroy().catch(() => undefined)));
    },
  };
}
