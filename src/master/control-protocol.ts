/**
 * The control socket protocol (`louailink -s COMMAND`, `louailink -u`): the client writes one JSON line
 * `{"command": "...", ...}`, the master answers one JSON line and closes the connection.
 */
export const CONTROL_COMMANDS = ['status', 'reload', 'quit', 'stop', 'reopen', 'upgrade'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

/** How a successor master is started on `upgrade`: the `louailink -u` command line, without `-u`/`-d`. */
export interface SpawnSpec {
  readonly execPath: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Absolute path the new master's stdout and stderr are appended to (default: the old master's). */
  readonly logFile?: string;
}

export type ControlRequest =
  | { readonly command: Exclude<ControlCommand, 'upgrade'> }
  | { readonly command: 'upgrade'; readonly spawn: SpawnSpec };

export type ControlReply =
  | { readonly ok: true; readonly message: string; readonly status?: unknown; readonly pid?: number }
  | { readonly ok: false; readonly message: string };

export function isControlCommand(value: unknown): value is ControlCommand {
  return typeof value === 'string' && (CONTROL_COMMANDS as readonly string[]).includes(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

function isSpawnSpec(value: unknown): value is SpawnSpec {
  if (typeof value !== 'object' || value === null) return false;
  const spec = value as Record<string, unknown>;
  return typeof spec['execPath'] === 'string' && Array.isArray(spec['args']) && spec['args'].every((a) => typeof a === 'string')
    && typeof spec['cwd'] === 'string' && isStringRecord(spec['env'])
    && (spec['logFile'] === undefined || typeof spec['logFile'] === 'string');
}

/** Narrows a parsed request line; undefined when it is not a valid request. */
export function parseControlRequest(value: unknown): ControlRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { command, spawn } = value as { command?: unknown; spawn?: unknown };
  if (!isControlCommand(command)) return undefined;
  if (command === 'upgrade') return isSpawnSpec(spawn) ? { command, spawn } : undefined;
  return { command };
}

/** Longest request line accepted (an upgrade request carries the environment). */
export const MAX_CONTROL_LINE_BYTES = 1_048_576;
