/**
 * OpenAI chat-completions request → Anthropic Messages request (ai-gateways.md §2.1). Pure: the caller
 * supplies the upstream model name and the model's output limit from the catalogue; `max_tokens` is
 * never a silent small default. Every parameter that is dropped or changed is reported by name (or, in
 * strict mode, rejected as `bad_request`).
 */
import type { TextBlockParam, Tool, ToolChoice, ToolChoiceAny, ToolChoiceAuto, ToolChoiceTool, ToolUnion } from '@anthropic-ai/sdk/resources/messages';
import { isPresent, isRecord } from '../json-values.ts';
import { ParamReport, UnsupportedParamError } from '../param-report.ts';
import type { TranslatedRequest } from '../translator.ts';
import type { AnthropicRequestOut, OpenAiRequestIn } from '../wire-types.ts';
import { convertMessages } from './messages.ts';

export interface OpenAiToAnthropicRequestOptions {
  /** The model name the upstream knows (after alias and provider map). */
  readonly upstreamModel: string;
  /** The model's maximum output tokens: the default for `max_tokens` and its ceiling. */
  readonly maxOutputTokens: number;
  /** Reject dropped or clamped parameters instead of reporting them. */
  readonly strict: boolean;
}


/** Fields this translator maps; any other field a client sets is dropped and reported. */
const HANDLED = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'n',
  'stream', 'stream_options', 'user', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort',
]);

/** reasoning_effort → thinking budget (LiteLLM's buckets, extended for the two larger efforts). */
const THINKING_BUDGET: Readonly<Record<string, number>> = { minimal: 1024, low: 1024, medium: 2048, high: 4096, xhigh: 8192, max: 16384 };
const MIN_THINKING_BUDGET = 1024;

/** Anthropic rejects e-mail addresses in metadata.user_id. */
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function translateOpenAiRequest(body: OpenAiRequestIn, opts: OpenAiToAnthropicRequestOptions): TranslatedRequest<AnthropicRequestOut> {
  const report = new ParamReport(opts.strict);
  for (const [key, value] of Object.entries(body)) {
    if (!HANDLED.has(key) && isPresent(value) && value !== false) report.drop(key);
  }
  if (isPresent(body.n) && body.n > 1) throw new UnsupportedParamError('n', "'n' greater than 1 is not supported by Anthropic upstreams");

  const { system, messages } = convertMessages(Array.isArray(body.messages) ? body.messages : [], report);
  const out: AnthropicRequestOut = { model: opts.upstreamModel, messages, max_tokens: maxTokens(body, opts, report) };
  if (system.length > 0) out.system = system as TextBlockParam[];

  const stop = stopSequences(body.stop, report);
  if (stop.length > 0) out.stop_sequences = stop;
  if (body.stream === true) out.stream = true;

  if (isPresent(body.user) && body.user !== '') {
    if (EMAIL_RE.test(body.user)) report.drop('user');
    else out.metadata = { user_id: body.user };
  }

  const tools = translateTools(body.tools, report);
  if (tools.length > 0) {
    out.tools = tools;
    const choice = translateToolChoice(body.tool_choice, body.parallel_tool_calls, report);
    if (choice !== undefined) out.tool_choice = choice;
  }

  if (isPresent(body.response_format)) {
    const format = body.response_format;
    if (format.type === 'json_schema') {
      out.output_config = { format: { type: 'json_schema', schema: format.json_schema.schema ?? {} } };
    } else if (format.type !== 'text') {
      report.drop('response_format');
    }
  }

  applySampling(out, body, report);
  return { body: out, dropped: report.names };
}

function maxTokens(body: OpenAiRequestIn, opts: OpenAiToAnthropicRequestOptions, report: ParamReport): number {
  const asked = body.max_completion_tokens ?? body.max_tokens;
  if (typeof asked !== 'number' || !Number.isFinite(asked) || asked < 1) return opts.maxOutputTokens;
  if (asked > opts.maxOutputTokens) {
    report.clamp(isPresent(body.max_completion_tokens) ? 'max_completion_tokens' : 'max_tokens');
    return opts.maxOutputTokens;
  }
  return Math.floor(asked);
}

/** Whitespace-only stop strings are rejected by Anthropic: filter them and report it. */
function stopSequences(stop: OpenAiRequestIn['stop'], report: ParamReport): string[] {
  if (!isPresent(stop)) return [];
  const all = typeof stop === 'string' ? [stop] : stop.filter((value): value is string => typeof value === 'string');
  const kept = all.filter((value) => value.trim() !== '');
  if (kept.length !== all.length) report.clamp('stop');
  return kept;
}

function translateTools(tools: OpenAiRequestIn['tools'], report: ParamReport): ToolUnion[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolUnion[] = [];
  for (const tool of tools as unknown[]) {
    if (!isRecord(tool)) continue;
    const fn = tool.function;
    if (tool.type === 'function' && isRecord(fn) && typeof fn.name === 'string') {
      // The schema goes as is: rebuilding it drops additionalProperties, anyOf, … (Portkey's bug).
      const schema = isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} };
      const converted: Tool = { name: fn.name, input_schema: schema as Tool.InputSchema };
      if (typeof fn.description === 'string') converted.description = fn.description;
      if (typeof fn.strict === 'boolean') converted.strict = fn.strict; // Anthropic's strict tool use
      out.push(converted);
    } else if (tool.type === 'custom') {
      report.drop('tools[].custom');
    } else if (typeof tool.type === 'string' && typeof tool.name === 'string') {
      out.push(tool as unknown as ToolUnion); // an Anthropic-native tool (bash_…, web_search_…): as is
    } else {
      report.drop('tools[]');
    }
  }
  return out;
}

function translateToolChoice(choice: OpenAiRequestIn['tool_choice'], parallel: boolean | undefined, report: ParamReport): ToolChoice | undefined {
  const isSerial = parallel === false;
  let out: ToolChoiceAuto | ToolChoiceAny | ToolChoiceTool;
  if (choice === undefined || choice === 'auto') out = { type: 'auto' };
  else if (choice === 'none') return { type: 'none' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice.type === 'function') out = { type: 'tool', name: choice.function.name };
  else if (choice.type === 'allowed_tools') {
    report.drop('tool_choice.allowed_tools');
    out = { type: choice.allowed_tools.mode === 'required' ? 'any' : 'auto' };
  } else {
    report.drop('tool_choice');
    return undefined;
  }
  if (isSerial) out.disable_parallel_tool_use = true;
  // `auto` is Anthropic's default: only send it when it carries the parallel flag or was asked for.
  return choice === undefined && !isSerial ? undefined : out;
}

function applySampling(out: AnthropicRequestOut, body: OpenAiRequestIn, report: ParamReport): void {
  let temperature = body.temperature ?? undefined;
  let topP = body.top_p ?? undefined;
  let topK = body.top_k ?? undefined;

  const effort = body.reasoning_effort;
  const budget = isPresent(effort) ? THINKING_BUDGET[effort] : undefined;
  const choiceType = out.tool_choice?.type;
  if (budget !== undefined) {
    if (out.max_tokens <= MIN_THINKING_BUDGET || choiceType === 'any' || choiceType === 'tool') {
      report.drop('reasoning_effort'); // thinking needs budget < max_tokens and tool_choice auto or none
    } else {
      out.thinking = { type: 'enabled', budget_tokens: Math.min(budget, out.max_tokens - 1) };
      // Extended thinking requires temperature 1 and rejects top_k and a top_p below 0.95.
      if (temperature !== undefined && temperature !== 1) { report.drop('temperature'); temperature = undefined; }
      if (topP !== undefined && topP < 0.95) { report.drop('top_p'); topP = undefined; }
      if (topK !== undefined) { report.drop('top_k'); topK = undefined; }
    }
  } else if (isPresent(effort) && effort !== 'none') {
    report.drop('reasoning_effort');
  }

  if (temperature !== undefined && temperature > 1) {
    report.clamp('temperature'); // OpenAI's range is 0–2, Anthropic's 0–1
    temperature = 1;
  }
  if (temperature !== undefined && topP !== undefined) {
    report.drop('top_p'); // newer Claude models reject both together
    topP = undefined;
  }
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.top_p = topP;
  if (topK !== undefined) out.top_k = topK;
}
