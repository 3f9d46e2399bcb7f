import { describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../../config/schema.ts';
import { DEFAULT_TRANSLATION_PROFILE, TranslationProfiles } from './translation-profile.ts';

function profilesOf(input: Pick<ConfigInput, 'providers' | 'models'>): TranslationProfiles {
  return new TranslationProfiles(configSchema.parse({ servers: { main: { listen: '8080', locations: ['ai'] } }, ...input }));
}

describe('TranslationProfiles', () => {
  const profiles = profilesOf({
    providers: {
      openai: { type: 'openai', base_url: 'https://api.openai.com/v1', keys: ['k'], max_output_tokens: 16384 },
      deepseek: { type: 'openai', base_url: 'https://api.deepseek.com/v1', keys: ['k'], reasoning: { replay_content: true }, system_messages: 'fold' },
      claude: { type: 'anthropic', keys: ['k'], max_output_tokens: 64000 },
      mock: { type: 'mock' },
    },
    models: {
      'gpt-4o': { providers: { openai: 'gpt-4o' } },
      o3: { providers: { openai: { model: 'o3', reasoning: { param: 'reasoning_effort' }, max_tokens_param: 'max_completion_tokens' } } },
      r1: { providers: { deepseek: { model: 'deepseek-reasoner', reasoning: { param: 'reasoning_effort' }, system_messages: 'keep' } } },
    },
  });

  it('gives a model without overrides its provider\'s options and max_output_tokens', () => {
    expect(profiles.of('gpt-4o', 'openai')).toEqual({ ...DEFAULT_TRANSLATION_PROFILE, providerMaxOutputTokens: 16384 });
    expect(profiles.of('sonnet', 'claude')).toEqual({ ...DEFAULT_TRANSLATION_PROFILE, providerMaxOutputTokens: 64000 });
  });

  it('overrides a provider\'s options per model target, field by field', () => {
    expect(profiles.of('o3', 'openai')).toEqual({
      ...DEFAULT_TRANSLATION_PROFILE,
      reasoningParam: 'reasoning_effort',
      useMaxCompletionTokens: true,
      providerMaxOutputTokens: 16384,
    });
    expect(profiles.of('r1', 'deepseek')).toEqual({
      ...DEFAULT_TRANSLATION_PROFILE,
      reasoningParam: 'reasoning_effort',
      replaysReasoningContent: true,
      foldsSystemMessages: false,
    });
  });

  it('falls back to the defaults for the mock and unknown names', () => {
    expect(profiles.of('m', 'mock')).toBe(DEFAULT_TRANSLATION_PROFILE);
    expect(profiles.of('m', 'nope')).toBe(DEFAULT_TRANSLATION_PROFILE);
  });
});
