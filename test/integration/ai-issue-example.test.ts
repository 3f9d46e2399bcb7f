/**
 * The config of issue 4 exactly as written (only the two base URLs point at the mock upstreams and the
 * listen port is free): it validates, and both SDKs reach both models through it.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDocument } from '../../src/config/validate.ts';
import { startTestGateway, type TestConfigInput, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { startAnthropicMock, startOpenAiMock, text, type MockUpstream } from '../mock-upstreams/index.ts';

const ISSUE_CONFIG = `
servers:
  main:
    listen: 127.0.0.1:8080
    locations: [ai]
locations:
  ai:
    path: /v1
    ai: {}
providers:
  openai-main:
    type: openai                 # any OpenAI-compatible API; base_url as the OpenAI SDK takes it
    base_url: http://127.0.0.1:9100/v1
    keys: [sk-a, sk-b]
  claude:
    type: anthropic              # base_url as the Anthropic SDK takes it
    base_url: http://127.0.0.1:9200
    keys: [ak-1]
models:
  gpt-4o-mini:
    providers: { openai-main: gpt-4o-mini }
  claude-sonnet:
    aliases: [sonnet]
    providers: { claude: claude-sonnet-4-5 }
`;

let openaiMock: MockUpstream;
let anthropicMock: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  openaiMock = await startOpenAiMock({ keys: ['sk-a', 'sk-b'], script: text('from gpt') });
  anthropicMock = await startAnthropicMock({ keys: ['ak-1'], script: text('from claude') });
  const yaml = ISSUE_CONFIG.replace('http://127.0.0.1:9100/v1', openaiMock.url)
    .replace('http://127.0.0.1:9200', anthropicMock.url)
    .replace('127.0.0.1:8080', `127.0.0.1:${await freePort()}`);
  const document = parse(yaml) as TestConfigInput;
  const validated = validateDocument(document);
  expect(validated.ok ? [] : validated.problems).toEqual([]);
  gateway = await startTestGateway(document);
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([openaiMock.close(), anthropicMock.close()]);
});

describe('the issue 4 config as written', () => {
  it('serves both models to the OpenAI SDK, rotating the two OpenAI keys', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'anything', maxRetries: 0 });
    const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    expect((await ask('gpt-4o-mini')).choices[0]?.message.content).toBe('from gpt');
    expect((await ask('gpt-4o-mini')).choices[0]?.message.content).toBe('from gpt');
    expect((await ask('sonnet')).choices[0]?.message.content).toBe('from claude');
    expect(openaiMock.requests.map((r) => r.key)).toEqual(['sk-a', 'sk-b']);
    expect(anthropicMock.requests.map((r) => r.key)).toEqual(['ak-1']);
  });

  it('serves both models to the Anthropic SDK', async () => {
    const client = new Anthropic({ baseURL: gateway.url, apiKey: 'anything', maxRetries: 0 });
    const ask = (model: string) => client.messages.create({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect((await ask('claude-sonnet')).content).toMatchObject([{ type: 'text', text: 'from claude' }]);
    expect((await ask('gpt-4o-mini')).content).toMatchObject([{ type: 'text', text: 'from gpt' }]);
  });
});
