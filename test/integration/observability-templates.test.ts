/**
 * The shipped templates stay true: every access-log example validates and compiles, and every metric the
 * Grafana dashboard queries is one the gateway exports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.ts';
import { compileLogFormat } from '../../src/observability/access-log/log-template.ts';
import { GatewayMetrics } from '../../src/observability/gateway-metrics.ts';

const TEMPLATES = resolve(import.meta.dirname, '../../templates');

describe('templates', () => {
  const examples = readdirSync(resolve(TEMPLATES, 'access-log')).filter((f) => f.endsWith('.yaml'));

  it.each(examples)('access-log/%s validates and compiles', (file) => {
    const doc = parse(readFileSync(resolve(TEMPLATES, 'access-log', file), 'utf8')) as Record<string, unknown>;
    const config = configSchema.parse({ ...doc, servers: { s: { listen: '127.0.0.1:1', locations: ['l'] } }, locations: { l: {} } });
    expect(config.observability.access_log.enabled).toBe(true);
    expect(() => compileLogFormat(config.observability.access_log.format)).not.toThrow();
  });

  it('the Grafana dashboard queries only exported metrics', () => {
    const text = readFileSync(resolve(TEMPLATES, 'grafana-dashboard.json'), 'utf8');
    const exported = new Set(new GatewayMetrics().snapshot().flatMap((m) => (m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])));
    const queried = new Set([...text.matchAll(/\b((?:http|upstream|streaming|auth|rate_limit|quota|louailink)_[a-z_]+)\{/g)].map((m) => m[1]));
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) expect(exported, name).toContain(name);
  });
});
