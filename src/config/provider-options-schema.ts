/**
 * How a request of an Anthropic client (Claude Code, the Anthropic SDK) is translated for an
 * OpenAI-compatible provider: where Claude's thinking settings go, whether earlier thinking and cache
 * breakpoints are sent back, what happens to mid-conversation system messages, and the name of the
 * token limit. Set per provider (`providers.<name>`) and overridden per model target
 * (`models.<m>.providers.<name>: {model, …}`), field by field. Every field is optional here; the
 * defaults are applied when the config is compiled (src/ai/providers/translation-profile.ts), so an
 * unset target field inherits the provider's. docs/ai.md "Translation options" has a preset per vendor.
 */
import { z } from 'zod';

const reasoningSchema = z
  .strictObject({
    param: z
      .enum(['none', 'reasoning_effort', 'reasoning'])
      .optional()
      .describe(
        'Where Claude `thinking` and `output_config.effort` go: `reasoning_effort` low|medium|high (OpenAI o-series and gpt-5, Gemini 2.5, vLLM gpt-oss), `reasoning` {effort|max_tokens|enabled} (OpenRouter), or `none` (default: dropped and listed in `x-louai-dropped-params`; rejected in strict mode).',
      ),
    replay_content: z
      .boolean()
      .optional()
      .describe('Send earlier thinking back as the assistant message\'s `reasoning_content` (DeepSeek, Kimi thinking with tool calls). Default false: left out.'),
  })
  .describe('Thinking and reasoning settings towards an OpenAI-compatible upstream.');

/** The fields shared by `providers.<name>` (openai, azure-openai) and model targets. */
export const translationOptionFields = {
  reasoning: reasoningSchema.optional(),
  cache_control: z
    .boolean()
    .optional()
    .describe('Keep Anthropic `cache_control` breakpoints on content parts (Claude behind OpenRouter or LiteLLM). Default false: left out, OpenAI has none.'),
  system_messages: z
    .enum(['keep', 'fold'])
    .optional()
    .describe(
      '`keep` (default): system messages stay where the client put them, as OpenAI allows. `fold`: one leading system message; later ones are merged into the adjacent user message (chat templates that accept a system message only first, e.g. some vLLM models).',
    ),
  max_tokens_param: z
    .enum(['max_tokens', 'max_completion_tokens'])
    .optional()
    .describe('The name of the output limit sent upstream. Default `max_tokens`; OpenAI o-series and gpt-5 need `max_completion_tokens`.'),
};

/** `providers.<name>.max_output_tokens`: the default for the provider's models that have none. */
export const providerMaxOutputTokens = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe(
    "Output-token limit of this provider's models that set none themselves (model target, then model, then this). Unset: the client's value goes upstream; a limit the upstream states when it rejects a value is used from then on (docs/ai.md).",
  );

export type TranslationOptionsConfig = {
  readonly [K in keyof typeof translationOptionFields]?: z.output<(typeof translationOptionFields)[K]>;
};
