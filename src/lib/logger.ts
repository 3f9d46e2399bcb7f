/**
 * The application log: pino, JSON lines on stdout. Config values are never logged (they may hold secrets
 * from `${VAR}`); log names, counts, addresses and error codes.
 */
import { pino } from 'pino';
import type { Logger, LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** The instance name (`basic.name`), on every line as `name`. */
  readonly name: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({ level: options.level, name: options.name, base: { pid: process.pid } });
}
