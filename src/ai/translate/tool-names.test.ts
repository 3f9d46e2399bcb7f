import { describe, expect, it } from 'vitest';
import { MAX_TOOL_NAME_LENGTH, ToolNameMap } from './tool-names.ts';

const LONG = 'mcp__playwright_browser_automation__browser_navigate_to_url_and_wait_for_network_idle';

describe('ToolNameMap', () => {
  it('leaves names of up to 64 characters alone', () => {
    const name = 'x'.repeat(MAX_TOOL_NAME_LENGTH);
    const map = new ToolNameMap([name, 'Bash']);
    expect(map.toUpstream(name)).toBe(name);
    expect(map.hasShortened).toBe(false);
  });

  it('shortens a long name to a 55-character prefix, "_" and 8 hex digits of its sha256, and restores it', () => {
    const map = new ToolNameMap([LONG]);
    const short = map.toUpstream(LONG);
    expect(short).toBe('mcp__playwright_browser_automation__browser_navigate_to_3076ae4c');
    expect(map.toClient(short)).toBe(LONG);
  });

  it('gives the same short name in every request (deterministic)', () => {
    expect(new ToolNameMap([LONG, 'a']).toUpstream(LONG)).toBe(new ToolNameMap(['b', LONG]).toUpstream(LONG));
  });

  it('keeps names with the same 55-character prefix apart', () => {
    const other = `${LONG}_v2`;
    const map = new ToolNameMap([LONG, other]);
    expect(map.toUpstream(LONG)).not.toBe(map.toUpstream(other));
    expect(map.toClient(map.toUpstream(other))).toBe(other);
  });

  it('re-hashes when a short name would equal another tool\'s real name', () => {
    const map = new ToolNameMap([LONG, 'mcp__playwright_browser_automation__browser_navigate_to_3076ae4c']);
    const short = map.toUpstream(LONG);
    expect(short).not.toBe('mcp__playwright_browser_automation__browser_navigate_to_3076ae4c');
    expect(short).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(map.toClient(short)).toBe(LONG);
    expect(map.toClient('mcp__playwright_browser_automation__browser_navigate_to_3076ae4c')).toBe('mcp__playwright_browser_automation__browser_navigate_to_3076ae4c');
  });

  it('passes unknown names through in both directions', () => {
    const map = new ToolNameMap([LONG]);
    expect(map.toClient('other')).toBe('other');
    expect(map.toUpstream('other')).toBe('other');
  });
});
