/**
 * The control socket protocol (`louailink -s COMMAND`): the client writes one JSON line
 * `{"command": "..."}`, the master answers one JSON line and closes the connection.
 */
export const CONTROL_COMMANDS = ['status', 'reload', 'quit', 'stop', 'reopen'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export type ControlReply =
  | { readonly ok: true; readonly message: string; readonly status?: unknown }
  | { readonly ok: false; readonly message: string };

export function isControlCommand(value: unknown): value is ControlCommand {
  return typeof value === 'string' && (CONTROL_COMMANDS as readonly string[]).includes(value);
}

/** Longest request line accepted; anything longer is a protocol error. */
export const MAX_CONTROL_LINE_BYTES = 4_096;
