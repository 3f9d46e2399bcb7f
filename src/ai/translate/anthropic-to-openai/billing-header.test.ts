import { describe, expect, it } from 'vitest';
import { stripBillingHeader } from './billing-header.ts';

const HEADER = 'x-anthropic-billing-header: cc_version=2.1.197.595; cc_entrypoint=sdk-cli;';

describe('stripBillingHeader', () => {
  it("drops Claude Code's attribution block and keeps the other blocks with their cache_control", () => {
    const system = [
      { type: 'text', text: HEADER },
      { type: 'text', text: 'You are a Claude agent.', cache_control: { type: 'ephemeral' } },
    ];
    expect(stripBillingHeader(system)).toEqual([{ type: 'text', text: 'You are a Claude agent.', cache_control: { type: 'ephemeral' } }]);
  });

  it('removes only the header line when it shares a block or a string with the prompt', () => {
    expect(stripBillingHeader(`${HEADER} cch=71fea;\nYou are a Claude agent.`)).toBe('You are a Claude agent.');
    expect(stripBillingHeader([{ type: 'text', text: `${HEADER}\nrest` }])).toEqual([{ type: 'text', text: 'rest' }]);
  });

  it('returns the same value when there is no header (and leaves a mention inside a line alone)', () => {
    const system = [{ type: 'text', text: 'Explain the x-anthropic-billing-header: line.' }];
    expect(stripBillingHeader(system)).toEqual(system);
    const plain = [{ type: 'text', text: 'You are helpful.' }];
    expect(stripBillingHeader(plain)).toBe(plain);
    expect(stripBillingHeader(undefined)).toBeUndefined();
  });
});
