import { describe, expect, it } from 'vitest';
import { buildPayload } from './payload.ts';
import type { Notification } from './notification.ts';

const source = { name: 'edge-1', hostname: 'host-a', pid: 42 };
const now = new Date('2026-11-22T05:00:00.000Z');
const crash: Notification = { event: 'worker_crash', level: 'error', message: 'worker 7 exited', details: { workerPid: 7, signal: 'SIGKILL' } };

describe('buildPayload', () => {
  it('sends the generic webhook fields', () => {
    expect(buildPayload('webhook', crash, source, now)).toEqual({
      name: 'edge-1',
      event: 'worker_crash',
      level: 'error',
      hostname: 'host-a',
      pid: 42,
      time: '2026-11-22T05:00:00.000Z',
      message: 'worker 7 exited',
      details: { workerPid: 7, signal: 'SIGKILL' },
    });
  });

  it('sends Slack a text with the event, host, message and details', () => {
    const body = buildPayload('slack', crash, source, now) as { text: string };
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('[edge-1] worker_crash (error) on host-a, pid 42: worker 7 exited');
    expect(body.text).toContain('signal: SIGKILL');
  });

  it('sends WeCom and DingTalk markdown messages', () => {
    const wecom = buildPayload('wecom', crash, source, now) as { msgtype: string; markdown: { content: string } };
    expect(wecom.msgtype).toBe('markdown');
    expect(wecom.markdown.content).toContain('**edge-1** worker_crash (error)');
    expect(wecom.markdown.content).toContain('- workerPid: 7');
    const ding = buildPayload('dingtalk', crash, source, now) as { msgtype: string; markdown: { title: string; text: string } };
    expect(ding).toEqual({ msgtype: 'markdown', markdown: { title: 'edge-1 worker_crash', text: wecom.markdown.content } });
  });
});
