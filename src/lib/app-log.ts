/**
 * The application log with `--log FILE`: pino JSON lines appended to FILE instead of stdout. Every process
 * (master and workers) opens the file in append mode, so lines from several processes never overwrite
 * each other. `reopen()` opens the path again: after logrotate has moved the file away, the master calls
 * it on SIGUSR1 and tells its workers to do the same, and new lines go to a fresh file. Buffered lines are
 * flushed when the process exits.
 */
import { pino } from 'pino';
import { createLogger } from './logger.ts';
import type { Logger, LoggerOptions } from './logger.ts';

export interface AppLog {
  readonly logger: Logger;
  /** Reopens the log file (no-op when logging to stdout). */
  reopen(): void;
}

export function createAppLog(options: LoggerOptions & { readonly file?: string | undefined }): AppLog {
  if (options.file === undefined) return { logger: createLogger(options), reopen: () => undefined };
  const destination = pino.destination({ dest: options.file, append: true, mkdir: true, sync: false });
  const logger = pino({ level: options.level, name: options.name, base: { pid: process.pid } }, destination);
  return { logger, reopen: () => destination.reopen() };
}
