/**
 * The observability messages between workers and the master, on the node:cluster IPC channel next to the
 * lifecycle union of src/core/ipc.ts (whose guards ignore these types, and these guards ignore theirs).
 * All types start with "obs:".
 *
 *   worker → master  obs:report  metrics snapshot + usage deltas: every few seconds, in answer to
 *                                obs:collect (with its round), and a final one when the worker drained
 *   worker → master  obs:query   a worker serving /metrics, /metrics/summary or /health asks for the
 *                                cluster-wide answer
 *   master → worker  obs:collect "report now" (before answering a query, so the answer is fresh)
 *   master → worker  obs:answer  the answer to an obs:query
 * Reopening the access and upstream logs is not here: the lifecycle message `reopen-logs` (core/ipc.ts)
 * makes a worker reopen every log file it writes.
 */
import type { MetricSnapshot } from './metric-snapshot.ts';
import type { UsageDelta, UsageSummary } from './usage-report.ts';

export interface WorkerIdentity {
  readonly generation: number;
  readonly slot: number;
  /** Short hash of the config this worker serves. */
  readonly configVersion: string;
  /** Set once the worker listens (a worker of a generation still starting is not counted by /health). */
  readonly isServing?: boolean;
}

export interface HealthInfo {
  readonly workers: number;
  readonly generation: number;
  readonly config_version: string;
  readonly uptime_seconds: number;
}

export type QueryKind = 'metrics' | 'summary' | 'health';

export type ObsWorkerMessage =
  | {
      readonly type: 'obs:report';
      readonly identity: WorkerIdentity;
      readonly metrics: readonly MetricSnapshot[];
      readonly usage: UsageDelta;
      /** Set when answering obs:collect. */
      readonly round?: number;
      readonly isFinal?: boolean;
    }
  | { readonly type: 'obs:query'; readonly id: number; readonly kind: QueryKind };

export type ObsMasterMessage =
  | { readonly type: 'obs:collect'; readonly round: number }
  | {
      readonly type: 'obs:answer';
      readonly id: number;
      readonly text?: string;
      readonly summary?: UsageSummary;
      readonly health?: HealthInfo;
      readonly error?: string;
    };

function typeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

export function isObsWorkerMessage(value: unknown): value is ObsWorkerMessage {
  const type = typeOf(value);
  return type === 'obs:report' || type === 'obs:query';
}

export function isObsMasterMessage(value: unknown): value is ObsMasterMessage {
  const type = typeOf(value);
  return type === 'obs:collect' || type === 'obs:answer';
}
