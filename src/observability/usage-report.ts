/**
 * What a worker tells the master about usage since its previous report (deltas), and the summary the
 * master answers with (`/metrics/summary`). Plain JSON: it crosses the IPC channel.
 */

export interface LocationUsageDelta {
  readonly name: string;
  /** Requests finished since the previous report. */
  readonly requests: number;
  /** Requests in flight now. */
  readonly inFlight: number;
  /** Highest in-flight count since the previous report. */
  readonly peak: number;
}

export interface TokenUsageDelta {
  /** Masked credential (`sk-…a1b2`); the clear value never leaves the worker. */
  readonly token: string;
  readonly requests: number;
}

export type KeyState = 'healthy' | 'cooling_down';

export interface KeyStateReport {
  readonly provider: string;
  readonly keyId: string;
  readonly state: KeyState;
  /** Epoch ms the cooldown ends, when cooling down. */
  readonly untilMs?: number;
  /** Epoch ms of this observation (the newest wins across workers). */
  readonly observedAtMs: number;
}

export interface UsageDelta {
  readonly locations: readonly LocationUsageDelta[];
  readonly tokens: readonly TokenUsageDelta[];
  readonly keys: readonly KeyStateReport[];
}

export interface LocationSummary {
  readonly name: string;
  readonly requests_1h: number;
  readonly requests_24h: number;
  readonly concurrency: number;
  readonly peak_concurrency_1h: number;
  readonly peak_concurrency_24h: number;
}

export interface TokenSummary {
  readonly token: string;
  readonly requests_1h: number;
  readonly requests_24h: number;
}

export interface KeySummary {
  readonly provider: string;
  readonly key_id: string;
  readonly state: KeyState;
  /** ISO time the cooldown ends. */
  readonly cooling_down_until?: string;
}

export interface UsageSummary {
  readonly generated_at: string;
  readonly workers: number;
  readonly generation: number;
  readonly locations: readonly LocationSummary[];
  readonly tokens: readonly TokenSummary[];
  readonly keys: readonly KeySummary[];
}
