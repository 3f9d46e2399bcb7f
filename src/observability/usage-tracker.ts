/**
 * The worker's side of the usage windows: what happened since the last report (requests per location
 * with the in-flight count and its peak, requests per masked token, key states), taken as a delta and
 * reset each time a report is built.
 */
import type { LocationMeter } from './location-meter.ts';
import type { KeyStateReport, UsageDelta } from './usage-report.ts';

export class UsageTracker {
  readonly #meters: readonly LocationMeter[];
  #tokens = new Map<string, number>();
  #keys = new Map<string, KeyStateReport>();

  constructor(meters: Iterable<LocationMeter>) {
    this.#meters = [...meters];
  }

  countToken(maskedToken: string): void {
    this.#tokens.set(maskedToken, (this.#tokens.get(maskedToken) ?? 0) + 1);
  }

  setKeyState(report: KeyStateReport): void {
    this.#keys.set(`${report.provider}\u0001${report.keyId}`, report);
  }

  takeDelta(): UsageDelta {
    const locations = this.#meters.map((meter) => {
      const delta = { name: meter.name, requests: meter.finishedSinceReport, inFlight: meter.inFlight, peak: meter.peakSinceReport };
      meter.finishedSinceReport = 0;
      meter.peakSinceReport = meter.inFlight;
      return delta;
    });
    const tokens = [...this.#tokens].map(([token, requests]) => ({ token, requests }));
    const keys = [...this.#keys.values()];
    this.#tokens = new Map();
    this.#keys = new Map();
    return { locations, tokens, keys };
  }
}
