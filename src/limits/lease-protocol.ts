/**
 * The IPC messages of cluster-wide fixed-window limits. A worker asks the master for a batch of
 * admissions of one key in one window; the master grants at most what is left of the limit, so the
 * admissions of all workers together never exceed it. Window starts are epoch-aligned, so every process
 * names the same window for the same instant.
 */

/** Worker → master: "give me up to `want` admissions of `key` in the window starting at `windowStart`". */
export interface LeaseRequestMessage {
  readonly type: 'limit-lease';
  /** Per worker, increasing; echoed in the grant. */
  readonly id: number;
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly windowStart: number;
  readonly want: number;
}

/** Master → worker: `granted` admissions (0 = the window's limit is used up). */
export interface LeaseGrantMessage {
  readonly type: 'limit-grant';
  readonly id: number;
  readonly key: string;
  readonly windowStart: number;
  readonly granted: number;
}
