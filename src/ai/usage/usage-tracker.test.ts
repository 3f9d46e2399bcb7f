import { describe, expect, it } from 'vitest';
import { RecordingUsageSink } from './usage-record.ts';
import { UsageTracker } from './usage-tracker.ts';

const subject = { requestId: 'r1', locationName: 'ai', endpoint: 'chat_completions', clientDialect: 'openai' } as const;

describe('UsageTracker', () => {
  it('reports every attempt in order, the body bytes and (streams) the events sent to the client', () => {
    const tracker = new UsageTracker(subject, 1_000);
    tracker.isStream = true;
    const first = tracker.beginAttempt('flaky', 'flaky:1');
    first.status = 503;
    first.headerMs = 12;
    const second = tracker.beginAttempt('main', undefined);
    second.status = 200;
    second.headerMs = 30;
    tracker.countBody('data: {"a":1}\n\nda');
    tracker.countBody(Buffer.from('ta: [DONE]\n\n'));
    const sink = new RecordingUsageSink();
    tracker.finish(sink, 1_500);
    expect(sink.records[0]).toMatchObject({
      bodyBytes: 29,
      streamEvents: 2,
      durationMs: 500,
      upstreamAttempts: [
        { provider: 'flaky', keyId: 'flaky:1', status: 503, headerMs: 12, errorType: undefined },
        { provider: 'main', keyId: undefined, status: 200, headerMs: 30, errorType: undefined },
      ],
    });
  });

  it('counts no events on an answer that is not a stream', () => {
    const tracker = new UsageTracker(subject, 0);
    tracker.countBody('{"a":"\\n\\n"}\n\n');
    const sink = new RecordingUsageSink();
    tracker.finish(sink, 1);
    expect(sink.records[0]).toMatchObject({ bodyBytes: 14, streamEvents: 0, upstreamAttempts: [] });
  });
});
