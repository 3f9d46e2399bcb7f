/** Usage sinks of the AI layer; the record contract lives in src/core so observability and limits share it. */
import type { UsageRecord, UsageSink } from '../../core/usage-record.ts';

export type { AiEndpoint, UsageOutcome, UsageRecord, UsageSink } from '../../core/usage-record.ts';

/** The default sink: keeps nothing. */
export const DISCARD_USAGE: UsageSink = { record: () => {} };

/** Keeps every record in memory, in order (tests, debugging). */
export class RecordingUsageSink implements UsageSink {
  readonly records: UsageRecord[] = [];

  record(usage: UsageRecord): void {
    this.records.push(usage);
  }
}
