/**
 * Runs both mocks outside a test, for manual checks, Claude Code runs and benchmarks:
 *   node test/mock-upstreams/serve.ts [--openai-port 9100] [--anthropic-port 9200]
 *        [--fragments 3] [--pace-ms 0] [--first-byte-ms 0] [--keys k1,k2]
 * Every request gets a text reply of `--fragments` streamed pieces (when streaming), `--pace-ms` apart.
 * Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startAnthropicMock } from './anthropic-mock.ts';
import { startOpenAiMock } from './openai-mock.ts';
import type { Step } from './script.ts';

const { values } = parseArgs({
  options: {
    'openai-port': { type: 'string', default: '9100' },
    'anthropic-port': { type: 'string', default: '9200' },
    fragments: { type: 'string', default: '3' },
    'pace-ms': { type: 'string', default: '0' },
    'first-byte-ms': { type: 'string', default: '0' },
    keys: { type: 'string' },
  },
});

const fragments = Number(values.fragments);
const step: Step = {
  reply: { text: Array.from({ length: fragments }, (_, i) => (i === 0 ? 'token' : ' token')) },
  paceMs: Number(values['pace-ms']),
  firstByteDelayMs: Number(values['first-byte-ms']),
};
const keys = values.keys?.split(',').filter((k) => k !== '');
const openai = await startOpenAiMock({ port: Number(values['openai-port']), script: step, ...(keys ? { keys } : {}) });
const anthropic = await startAnthropicMock({ port: Number(values['anthropic-port']), script: step, ...(keys ? { keys } : {}) });
process.stdout.write(`openai mock    ${openai.url}\nanthropic mock ${anthropic.url}\n`);

const stop = (): void => {
  void Promise.all([openai.close(), anthropic.close()]).then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
