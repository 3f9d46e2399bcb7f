/**
 * The cluster-wide usage windows the master keeps (workers come and go; these survive reloads):
 * per location the requests per minute and the concurrency peak per minute over 24 h, per masked token
 * the requests per minute, per provider key its latest state.
 *
 * Concurrency: the current value is the sum of the live workers' latest in-flight counts. A report's
 * peak estimate is the reporting worker's own peak since its previous report plus the others' latest
 * in-flight counts, which is exact whenever the other workers' load did not move in between.
 */
import { MinuteRing } from './minute-ring.ts';
import type { KeyStateReport, LocationSummary, TokenSummary, UsageDelta, KeySummary } from './usage-report.ts';

const HOUR_MINUTES = 60;
const DAY_MINUTES = 24 * 60;

interface LocationWindow {
  readonly requests: MinuteRing;
  readonly peaks: MinuteRing;
  /** Worker id → its latest in-flight count. */
  readonly inFlight: Map<string, number>;
}

export class UsageWindows {
  readonly #locations = new Map<string, LocationWindow>();
  readonly #tokens = new Map<string, MinuteRing>();
  readonly #keys = new Map<string, KeyStateReport>();

  /** Folds a worker's report in (`nowMs` is the master's clock). */
  apply(workerId: string, delta: UsageDelta, nowMs: number): void {
    for (const loc of delta.locations) {
      const window = this.#location(loc.name);
      window.inFlight.set(workerId, loc.inFlight);
      if (loc.requests > 0) window.requests.add(nowMs, loc.requests);
      let others = 0;
      for (const [id, count] of window.inFlight) if (id !== workerId) others += count;
      window.peaks.raise(nowMs, Math.max(loc.peak, loc.inFlight) + others);
    }
    for (const token of delta.tokens) {
      let ring = this.#tokens.get(token.token);
      if (ring === undefined) {
        ring = new MinuteRing();
        this.#tokens.set(token.token, ring);
      }
      ring.add(nowMs, token.requests);
    }
    for (const key of delta.keys) {
      const id = `${key.provider}\u0001${key.keyId}`;
      const known = this.#keys.get(id);
      if (known === undefined || known.observedAtMs <= key.observedAtMs) this.#keys.set(id, key);
    }
  }

  /** A worker left: its requests are over, so it adds nothing to the current concurrency. */
  forgetWorker(workerId: string): void {
    for (const window of this.#locations.values()) window.inFlight.delete(workerId);
  }

  locations(nowMs: number): LocationSummary[] {
    return [...this.#locations].map(([name, w]) => {
      let concurrency = 0;
      for (const count of w.inFlight.values()) concurrency += count;
      return {
        name,
        requests_1h: w.requests.sumOver(nowMs, HOUR_MINUTES),
        requests_24h: w.requests.sumOver(nowMs, DAY_MINUTES),
        concurrency,
        peak_concurrency_1h: Math.max(concurrency, w.peaks.maxOver(nowMs, HOUR_MINUTES)),
        peak_concurrency_24h: Math.max(concurrency, w.peaks.maxOver(nowMs, DAY_MINUTES)),
      };
    });
  }

  tokens(nowMs: number): TokenSummary[] {
    const rows: TokenSummary[] = [];
    for (const [token, ring] of this.#tokens) {
      const requests24h = ring.sumOver(nowMs, DAY_MINUTES);
      if (requests24h > 0) rows.push({ token, requests_1h: ring.sumOver(nowMs, HOUR_MINUTES), requests_24h: requests24h });
    }
    return rows.sort((a, b) => b.requests_24h - a.requests_24h);
  }

  keys(nowMs: number): KeySummary[] {
    return [...this.#keys.values()].map((key) => {
      const isCooling = key.state === 'cooling_down' && key.untilMs !== undefined && key.untilMs > nowMs;
      return isCooling
        ? { provider: key.provider, key_id: key.keyId, state: 'cooling_down', cooling_down_until: new Date(key.untilMs ?? 0).toISOString() }
        : { provider: key.provider, key_id: key.keyId, state: 'healthy' };
    });
  }

  #location(name: string): LocationWindow {
    let window = this.#locations.get(name);
    if (window === undefined) {
      window = { requests: new MinuteRing(), peaks: new MinuteRing(), inFlight: new Map() };
      this.#locations.set(name, window);
    }
    return window;
  }
}
