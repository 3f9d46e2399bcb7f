/**
 * The messages between the master and its workers (node:cluster IPC, JSON serialization). One union per
 * direction; every message is checked with `isWorkerMessage` / `isMasterMessage` at the boundary.
 *
 * Start-up order for a worker: it sends `booted` once it listens for messages (ESM loading is asynchronous,
 * and a message that arrives before the listener exists is lost). Then the master sends one `listen` message per socket, each carrying the raw
 * listening handle (the worker accepts on it directly, §7.1 of zero-downtime.md), then one `start` message
 * naming every key it must have received. The worker answers `ready` once it listens on every handle and its
 * runtime is compiled, or `start-failed`. Node delivers messages with handles in order.
 *
 * `TLoaded` is the validated config as loaded by the master (core may not import config types).
 * Other protocols share the channel (`obs:*`, `limit-*`, `keys:*`, `admin:*`, `notify`); docs/architecture.md lists
 * them all and why each union lives where it does.
 */

/** Master → worker. */
export type MasterMessage<TLoaded> =
  | { readonly type: 'listen'; readonly key: string }
  | {
      readonly type: 'start';
      readonly generation: number;
      /** Stable slot number inside the generation (0-based); a replacement worker keeps its slot. */
      readonly slot: number;
      readonly loaded: TLoaded;
      /** Keys of every `listen` message sent before this one. */
      readonly listenKeys: readonly string[];
      /** `--log FILE`: the worker appends its log lines here (null: stdout). */
      readonly logFile: string | null;
    }
  | {
      readonly type: 'drain';
      /** Streams still running this long after the drain starts are cut. */
      readonly timeoutMs: number;
      /** Idle keep-alive connections are closed once idle for this long. */
      readonly idleGraceMs: number;
    }
  /** Fast stop: close everything now and exit. */
  | { readonly type: 'stop' }
  /** SIGUSR1, `-s reopen`, built-in rotation: open every log file again (`--log`, access, upstream). */
  | { readonly type: 'reopen-logs' }
  | { readonly type: 'status' };

/** Worker → master. */
export type WorkerMessage =
  /** Sent once the worker's message listener is installed; the master sends nothing before it. */
  | { readonly type: 'booted' }
  | { readonly type: 'ready'; readonly addresses: readonly string[] }
  | { readonly type: 'start-failed'; readonly code: string; readonly message: string }
  | {
      readonly type: 'status';
      readonly requestsInFlight: number;
      readonly rssBytes: number;
      /** The worker's circuit breakers that are not closed (closed ones are left out). */
      readonly circuits: readonly CircuitView[];
    };

/** A circuit breaker that is not closed, as `louailink -s status` lists it. */
export type CircuitView = (
  | { readonly kind: 'target'; readonly upstream: string; readonly target: string }
  | { readonly kind: 'provider'; readonly provider: string }
) & (
  /** `openUntil`: ISO time from which a probe may go through. */
  | { readonly state: 'open'; readonly openUntil: string }
  | { readonly state: 'half-open' }
);

export type WorkerMessageType = WorkerMessage['type'];

const WORKER_TYPES: ReadonlySet<string> = new Set<WorkerMessageType>(['booted', 'ready', 'start-failed', 'status']);
const MASTER_TYPES: ReadonlySet<string> = new Set<MasterMessage<unknown>['type']>(['listen', 'start', 'drain', 'stop', 'reopen-logs', 'status']);

function typeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/** Narrows a message received by the master (cluster's own messages never reach user listeners). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  const type = typeOf(value);
  return type !== undefined && WORKER_TYPES.has(type);
}

/** Narrows a message received by a worker. The `loaded` payload is trusted: the master validated it. */
export function isMasterMessage<TLoaded>(value: unknown): value is MasterMessage<TLoaded> {
  const type = typeOf(value);
  return type !== undefined && MASTER_TYPES.has(type);
}
