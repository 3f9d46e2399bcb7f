/** Claude Code sends `HEAD /` before its first request; an AI server answers it wherever its AI location sits. */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';

const gateways: TestGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

async function statusOf(url: string, method: 'HEAD' | 'GET'): Promise<{ status: number; body: string }> {
  const res = await request(url, { method });
  return { status: res.statusCode, body: await res.body.text() };
}

describe('HEAD / probe', () => {
  it('answers 200 on a server whose AI location is under /v1, while GET / stays route_not_found', async () => {
    const gateway = await startTestGateway({
      servers: { main: { locations: ['ai'] } },
      locations: { ai: { path: '/v1', ai: {} } },
      providers: { mock: { type: 'mock' } },
      models: { 'mock-gpt': { providers: { mock: 'mock-gpt' } } },
    });
    gateways.push(gateway);
    expect(await statusOf(`${gateway.url}/`, 'HEAD')).toEqual({ status: 200, body: '' });
    const get = await statusOf(`${gateway.url}/`, 'GET');
    expect(get.status).toBe(404);
    expect(JSON.parse(get.body)).toMatchObject({ error: 'route_not_found' });
  });

  it('keeps HEAD / a 404 on a server without an AI location', async () => {
    const gateway = await startTestGateway({
      servers: { main: { locations: ['ping'] } },
      locations: { ping: { path: '=/ping', plugins: ['pong'] } },
      plugins: { pong: { type: 'mock', body: 'pong' } },
    });
    gateways.push(gateway);
    expect((await statusOf(`${gateway.url}/`, 'HEAD')).status).toBe(404);
  });
});
