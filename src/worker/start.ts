/**
 * startGateway: the in-process composition root. Compiles the Runtime, builds the request handler and
 * a listener per (server, address), and listens. The master (later) forks workers that do the same with
 * listening handles it passes in (see listeners.ts `ListenTarget`). Signals and process lifetime belong
 * to the caller (the CLI), never here.
 */
import type { LoadedConfig } from '../config/load.ts';
import { parseListenAddress } from '../config/listen-address.ts';
import type { Logger } from '../lib/logger.ts';
import { keyIdFor } from '../ai/routing/key-ring.ts';
import { processKeyStateStore } from '../ai/routing/key-state-store.ts';
import { createAdminEndpoint } from '../admin/admin-endpoint.ts';
import { withAiCircuitMetrics } from '../observability/ai-circuit-subscriber.ts';
import { withAiKeyInFlightMetrics } from '../observability/ai-key-in-flight-subscriber.ts';
import { withProxyCircuitMetrics } from '../observability/circuit-subscriber.ts';
import { keyStateProbe } from '../observability/key-state-probe.ts';
import type { ChannelProcess } from '../observability/worker-channel.ts';
import { createWorkerObservability } from '../observability/worker-observability.ts';
import type { WorkerObservability } from '../observability/worker-observability.ts';
import type { ConnectionDrain, DrainOptions } from './connection-drain.ts';
import { createListener } from './listeners.ts';
import type { Listener } from './listeners.ts';
import { createRequestHandler } from './request-handler.ts';
import { compileRuntime } from './runtime.ts';
import type { Runtime } from './runtime.ts';
import { createSniSelector } from './tls-context.ts';

export interface RunningGateway {
  /** One per listen address, like "http://127.0.0.1:8080". */
  readonly addresses: readonly string[];
  /** Stops accepting, destroys open connections and closes the upstream pools. */
  close(): Promise<void>;
  /**
   * Stops accepting and lets requests and streams finish (cut at `timeoutMs`), then closes the pools.
   * Without a ConnectionDrain (in-process mode) this is `close()`.
   */
  drain(options: DrainOptions): Promise<void>;
  /** Opens the access and upstream log files again (`reopen-logs`: USR1, `-s reopen`, rotation). */
  reopenLogs(): void;
}

export interface StartOptions {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  /**
   * Worker mode: listening handles from the master by listen key (`parseListenAddress(..).key`). When
   * given, every listen address must have one; nothing is bound.
   */
  readonly handles?: ReadonlyMap<string, object> | undefined;
  /** Worker mode: tracks connections and requests for the graceful drain. */
  readonly drain?: ConnectionDrain | undefined;
  /** Worker mode: generation and slot, reported with metrics and shown by /health. */
  readonly identity?: { readonly generation: number; readonly slot: number } | undefined;
  /** Worker mode: the IPC channel to the master, which aggregates metrics and usage over all workers. */
  readonly observabilityChannel?: ChannelProcess | undefined;
}

interface PlannedListener {
  readonly listener: Listener;
  readonly host: string;
  readonly port: number;
  readonly key: string;
}

/** Builds one listener per (server, listen address) from a compiled runtime, without listening yet. */
export function createListeners(runtime: Runtime, logger: Logger, drain?: ConnectionDrain, obs?: WorkerObservability): PlannedListener[] {
  const listeners: PlannedListener[] = [];
  for (const server of runtime.servers.values()) {
    const handler = createRequestHandler(server, runtime.aiHandler, logger, obs?.observer ?? null, obs?.endpointsFor(server.name) ?? null);
    const sni = server.config.tls === undefined ? null : createSniSelector(runtime.certificates, server.config.tls.certificates);
    for (const text of server.config.listen) {
      const address = parseListenAddress(text);
      if (typeof address === 'string') throw new Error(`server "${server.name}": ${address}`);
      const listener = createListener({ server, handler, sni, logger, drain });
      listeners.push({ listener, host: address.host, port: address.port, key: address.key });
    }
  }
  return listeners;
}

export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const { loaded, logger, handles, drain } = options;
  const obs = withAiKeyInFlightMetrics(withProxyCircuitMetrics(withAiCircuitMetrics(createWorkerObservability({
    config: loaded.config,
    configDir: loaded.configDir,
    identity: { generation: options.identity?.generation ?? 1, slot: options.identity?.slot ?? 0, configVersion: loaded.hash.slice(0, 12) },
    channel: options.observabilityChannel,
    keyStates: keyStateProbe(loaded.config, keyIdFor, processKeyStateStore()),
  }))));
  let runtime: Runtime;
  try {
    runtime = compileRuntime(loaded.config, loaded.configDir, obs.observer?.usageSink);
  } catch (err) {
    obs.close();
    throw err;
  }
  const keyStore = processKeyStateStore();
  const admin = createAdminEndpoint({
    config: loaded.config,
    hub: obs.hub,
    channel: options.observabilityChannel,
    cooldowns: () => keyStore.snapshot(Date.now()),
    logger,
  });
  const planned = createListeners(runtime, logger, drain, obs);
  if (admin !== null) {
    const listener = createListener({ server: admin.server, handler: admin.handler, sni: null, logger, drain });
    planned.push({ listener, host: admin.address.host, port: admin.address.port, key: admin.address.key });
  }
  const listeners: Listener[] = [];
  const addresses: string[] = [];
  try {
    for (const { listener, host, port, key } of planned) {
      listeners.push(listener);
      if (handles === undefined) {
        addresses.push(await listener.listen({ host, port }));
      } else {
        const handle = handles.get(key);
        if (handle === undefined) throw new Error(`no listening handle for ${key}`);
        addresses.push(await listener.listen({ handle }));
      }
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await runtime.destroy();
    admin?.close();
    obs.close();
    throw err;
  }
  obs.markServing();
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all(listeners.map((l) => l.close()));
      await runtime.destroy();
      admin?.close();
      // Every request has ended: the last report carries this worker's final counters to the master.
      await obs.flushFinal();
      obs.close();
    })();
    return closing;
  };
  return {
    addresses,
    close,
    reopenLogs: () => obs.reopenLogs(),
    async drain(drainOptions) {
      if (drain === undefined) return close();
      // stopAccepting() settles only once every connection has ended, and the connection drain
      // (connection: close, idle close, deadline) is what ends them: start both, then wait.
      const stopped = Promise.all(listeners.map((l) => l.stopAccepting()));
      await drain.drain(drainOptions);
      await close();
      await stopped;
    },
  };
}
