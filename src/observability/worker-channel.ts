/**
 * The worker's end of the observability IPC (observability-messages.ts): reports to the master every
 * REPORT_INTERVAL_MS and whenever asked (obs:collect), sends a final report before the worker exits, and
 * asks the master for cluster-wide answers (the IpcHub). Reports carry deltas of the usage windows, so
 * each one is built exactly once and sent once.
 */
import type { WorkerReport } from './cluster-state.ts';
import { isObsMasterMessage } from './observability-messages.ts';
import type { HealthInfo, ObsMasterMessage, ObsWorkerMessage, QueryKind } from './observability-messages.ts';
import type { ObservabilityHub } from './observability-hub.ts';
import type { UsageSummary } from './usage-report.ts';

export const REPORT_INTERVAL_MS = 5_000;
const QUERY_TIMEOUT_MS = 3_000;

type Answer = Extract<ObsMasterMessage, { type: 'obs:answer' }>;

export interface ChannelProcess {
  readonly connected: boolean;
  send?(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export class WorkerChannel implements ObservabilityHub {
  readonly #proc: ChannelProcess;
  readonly #collect: () => Promise<WorkerReport>;
  readonly #pending = new Map<number, { resolve: (answer: Answer) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  readonly #timer: NodeJS.Timeout;
  #nextId = 1;
  #isClosed = false;

  constructor(proc: ChannelProcess, collect: () => Promise<WorkerReport>, intervalMs = REPORT_INTERVAL_MS) {
    this.#proc = proc;
    this.#collect = collect;
    proc.on('message', this.#onMessage);
    this.#timer = setInterval(() => void this.#report(), intervalMs);
    this.#timer.unref();
    // The first report registers this worker with the master, which only waits for workers it knows.
    void this.#report();
  }

  #send(message: ObsWorkerMessage): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#proc.connected || this.#proc.send === undefined) {
        resolve();
        return;
      }
      this.#proc.send(message, () => resolve());
    });
  }

  async #report(extra?: { round?: number; isFinal?: boolean }): Promise<void> {
    if (this.#isClosed) return;
    const report = await this.#collect();
    await this.#send({ ...report, ...extra });
  }

  #onMessage = (message: unknown): void => {
    if (!isObsMasterMessage(message)) return;
    if (message.type === 'obs:collect') {
      void this.#report({ round: message.round });
      return;
    }
    const waiter = this.#pending.get(message.id);
    if (waiter === undefined) return;
    this.#pending.delete(message.id);
    clearTimeout(waiter.timer);
    waiter.resolve(message);
  };

  #query(kind: QueryKind): Promise<Answer> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(Object.assign(new Error(`the master did not answer the ${kind} query`), { code: 'LL_OBS_TIMEOUT' }));
      }, QUERY_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      void this.#send({ type: 'obs:query', id, kind });
    });
  }

  async metricsText(): Promise<string> {
    const answer = await this.#query('metrics');
    if (answer.text === undefined) throw new Error(answer.error ?? 'no metrics in the answer');
    return answer.text;
  }

  async summary(): Promise<UsageSummary> {
    const answer = await this.#query('summary');
    if (answer.summary === undefined) throw new Error(answer.error ?? 'no summary in the answer');
    return answer.summary;
  }

  async health(): Promise<HealthInfo> {
    const answer = await this.#query('health');
    if (answer.health === undefined) throw new Error(answer.error ?? 'no health in the answer');
    return answer.health;
  }

  /** Reports now (e.g. once the worker serves), outside the periodic schedule. */
  reportNow(): void {
    void this.#report();
  }

  /** The last report before exit; resolves once it is written to the channel. Stops reporting. */
  async flushFinal(): Promise<void> {
    if (this.#isClosed) return;
    await this.#report({ isFinal: true });
    this.close();
  }

  close(): void {
    this.#isClosed = true;
    clearInterval(this.#timer);
    this.#proc.off('message', this.#onMessage);
    for (const { timer, reject } of this.#pending.values()) {
      clearTimeout(timer);
      reject(Object.assign(new Error('the observability channel closed'), { code: 'LL_OBS_CLOSED' }));
    }
    this.#pending.clear();
  }
}
