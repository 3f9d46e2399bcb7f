/**
 * The admin listener of one worker for one config: its address (a socket the master binds like a
 * server's), the server settings the worker's listener needs, the request handler, and the audit of
 * refused requests. Built once per config by the worker's composition root (src/worker/start.ts).
 */
import { parseListenAddress } from '../config/listen-address.ts';
import type { ListenAddress } from '../config/listen-address.ts';
import type { Config } from '../config/schema.ts';
import type { KeyCooldown } from '../core/provider-state.ts';
import type { Logger } from '../lib/logger.ts';
import { compileEndpoints } from '../observability/endpoints.ts';
import type { ObservabilityHub } from '../observability/observability-hub.ts';
import { adminTokens, compileTokenTable } from './admin-auth.ts';
import { createAdminHandler } from './admin-handler.ts';
import type { AdminHandler } from './admin-handler.ts';
import { auditDeniedRequests, createAuditLog } from './audit-log.ts';
import { createManagementClient } from './management-client.ts';
import type { AdminChannel } from './management-client.ts';
import { providerKeyStates } from './provider-keys.ts';

export interface AdminEndpointOptions {
  readonly config: Config;
  /** Answers the metrics and health endpoints (the master's aggregate in a cluster). */
  readonly hub: ObservabilityHub;
  /** The IPC channel to the master; absent in an in-process gateway (no management then). */
  readonly channel?: AdminChannel | undefined;
  /** The provider key cooldowns this process knows (in a cluster: the master's map, mirrored). */
  readonly cooldowns: () => Iterable<KeyCooldown>;
  readonly logger: Logger;
}

/** The listener settings `createListener` reads (HTTP/1.1, no TLS: keep the address private). */
export interface AdminServerSettings {
  readonly name: string;
  readonly config: { readonly http2: false; readonly keepalive_timeout: number; readonly request_header_timeout: number };
}

export interface AdminEndpoint {
  readonly address: ListenAddress;
  readonly server: AdminServerSettings;
  readonly handler: AdminHandler;
  close(): void;
}

const ADMIN_SERVER: AdminServerSettings = { name: 'admin', config: { http2: false, keepalive_timeout: 5_000, request_header_timeout: 10_000 } };

/** Null when the config has no `admin` section. */
export function createAdminEndpoint(options: AdminEndpointOptions): AdminEndpoint | null {
  const { config, logger } = options;
  const admin = config.admin;
  if (admin === undefined) return null;
  const address = parseListenAddress(admin.listen);
  if (typeof address === 'string') throw new Error(`admin.listen: ${address}`);
  const metrics = config.observability.metrics;
  const builtIns = admin.metrics
    ? compileEndpoints({ isHealthEnabled: config.observability.health, metricsPath: metrics.enabled ? metrics.path : null, token: undefined, hub: options.hub })
    : new Map();
  const audit = createAuditLog(logger);
  const stopAudit = admin.audit_denied_requests ? auditDeniedRequests(audit) : () => undefined;
  const management = options.channel === undefined ? null : createManagementClient(options.channel);
  const handler = createAdminHandler({
    adminTokens: compileTokenTable(adminTokens(admin)),
    metricsTokens: compileTokenTable({ metrics: metrics.token }),
    builtIns,
    management,
    providerKeys: providerKeyStates(config, options.cooldowns),
    audit,
    logger,
  });
  return {
    address,
    server: ADMIN_SERVER,
    handler,
    close: () => {
      stopAudit();
      management?.close();
    },
  };
}
