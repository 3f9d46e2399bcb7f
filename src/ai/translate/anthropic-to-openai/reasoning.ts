/**
 * Claude's thinking settings (`thinking: enabled {budget_tokens} | adaptive | disabled`,
 * `output_config.effort`) → the reasoning switch of an OpenAI-compatible upstream, in the dialect the
 * provider is configured for (`reasoning.param`):
 * - `reasoning_effort` (OpenAI o-series and gpt-5, Gemini 2.5, vLLM gpt-oss): low | medium | high.
 *   An explicit effort wins; else a budget is bucketed (< 2048 low, < 8192 medium, else high, the reverse
 *   of LiteLLM's buckets); adaptive thinking without an effort is medium (OpenAI's own default).
 * - `reasoning` (OpenRouter): `{effort}`, else `{max_tokens: budget}`, else `{enabled: true}` for
 *   adaptive thinking — OpenRouter takes a budget as it is.
 * - `none`: nothing is sent; thinking (unless disabled) and effort are reported as dropped.
 * Claude's efforts above high (`xhigh`, `max`) become high and are reported as clamped.
 */
import type { ReasoningEffort } from 'openai/resources/shared';
import { isPresent } from '../json-values.ts';
import type { ParamReport } from '../param-report.ts';
import type { AnthropicRequestIn, OpenAiRequestOut } from '../wire-types.ts';

/** Where an upstream takes reasoning settings; `none`: it takes none (they are dropped and reported). */
export type ReasoningParam = 'none' | 'reasoning_effort' | 'reasoning';

type Effort = 'low' | 'medium' | 'high';

const EFFORT_PARAM = 'output_config.effort';

/** Claude's efforts → the three every OpenAI-compatible upstream knows; undefined for unknown values. */
const EFFORTS: ReadonlyMap<string, { effort: Effort; isClamped: boolean }> = new Map([
  ['low', { effort: 'low', isClamped: false }],
  ['medium', { effort: 'medium', isClamped: false }],
  ['high', { effort: 'high', isClamped: false }],
  ['xhigh', { effort: 'high', isClamped: true }],
  ['max', { effort: 'high', isClamped: true }],
]);

/** thinking.budget_tokens → effort (the reverse of LiteLLM's low/medium/high buckets). */
export function effortForBudget(budget: number): Effort {
  if (budget < 2048) return 'low';
  if (budget < 8192) return 'medium';
  return 'high';
}

/** What the client asked for, read once: an effort, a thinking budget, or thinking without either. */
interface ReasoningAsk {
  /** The effort, mapped; undefined when absent or unknown. */
  readonly effort: Effort | undefined;
  /** `output_config.effort` as sent is present but not one of Claude's efforts. */
  readonly isEffortUnknown: boolean;
  readonly isEffortClamped: boolean;
  readonly hasEffort: boolean;
  readonly budget: number | undefined;
  readonly isThinking: boolean;
}

function readAsk(body: AnthropicRequestIn): ReasoningAsk {
  const thinking = body.thinking;
  const isThinking = isPresent(thinking) && thinking.type !== 'disabled';
  const budget = isThinking && thinking.type === 'enabled' && typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : undefined;
  const rawEffort = body.output_config?.effort;
  const hasEffort = isPresent(rawEffort);
  const known = typeof rawEffort === 'string' ? EFFORTS.get(rawEffort) : undefined;
  return { effort: known?.effort, isEffortUnknown: hasEffort && known === undefined, isEffortClamped: known?.isClamped === true, hasEffort, budget, isThinking };
}

/** Sets the upstream's reasoning field on `out` from the client's thinking settings, reporting what it cannot carry. */
export function applyReasoning(out: OpenAiRequestOut, body: AnthropicRequestIn, param: ReasoningParam, report: ParamReport): void {
  const ask = readAsk(body);
  if (param === 'none') {
    if (ask.isThinking) report.drop('thinking');
    if (ask.hasEffort) report.drop(EFFORT_PARAM);
    return;
  }
  if (ask.isEffortUnknown) report.drop(EFFORT_PARAM);
  else if (ask.isEffortClamped) report.clamp(EFFORT_PARAM);
  if (param === 'reasoning_effort') {
    const effort: ReasoningEffort | undefined = ask.effort ?? (ask.budget !== undefined ? effortForBudget(ask.budget) : ask.isThinking ? 'medium' : undefined);
    if (effort !== undefined) out.reasoning_effort = effort;
    return;
  }
  if (ask.effort !== undefined) out.reasoning = { effort: ask.effort };
  else if (ask.budget !== undefined) out.reasoning = { max_tokens: ask.budget };
  else if (ask.isThinking) out.reasoning = { enabled: true };
}
