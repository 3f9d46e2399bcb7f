import { describe, expect, it } from 'vitest';
import { diffConfig, formatConfigDiff } from './diff.ts';
import { configSchema } from './schema.ts';
import type { ConfigInput } from './schema.ts';

const base = (): ConfigInput => ({
  servers: { main: { listen: '127.0.0.1:8080', locations: ['a', 'b'] } },
  locations: { a: { path: '/a', upstream: 'up' }, b: { path: '/b', upstream: 'up' } },
  upstreams: { up: { targets: ['127.0.0.1:9000'] } },
});

const parse = (input: ConfigInput) => configSchema.parse(input);

describe('diffConfig', () => {
  it('names added, removed and changed entries per section', () => {
    const next = base();
    next.locations = { a: { path: '/a2', upstream: 'up' }, c: { path: '/c', upstream: 'up' } };
    const diff = diffConfig(parse(base()), parse(next));
    expect(diff.sections).toEqual([{ section: 'locations', added: ['c'], removed: ['b'], changed: ['a'] }]);
    expect(formatConfigDiff(diff)).toBe('locations +c -b ~a');
  });

  it('reports no section when only the order of keys differs', () => {
    const reordered: ConfigInput = { upstreams: base().upstreams, locations: { b: base().locations?.['b'], a: base().locations?.['a'] } as ConfigInput['locations'], servers: base().servers };
    expect(diffConfig(parse(base()), parse(reordered)).sections).toEqual([]);
  });

  it('names the changed fields of basic, never their values', () => {
    const next = { ...base(), basic: { workers: 3, name: 'secret-name' } };
    const diff = diffConfig(parse(base()), parse(next));
    expect(diff.sections).toEqual([{ section: 'basic', added: [], removed: [], changed: ['name', 'workers'] }]);
    expect(JSON.stringify(diff)).not.toContain('secret-name');
  });

  it('never includes a secret value of a changed entry', () => {
    const before = { ...base(), notifications: { ops: { url: 'https://hooks.example/T0KEN-OLD' } } };
    const after = { ...base(), notifications: { ops: { url: 'https://hooks.example/T0KEN-NEW' } } };
    const diff = diffConfig(parse(before), parse(after));
    expect(diff.sections).toEqual([{ section: 'notifications', added: [], removed: [], changed: ['ops'] }]);
    expect(JSON.stringify(diff)).not.toMatch(/T0KEN/);
  });
});
