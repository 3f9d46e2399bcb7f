import { afterEach, describe, expect, it } from 'vitest';
import { ipcPipe } from '../../test/helpers/ipc-pipe.ts';
import { isAdminReplyMessage, isAdminRequestMessage } from './admin-messages.ts';
import { createManagementClient } from './management-client.ts';
import type { ManagementClient } from './management-client.ts';

const ACTOR = { token: 'ops', address: '127.0.0.1' };
let client: ManagementClient | undefined;

afterEach(() => {
  client?.close();
});

describe('createManagementClient', () => {
  it('sends the operation with who asked and resolves with the reply of the same id', async () => {
    const [masterEnd, workerEnd] = ipcPipe();
    const seen: unknown[] = [];
    masterEnd.on('message', (message: unknown) => {
      seen.push(message);
      if (!isAdminRequestMessage(message)) return;
      // Answer out of order: ids pair replies with requests.
      setTimeout(() => masterEnd.send({ type: 'admin:reply', id: message.id, status: 200, body: { kind: message.op.kind } }), message.id === 1 ? 20 : 0);
    });
    client = createManagementClient(workerEnd);
    const [first, second] = await Promise.all([client.request({ kind: 'list' }, ACTOR), client.request({ kind: 'get-consumer', plugin: 'p', consumer: 'c' }, ACTOR)]);
    expect(first).toEqual({ status: 200, body: { kind: 'list' } });
    expect(second).toEqual({ status: 200, body: { kind: 'get-consumer' } });
    expect(seen[0]).toEqual({ type: 'admin:request', id: 1, op: { kind: 'list' }, actor: ACTOR });
  });

  it('answers 504 when the master does not reply in time', async () => {
    const [, workerEnd] = ipcPipe();
    client = createManagementClient(workerEnd, 30);
    expect(await client.request({ kind: 'list' }, ACTOR)).toMatchObject({ status: 504, body: { error: 'management_timeout' } });
  });

  it('answers 503 without a connected channel, and to requests pending when it closes', async () => {
    const [, workerEnd] = ipcPipe();
    const disconnected = Object.assign(workerEnd, { connected: false });
    expect(await createManagementClient(disconnected).request({ kind: 'list' }, ACTOR)).toMatchObject({ status: 503, body: { error: 'management_unavailable' } });
    const [, open] = ipcPipe();
    client = createManagementClient(open);
    const pending = client.request({ kind: 'list' }, ACTOR);
    client.close();
    expect(await pending).toMatchObject({ status: 503 });
  });
});

describe('admin message guards', () => {
  it('accept only well-formed admin messages', () => {
    expect(isAdminRequestMessage({ type: 'admin:request', id: 1, op: { kind: 'list' }, actor: ACTOR })).toBe(true);
    expect(isAdminRequestMessage({ type: 'admin:request', id: 1, op: { kind: 'drop-table' }, actor: ACTOR })).toBe(false);
    expect(isAdminRequestMessage({ type: 'admin:request', id: 1, op: { kind: 'list' } })).toBe(false);
    expect(isAdminReplyMessage({ type: 'admin:reply', id: 1, status: 200, body: {} })).toBe(true);
    expect(isAdminReplyMessage({ type: 'admin:reply', id: 1, status: 200, body: [] })).toBe(false);
    expect(isAdminReplyMessage({ type: 'obs:answer', id: 1 })).toBe(false);
  });
});
