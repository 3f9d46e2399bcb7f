/**
 * Built-in rotation of the `--log` file, done by the master for every process: when the file reaches
 * `sizeBytes` (checked once a second, so a soft limit) or a local hour/day begins, it shifts
 * FILE.1 … FILE.(count-1) up by one (dropping FILE.count), renames FILE to FILE.1 and calls `onRotated`,
 * which makes the master and every worker open FILE again (the SIGUSR1 path). Lines written between the
 * rename and the reopen land in FILE.1, so none is lost, and there is one file family however many
 * processes write (pino-roll per process cannot do that: each instance counts and deletes on its own).
 * Timers are unref'd.
 */
import { rename, stat, unlink } from 'node:fs/promises';

export interface LogRotation {
  readonly sizeBytes?: number | undefined;
  readonly frequency?: 'hourly' | 'daily' | undefined;
  /** Rotated files kept (FILE.1 is the newest). */
  readonly count: number;
}

export interface LogRotatorOptions {
  readonly file: string;
  /** Every process must open `file` again now. */
  readonly onRotated: () => void;
  readonly onError?: (err: Error) => void;
  readonly checkIntervalMs?: number;
}

const isMissing = (err: unknown): boolean => (err as { code?: string }).code === 'ENOENT';

/** The next local hour or midnight after `now` (ms). */
export function nextBoundaryMs(frequency: 'hourly' | 'daily', now: number): number {
  const next = new Date(now);
  if (frequency === 'hourly') next.setHours(next.getHours() + 1, 0, 0, 0);
  else next.setHours(24, 0, 0, 0);
  return next.getTime();
}

export class LogRotator {
  readonly #options: LogRotatorOptions;
  #rotation: LogRotation | undefined;
  #sizeTimer: NodeJS.Timeout | undefined;
  #clockTimer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;

  constructor(options: LogRotatorOptions) {
    this.#options = options;
  }

  /** Applies the settings of the config in force (undefined: no built-in rotation). */
  configure(rotation: LogRotation | undefined): void {
    this.close();
    this.#rotation = rotation;
    if (rotation === undefined) return;
    if (rotation.sizeBytes !== undefined) {
      this.#sizeTimer = setInterval(() => void this.#rotateIfLarge(), this.#options.checkIntervalMs ?? 1_000);
      this.#sizeTimer.unref();
    }
    if (rotation.frequency !== undefined) this.#scheduleClock(rotation.frequency);
  }

  /** Rotates now (unless the file is missing or empty); resolves with whether it did. Serialized. */
  rotate(): Promise<boolean> {
    this.#running ??= this.#shift()
      .catch((err: unknown) => {
        this.#options.onError?.(err as Error);
        return false;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  close(): void {
    clearInterval(this.#sizeTimer);
    clearTimeout(this.#clockTimer);
    this.#sizeTimer = undefined;
    this.#clockTimer = undefined;
  }

  async #rotateIfLarge(): Promise<void> {
    const limit = this.#rotation?.sizeBytes;
    if (limit === undefined || this.#running !== undefined) return;
    const size = await stat(this.#options.file).then((s) => s.size, () => 0);
    if (size >= limit) await this.rotate();
  }

  #scheduleClock(frequency: 'hourly' | 'daily'): void {
    const now = Date.now();
    this.#clockTimer = setTimeout(() => {
      void this.rotate();
      this.#scheduleClock(frequency);
    }, nextBoundaryMs(frequency, now) - now);
    this.#clockTimer.unref();
  }

  async #shift(): Promise<boolean> {
    const { file } = this.#options;
    const count = this.#rotation?.count ?? 1;
    const size = await stat(file).then((s) => s.size, (err: unknown) => (isMissing(err) ? 0 : Promise.reject(err)));
    if (size === 0) return false;
    await unlink(`${file}.${count}`).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)));
    for (let i = count - 1; i >= 1; i -= 1) {
      await rename(`${file}.${i}`, `${file}.${i + 1}`).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)));
    }
    await rename(file, `${file}.1`);
    this.#options.onRotated();
    return true;
  }
}
