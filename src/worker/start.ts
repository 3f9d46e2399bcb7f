/**
 * startGateway: the in-process composition root. Compiles the Runtime, builds the request handler and
 * a listener per (server, address), and listens. The master (later) forks workers that do the same with
 * listening handles it passes in (see listeners.ts `ListenTarget`). Signals and process lifetime belong
 * to the caller (the CLI), never here.
 */
import type { LoadedConfig } from '../config/load.ts';
import { parseListenAddress } from '../config/listen-address.ts';
import type { Logger } from '../lib/logger.ts';
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
}

export interface StartOptions {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
}

/** Builds one listener per (server, listen address) from a compiled runtime, without listening yet. */
export function createListeners(runtime: Runtime, logger: Logger): { listener: Listener; host: string; port: number }[] {
  const listeners: { listener: Listener; host: string; port: number }[] = [];
  for (const server of runtime.servers.values()) {
    const handler = createRequestHandler(server, runtime.aiHandler, logger);
    const sni = server.config.tls === undefined ? null : createSniSelector(runtime.certificates, server.config.tls.certificates);
    for (const text of server.config.listen) {
      const address = parseListenAddress(text);
      if (typeof address === 'string') throw new Error(`server "${server.name}": ${address}`);
      listeners.push({ listener: createListener({ server, handler, sni, logger }), host: address.host, port: address.port });
    }
  }
  return listeners;
}

export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const { loaded, logger } = options;
  const runtime = compileRuntime(loaded.config, loaded.configDir);
  const listeners: Listener[] = [];
  const addresses: string[] = [];
  try {
    for (const { listener, host, port } of createListeners(runtime, logger)) {
      listeners.push(listener);
      addresses.push(await listener.listen({ host, port }));
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await runtime.destroy();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    addresses,
    close() {
      closing ??= (async () => {
        await Promise.all(listeners.map((l) => l.close()));
        await runtime.destroy();
      })();
      return closing;
    },
  };
}
