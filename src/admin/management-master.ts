/**
 * Wires the management API into the master: answers the workers' `admin:request` messages
 * (admin-messages.ts) with the ManagementService, which serializes every change and reloads through the
 * supervisor. The master never serves HTTP; the worker that received the request answers it.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { LoadedConfig } from '../config/load.ts';
import { loadConfig } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import { isAdminRequestMessage } from './admin-messages.ts';
import type { AdminReplyMessage } from './admin-messages.ts';
import { createAuditLog } from './audit-log.ts';
import { ManagementService } from './management-service.ts';
import type { ReloadResult } from './management-service.ts';

export interface ManagementMasterOptions {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  /** The supervisor's forced reload. */
  readonly reload: () => Promise<ReloadResult>;
  /** Resolves once draining workers have stopped accepting (the supervisor's status round trip does). */
  readonly settle: () => Promise<unknown>;
  /** The generation now serving. */
  readonly generation: () => number;
}

export interface ManagementMaster {
  /** A new configuration serves (call from the supervisor's onConfigApplied). */
  configure(loaded: LoadedConfig): void;
  close(): void;
}

export function startManagementMaster(options: ManagementMasterOptions): ManagementMaster {
  const { logger } = options;
  const service = new ManagementService(
    options.loaded,
    {
      reload: options.reload,
      settle: async () => {
        await options.settle();
      },
      load: (path) => loadConfig(path),
      generation: options.generation,
    },
    createAuditLog(logger),
  );
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isAdminRequestMessage(message)) return;
    service.handle(message.op, message.actor).then(
      (reply) => send(worker, { type: 'admin:reply', id: message.id, ...reply }),
      (err: unknown) => {
        logger.error({ event: 'admin', err }, 'management request failed');
        send(worker, { type: 'admin:reply', id: message.id, status: 500, body: { error: 'management_failed', message: 'the master could not handle the request' } });
      },
    );
  };
  cluster.on('message', onMessage);
  return {
    configure: (loaded) => service.configure(loaded),
    close: () => {
      cluster.off('message', onMessage);
    },
  };
}

function send(worker: Worker, reply: AdminReplyMessage): void {
  // A worker that exited meanwhile (crash, fast stop) has nobody left to answer.
  if (worker.isConnected()) worker.send(reply, undefined, {}, () => undefined);
}
