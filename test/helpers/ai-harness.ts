/**
 * louailink in-process in front of the two mock upstreams, for the AI integration tests: one OpenAI-compatible
 * mock and one Anthropic mock, an AI location at /v1, and SDK clients pointed at the gateway.
 * Key cooldowns live in the process-wide store, so each harness should use its own key strings.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startAnthropicMock, startOpenAiMock, type AnthropicMockOptions, type MockUpstream, type OpenAiMockOptions } from '../mock-upstreams/index.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';

type LocationAi = NonNullable<NonNullable<ConfigInput['locations']>[string]['ai']>;

export interface AiHarnessOptions {
  readonly openaiMock?: OpenAiMockOptions;
  readonly anthropicMock?: AnthropicMockOptions;
  /** Providers; base URLs of the mocks are passed in. */
  providers(mocks: { openai: MockUpstream; anthropic: MockUpstream }): NonNullable<ConfigInput['providers']>;
  readonly models: NonNullable<ConfigInput['models']>;
  readonly ai?: LocationAi;
}

export interface AiHarness {
  readonly gateway: TestGateway;
  readonly openaiMock: MockUpstream;
  readonly anthropicMock: MockUpstream;
  /** The gateway's AI base URL (`…/v1`). */
  readonly baseUrl: string;
  openai(apiKey?: string): OpenAI;
  anthropic(apiKey?: string): Anthropic;
  close(): Promise<void>;
}

export const CLIENT_KEY = 'client-secret-never-forwarded';

export async function startAiHarness(options: AiHarnessOptions): Promise<AiHarness> {
  const openaiMock = await startOpenAiMock(options.openaiMock);
  const anthropicMock = await startAnthropicMock(options.anthropicMock);
  const gateway = await startTestGateway({
    servers: { main: { locations: ['ai'] } },
    locations: { ai: { path: '/v1', ai: options.ai ?? {} } },
    providers: options.providers({ openai: openaiMock, anthropic: anthropicMock }),
    models: options.models,
  });
  const baseUrl = `${gateway.url}/v1`;
  return {
    gateway,
    openaiMock,
    anthropicMock,
    baseUrl,
    openai: (apiKey = CLIENT_KEY) => new OpenAI({ baseURL: baseUrl, apiKey, maxRetries: 0 }),
    anthropic: (apiKey = CLIENT_KEY) => new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0 }),
    close: async () => {
      await gateway.close();
      await Promise.all([openaiMock.close(), anthropicMock.close()]);
    },
  };
}
