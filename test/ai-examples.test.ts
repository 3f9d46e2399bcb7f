import { describe, expect, it } from 'vitest';
import { formatIssue } from '../src/config/config-issue.ts';
import { loadConfig } from '../src/config/load.ts';

const ENV_NAMES = [
  'OPENAI_API_KEY', 'OPENAI_API_KEY_2', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'ZHIPU_API_KEY', 'DASHSCOPE_API_KEY',
  'DEEPSEEK_API_KEY', 'ANTHROPIC_API_KEY', 'AZURE_OPENAI_API_KEY',
];

describe('examples/ai', () => {
  it('validates with every provider preset once its keys are in the environment', async () => {
    const env = Object.fromEntries(ENV_NAMES.map((name) => [name, `test-${name.toLowerCase()}`]));
    const result = await loadConfig('examples/ai', { env });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
  });
});
