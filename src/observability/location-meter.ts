/**
 * The metric cells of one location, resolved when the config is compiled: one in-flight cell per method,
 * and per (method, status) the request counter and duration histogram cells, created on first use and
 * kept (statuses are bounded: 100–599). Recording a request is then a few additions.
 */
import type { HistogramCell, ValueCell } from './metric-family.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';

const METHOD_NAMES = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'OTHER'] as const;
const METHOD_INDEX: Readonly<Record<string, number>> = Object.fromEntries(METHOD_NAMES.map((m, i) => [m, i]));
const OTHER_INDEX = METHOD_NAMES.length - 1;

/** Index of a method label (GET … OPTIONS, OTHER). */
export function methodIndex(method: string): number {
  return METHOD_INDEX[method] ?? OTHER_INDEX;
}

interface StatusCells {
  readonly requests: ValueCell;
  readonly duration: HistogramCell;
}

export class LocationMeter {
  readonly name: string;
  readonly #metrics: GatewayMetrics;
  /** Per method, created on first use (no empty series for methods never seen). */
  readonly #inFlight: (ValueCell | undefined)[];
  readonly #byStatus: Map<number, StatusCells>[];
  /** Requests of this location in flight in this worker, all methods. */
  inFlight = 0;
  /** Requests finished since the usage tracker last took them. */
  finishedSinceReport = 0;
  /** Highest `inFlight` since the usage tracker last took it. */
  peakSinceReport = 0;

  constructor(name: string, metrics: GatewayMetrics) {
    this.name = name;
    this.#metrics = metrics;
    this.#inFlight = METHOD_NAMES.map(() => undefined);
    this.#byStatus = METHOD_NAMES.map(() => new Map());
  }

  begin(method: number): void {
    let cell = this.#inFlight[method];
    if (cell === undefined) {
      cell = this.#metrics.httpInFlight.cell(METHOD_NAMES[method] ?? 'OTHER', this.name);
      this.#inFlight[method] = cell;
    }
    cell.value++;
    if (++this.inFlight > this.peakSinceReport) this.peakSinceReport = this.inFlight;
  }

  /** The request ended (it was counted by `begin`). */
  end(method: number): void {
    (this.#inFlight[method] as ValueCell).value--;
    this.inFlight--;
  }

  /** Counts a finished request, whether or not `begin` ran for it. */
  record(method: number, status: number, seconds: number): void {
    const map = this.#byStatus[method] as Map<number, StatusCells>;
    let cells = map.get(status);
    if (cells === undefined) {
      const methodName = METHOD_NAMES[method] ?? 'OTHER';
      const statusText = String(status);
      cells = {
        requests: this.#metrics.httpRequests.cell(methodName, this.name, statusText),
        duration: this.#metrics.httpDuration.cell(methodName, this.name, statusText),
      };
      map.set(status, cells);
    }
    cells.requests.value++;
    this.#metrics.httpDuration.observe(cells.duration, seconds);
    this.finishedSinceReport++;
  }
}
