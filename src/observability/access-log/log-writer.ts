/**
 * Where access-log lines go, without blocking the event loop: stdout or a file through an asynchronous
 * SonicBoom (pino.destination, sync: false: lines are buffered and written in the background), or, with
 * rotation, a pino-roll worker thread (one file family per worker slot:
 * two pino-roll instances must never share a base name; components.md §5): `access.log` of slot 3 rotates
 * through access.3.1.log, access.3.2.log, … Pending lines are flushed
 * synchronously when the process exits.
 */
import { extname, isAbsolute, resolve } from 'node:path';
import { pino } from 'pino';
import type { LogRotation } from '../../lib/log-rotator.ts';

export interface LogWriterOptions {
  /** "stdout" or a file path. */
  readonly file: string;
  /** Relative paths resolve here. */
  readonly baseDir: string;
  readonly rotate?: LogRotation | undefined;
  /** The worker's slot, part of rotated file names. */
  readonly slot: number;
}

export interface LogWriter {
  write(line: string): void;
  /** Writes what is buffered (synchronously; for exit paths). */
  flushSync(): void;
  /** Reopens the file (after an external rotation moved it). */
  reopen(): void;
  close(): void;
}

interface SyncFlushable {
  write(data: string): boolean;
  flushSync(): void;
  end(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

function wrap(stream: SyncFlushable, reopen: () => void, target: string): LogWriter {
  // An unwritable log (missing directory rights, full disk) must not crash the worker: report it once.
  let isReported = false;
  stream.on('error', (err) => {
    if (isReported) return;
    isReported = true;
    process.stderr.write(`louailink: cannot write the log ${target}: ${(err as { code?: string }).code ?? err.message}\n`);
  });
  const onExit = (): void => {
    try {
      stream.flushSync();
    } catch {
      // Nothing left to do at exit; a lost tail is better than a crash in the exit path.
    }
  };
  process.on('exit', onExit);
  return {
    write: (line) => {
      stream.write(line);
    },
    flushSync: onExit,
    reopen,
    close: () => {
      process.off('exit', onExit);
      onExit();
      stream.end();
    },
  };
}

export function createLogWriter(options: LogWriterOptions): LogWriter {
  if (options.file === 'stdout') {
    const dest = pino.destination({ dest: 1, sync: false });
    return wrap(dest, () => undefined, 'stdout');
  }
  const path = isAbsolute(options.file) ? options.file : resolve(options.baseDir, options.file);
  const rotate = options.rotate;
  if (rotate !== undefined && (rotate.sizeBytes !== undefined || rotate.frequency !== undefined)) {
    const extension = extname(path) || '.log';
    const base = extname(path) === '' ? path : path.slice(0, -extension.length);
    const transport = pino.transport({
      target: 'pino-roll',
      options: {
        // access.log of slot 3 → access.3.1.log, access.3.2.log, …
        // (pino-roll takes the extension from the file name).
        file: `${base}.${options.slot}${extension}`,
        ...(rotate.sizeBytes === undefined ? {} : { size: `${Math.max(1, Math.round(rotate.sizeBytes / 1024))}k` }),
        ...(rotate.frequency === undefined ? {} : { frequency: rotate.frequency }),
        limit: { count: rotate.count },
        mkdir: true,
      },
    }) as unknown as SyncFlushable;
    return wrap(transport, () => undefined, path);
  }
  const dest = pino.destination({ dest: path, sync: false, mkdir: true, append: true });
  return wrap(dest, () => dest.reopen(), path);
}
