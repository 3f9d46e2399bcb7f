import { describe, expect, it } from 'vitest';
import { masterNotifier } from './notify-master.ts';

const notification = { event: 'backend_unhealthy', level: 'warn', message: 'circuit opened' } as const;

describe('masterNotifier', () => {
  it('sends a notify message while the channel to the master is connected', () => {
    const messages: unknown[] = [];
    masterNotifier({ connected: true, send: (m) => messages.push(m) })(notification);
    expect(messages).toEqual([{ type: 'notify', ...notification }]);
  });

  it('drops the notification without a master or once the channel closed, and never throws', () => {
    const messages: unknown[] = [];
    masterNotifier({ send: (m) => messages.push(m) })(notification);
    masterNotifier({ connected: false, send: (m) => messages.push(m) })(notification);
    const throwing = masterNotifier({
      connected: true,
      send: () => {
        throw new Error('ERR_IPC_CHANNEL_CLOSED');
      },
    });
    expect(() => throwing(notification)).not.toThrow();
    expect(messages).toEqual([]);
  });
});
