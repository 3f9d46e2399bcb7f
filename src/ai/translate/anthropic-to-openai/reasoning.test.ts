import { describe, expect, it } from 'vitest';
import { ParamReport } from '../param-report.ts';
import type { AnthropicRequestIn, OpenAiRequestOut } from '../wire-types.ts';
import { applyReasoning, effortForBudget, type ReasoningParam } from './reasoning.ts';

function apply(request: Partial<AnthropicRequestIn>, param: ReasoningParam): { out: OpenAiRequestOut; dropped: string[] } {
  const out: OpenAiRequestOut = { model: 'm', messages: [] };
  const report = new ParamReport(false);
  applyReasoning(out, { model: 'c', max_tokens: 10, messages: [], ...request }, param, report);
  return { out, dropped: report.names };
}

describe('applyReasoning', () => {
  it('buckets thinking budgets at 2048 and 8192 tokens', () => {
    expect([1024, 2047, 2048, 8191, 8192, 32000].map(effortForBudget)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });

  it('sends adaptive thinking without an effort as reasoning_effort medium', () => {
    expect(apply({ thinking: { type: 'adaptive' } }, 'reasoning_effort')).toEqual({ out: { model: 'm', messages: [], reasoning_effort: 'medium' }, dropped: [] });
  });

  it('drops an effort it does not know and still maps the thinking budget', () => {
    const effort = 'turbo' as unknown as 'low';
    expect(apply({ thinking: { type: 'enabled', budget_tokens: 4096 }, output_config: { effort } }, 'reasoning_effort'))
      .toEqual({ out: { model: 'm', messages: [], reasoning_effort: 'medium' }, dropped: ['output_config.effort'] });
  });

  it('reports thinking and effort as dropped, in that order, when the upstream takes no reasoning settings', () => {
    expect(apply({ output_config: { effort: 'high' }, thinking: { type: 'adaptive' } }, 'none')).toEqual({ out: { model: 'm', messages: [] }, dropped: ['thinking', 'output_config.effort'] });
  });

  it('sends nothing and reports nothing for disabled thinking', () => {
    for (const param of ['none', 'reasoning_effort', 'reasoning'] as const) {
      expect(apply({ thinking: { type: 'disabled' } }, param)).toEqual({ out: { model: 'm', messages: [] }, dropped: [] });
    }
  });
});
