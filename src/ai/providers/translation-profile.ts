/**
 * The translation options of each (model, provider) pair, compiled once per config from
 * `providers.<name>` (reasoning, cache_control, system_messages, max_tokens_param, max_output_tokens) and
 * the field-by-field overrides of `models.<m>.providers.<name>: {model, …}`
 * (src/config/provider-options-schema.ts). The request path does two Map lookups.
 */
import type { TranslationOptionsConfig } from '../../config/provider-options-schema.ts';
import type { Config } from '../../config/schema.ts';
import type { ReasoningParam } from '../translate/anthropic-to-openai/reasoning.ts';

export interface TranslationProfile {
  /** Where Claude thinking settings go (none: dropped and reported). */
  readonly reasoningParam: ReasoningParam;
  /** Earlier thinking goes back as `reasoning_content`. */
  readonly replaysReasoningContent: boolean;
  readonly keepsCacheControl: boolean;
  /** One leading system message; later ones merged into the adjacent user message. */
  readonly foldsSystemMessages: boolean;
  /** The token limit goes as `max_completion_tokens`. */
  readonly useMaxCompletionTokens: boolean;
  /** The provider's `max_output_tokens`: the limit of its models that set none. */
  readonly providerMaxOutputTokens: number | undefined;
}

export const DEFAULT_TRANSLATION_PROFILE: TranslationProfile = {
  reasoningParam: 'none',
  replaysReasoningContent: false,
  keepsCacheControl: false,
  foldsSystemMessages: false,
  useMaxCompletionTokens: false,
  providerMaxOutputTokens: undefined,
};

/** `over`'s fields where set, else `base`'s. */
function applyOptions(base: TranslationProfile, over: TranslationOptionsConfig): TranslationProfile {
  return {
    reasoningParam: over.reasoning?.param ?? base.reasoningParam,
    replaysReasoningContent: over.reasoning?.replay_content ?? base.replaysReasoningContent,
    keepsCacheControl: over.cache_control ?? base.keepsCacheControl,
    foldsSystemMessages: over.system_messages === undefined ? base.foldsSystemMessages : over.system_messages === 'fold',
    useMaxCompletionTokens: over.max_tokens_param === undefined ? base.useMaxCompletionTokens : over.max_tokens_param === 'max_completion_tokens',
    providerMaxOutputTokens: base.providerMaxOutputTokens,
  };
}

function hasOptions(options: TranslationOptionsConfig): boolean {
  return options.reasoning !== undefined || options.cache_control !== undefined || options.system_messages !== undefined || options.max_tokens_param !== undefined;
}

export class TranslationProfiles {
  readonly #byProvider = new Map<string, TranslationProfile>();
  /** Model name → provider name → profile, only for targets that override something. */
  readonly #byTarget = new Map<string, Map<string, TranslationProfile>>();

  constructor(config: Pick<Config, 'providers' | 'models'>) {
    for (const [name, provider] of Object.entries(config.providers)) {
      if (provider.type === 'mock') continue;
      const base = { ...DEFAULT_TRANSLATION_PROFILE, providerMaxOutputTokens: provider.max_output_tokens };
      this.#byProvider.set(name, provider.type === 'anthropic' ? base : applyOptions(base, provider));
    }
    for (const [modelName, model] of Object.entries(config.models)) {
      for (const [providerName, target] of Object.entries(model.providers)) {
        if (typeof target === 'string' || !hasOptions(target)) continue;
        let targets = this.#byTarget.get(modelName);
        if (targets === undefined) this.#byTarget.set(modelName, (targets = new Map()));
        targets.set(providerName, applyOptions(this.of(modelName, providerName), target));
      }
    }
  }

  /** The profile for serving catalogue model `modelName` through `providerName`. */
  of(modelName: string, providerName: string): TranslationProfile {
    return this.#byTarget.get(modelName)?.get(providerName) ?? this.#byProvider.get(providerName) ?? DEFAULT_TRANSLATION_PROFILE;
  }
}
