/**
 * Observability of one worker for one config: the request observer (metrics cells, usage tracker,
 * access log), the built-in endpoints per server, and the hub that answers cluster-wide questions —
 * the master over IPC when a channel is given (cluster worker), else the worker itself (in-process
 * gateway). Node's process metrics (prom-client's default collectors) join every report.
 */
import type promClientModule from 'prom-client';
import type { Config } from '../config/schema.ts';
import { createLogWriter } from './access-log/log-writer.ts';
import { subscribeAccessEvents } from './access-subscriber.ts';
import { compileLogFormat } from './access-log/log-template.ts';
import type { WorkerReport } from './cluster-state.ts';
import { compileEndpoints } from './endpoints.ts';
import type { BuiltInHandler } from './endpoints.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import type { MetricSnapshot } from './metric-snapshot.ts';
import { LocalHub } from './observability-hub.ts';
import type { ObservabilityHub } from './observability-hub.ts';
import type { WorkerIdentity } from './observability-messages.ts';
import { RequestObserver } from './request-observer.ts';
import { UpstreamLog } from './upstream-log.ts';
import { WorkerChannel } from './worker-channel.ts';
import type { ChannelProcess } from './worker-channel.ts';

export interface WorkerObservabilityOptions {
  readonly config: Config;
  readonly configDir: string;
  readonly identity: WorkerIdentity;
  /** The IPC channel to the master (a cluster worker's `process`); absent in an in-process gateway. */
  readonly channel?: ChannelProcess | undefined;
  /** The AI layer's provider keys and their cooldowns, read at each report (gauge + summary). */
  readonly keyStates?: () => Iterable<KeyStateProbe>;
  /** Report interval override (tests). */
  readonly reportIntervalMs?: number;
}

export interface KeyStateProbe {
  readonly provider: string;
  readonly keyId: string;
  /** Epoch ms the key cools down until; 0 or past = usable. */
  readonly untilMs: number;
}

export interface WorkerObservability {
  /** Null when neither metrics nor the access log are on: the request path skips observability. */
  readonly observer: RequestObserver | null;
  readonly hub: ObservabilityHub;
  readonly upstreamLog: UpstreamLog | null;
  /** The built-in endpoints of a server; null when it has none. */
  endpointsFor(serverName: string): ReadonlyMap<string, BuiltInHandler> | null;
  /** Opens the access and upstream log files again (after an external rotation moved them; `reopen-logs`). */
  reopenLogs(): void;
  /** The worker listens on every address: from now on /health counts it. */
  markServing(): void;
  /** Sends the last report to the master (call after the drain, before exit). */
  flushFinal(): Promise<void>;
  close(): void;
}

/** The exact path a location's `path` names: "=/health" and "/health/" both claim "/health". */
function claimedPath(path: string): string {
  const plain = path.startsWith('=') ? path.slice(1) : path;
  return plain.length > 1 && plain.endsWith('/') ? plain.slice(0, -1) : plain;
}

/** Node's process metrics: prom-client's default collectors, one registry per process. */
let processRegistry: promClientModule.Registry | undefined;
let isProcessRegistryLoading = false;

/**
 * prom-client is loaded after the worker serves (about 0.3 s of module loading must not delay a worker's
 * ready); reports carry the process metrics once it is there.
 */
const PROCESS_METRICS_DELAY_MS = 1_000;
/**
 * How often the event-loop lag is sampled. prom-client's default (10 ms) woke an idle worker about 200 times a
 * second (0.7 % of a core per idle worker, measured); at 100 ms the lag percentiles still rest on 150 samples per
 * 15 s scrape, and an idle worker wakes about 20 times a second.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

function loadProcessMetricsLater(): void {
  if (processRegistry !== undefined || isProcessRegistryLoading) return;
  isProcessRegistryLoading = true;
  const timer = setTimeout(() => {
    void import('prom-client').then(({ default: promClient }) => {
      const registry = new promClient.Registry();
      promClient.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
      processRegistry = registry;
    });
  }, PROCESS_METRICS_DELAY_MS);
  timer.unref();
}

async function processMetrics(): Promise<MetricSnapshot[]> {
  if (processRegistry === undefined) return [];
  return (await processRegistry.getMetricsAsJSON()) as unknown as MetricSnapshot[];
}

export function createWorkerObservability(options: WorkerObservabilityOptions): WorkerObservability {
  const { config, configDir, identity } = options;
  const obs = config.observability;
  const accessLogConfig = obs.access_log;
  const accessLog = accessLogConfig.enabled
    ? {
        format: compileLogFormat(accessLogConfig.format),
        writer: createLogWriter({
          file: accessLogConfig.file,
          baseDir: configDir,
          slot: identity.slot,
          rotate:
            accessLogConfig.rotate === undefined
              ? undefined
              : { sizeBytes: accessLogConfig.rotate.size, frequency: accessLogConfig.rotate.frequency, count: accessLogConfig.rotate.count },
        }),
      }
    : null;
  const upstreamLog =
    obs.upstream_log === undefined
      ? null
      : new UpstreamLog(createLogWriter({ file: obs.upstream_log.file, baseDir: configDir, slot: identity.slot }), obs.upstream_log.max_body);
  const metrics = new GatewayMetrics();
  const observer =
    obs.metrics.enabled || accessLog !== null || upstreamLog !== null
      ? new RequestObserver({
          metrics,
          locationNames: Object.keys(config.locations),
          aiLocationNames: Object.entries(config.locations)
            .filter(([, loc]) => loc.ai !== undefined)
            .map(([name]) => name),
          providerTypes: new Map(Object.entries(config.providers).map(([name, p]) => [name, p.type])),
          accessLog,
          upstreamLog,
        })
      : null;
  const keyStates = options.keyStates;
  let isServing = false;
  const unsubscribeAccess = obs.metrics.enabled ? subscribeAccessEvents(metrics) : () => undefined;
  if (obs.metrics.enabled) loadProcessMetricsLater();
  const collect = async (): Promise<WorkerReport> => {
    if (observer !== null && keyStates !== undefined) {
      for (const key of keyStates()) observer.onKeyState(key.provider, key.keyId, key.untilMs);
    }
    const processSnapshot = obs.metrics.enabled ? await processMetrics() : [];
    return {
      type: 'obs:report',
      identity: isServing ? { ...identity, isServing } : identity,
      metrics: obs.metrics.enabled ? [...metrics.snapshot(), ...processSnapshot] : [],
      usage: observer === null ? { locations: [], tokens: [], keys: [] } : observer.usage.takeDelta(),
    };
  };
  const reopenLogs = (): void => {
    accessLog?.writer.reopen();
    upstreamLog?.reopen();
  };
  const channel = options.channel === undefined ? null : new WorkerChannel(options.channel, collect, options.reportIntervalMs);
  const hub: ObservabilityHub = channel ?? new LocalHub(collect);
  const endpoints = new Map<string, ReadonlyMap<string, BuiltInHandler> | null>();
  for (const serverName of Object.keys(config.servers)) {
    const servesMetrics = obs.metrics.enabled && (obs.metrics.servers === undefined || obs.metrics.servers.includes(serverName));
    const handlers = new Map(
      compileEndpoints({
        isHealthEnabled: obs.health,
        metricsPath: servesMetrics ? obs.metrics.path : null,
        token: obs.metrics.token,
        hub,
      }),
    );
    // A location of this server written for exactly that path keeps it (e.g. `path: "=/health"`).
    for (const locationName of config.servers[serverName]?.locations ?? []) {
      const path = config.locations[locationName]?.path ?? '';
      if (!path.startsWith('~')) handlers.delete(claimedPath(path));
    }
    endpoints.set(serverName, handlers.size === 0 ? null : handlers);
  }

  return {
    observer,
    hub,
    upstreamLog,
    endpointsFor: (serverName) => endpoints.get(serverName) ?? null,
    reopenLogs,
    markServing: () => {
      isServing = true;
      channel?.reportNow();
    },
    flushFinal: async () => {
      accessLog?.writer.flushSync();
      await channel?.flushFinal();
    },
    close: () => {
      unsubscribeAccess();
      channel?.close();
      accessLog?.writer.close();
      upstreamLog?.close();
    },
  };
}
