/**
 * A key-auth consumer's `allowed_models` through the real gateway and the official SDKs: models outside
 * the list get a typed 403 model_not_allowed (aliases count as their model, both ways), `/v1/models`
 * lists only the allowed models, and a consumer without the list sees and uses everything.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';

const LIMITED_KEY = 'limited-gateway-key-0001';
const FREE_KEY = 'unlimited-gateway-key-0002';
const MESSAGES = [{ role: 'user' as const, content: 'hi' }];

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    servers: { main: { locations: ['ai'] } },
    locations: { ai: { path: '/v1', ai: {}, plugins: ['auth'] } },
    providers: { mock: { type: 'mock', chunk_delay: '0ms', reply: 'hello from the mock' } },
    models: {
      'gpt-4o-mini': { providers: { mock: 'mock-upstream' }, aliases: ['mini'] },
      sonnet: { providers: { mock: 'mock-upstream' }, aliases: ['claude'] },
      opus: { providers: { mock: 'mock-upstream' } },
    },
    plugins: {
      auth: {
        type: 'key-auth',
        consumers: {
          limited: { keys: [{ key: LIMITED_KEY }], allowed_models: ['gpt-4o-mini', 'claude'] },
          free: { keys: [{ key: FREE_KEY }] },
        },
      },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
});

const openai = (apiKey: string) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });

describe('allowed_models of a consumer', () => {
  it('serves listed models, their aliases and the model a listed alias names', async () => {
    for (const model of ['gpt-4o-mini', 'mini', 'sonnet', 'claude']) {
      const answer = await openai(LIMITED_KEY).chat.completions.create({ model, messages: MESSAGES });
      expect(answer.choices[0]?.message.content).toBe('hello from the mock');
    }
  });

  it('refuses another model with an OpenAI PermissionDeniedError model_not_allowed, streaming or not', async () => {
    for (const stream of [false, true]) {
      const err = await openai(LIMITED_KEY).chat.completions.create({ model: 'opus', messages: MESSAGES, stream }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('model_not_allowed');
    }
  });

  it('refuses an Anthropic client in its own error shape', async () => {
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: LIMITED_KEY, maxRetries: 0 });
    const ok = await anthropic.messages.create({ model: 'claude', max_tokens: 16, messages: MESSAGES });
    expect(ok.content.length).toBeGreaterThan(0);
    const err = await anthropic.messages.create({ model: 'opus', max_tokens: 16, messages: MESSAGES }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((err as InstanceType<typeof Anthropic.PermissionDeniedError>).error).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
  });

  it('lists and retrieves only the allowed models', async () => {
    const listed = await openai(LIMITED_KEY).models.list();
    expect(listed.data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'sonnet']);
    expect((await openai(LIMITED_KEY).models.retrieve('claude')).id).toBe('claude');
    const hidden = await openai(LIMITED_KEY).models.retrieve('opus').catch((e: unknown) => e);
    expect(hidden).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('lets a consumer without allowed_models see and use every model', async () => {
    const listed = await openai(FREE_KEY).models.list();
    expect(listed.data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'sonnet', 'opus']);
    const answer = await openai(FREE_KEY).chat.completions.create({ model: 'opus', messages: MESSAGES });
    expect(answer.choices[0]?.message.content).toBe('hello from the mock');
  });
});
