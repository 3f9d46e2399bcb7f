import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS_PATH, MINIMAL_EXAMPLE, MINIMAL_EXAMPLE_PATH, renderConfigDocs } from '../scripts/gen-config-docs.ts';
import { formatIssue } from '../src/config/config-issue.ts';
import { loadConfig } from '../src/config/load.ts';
import { configJsonSchema } from '../src/config/schema.ts';

describe('docs/config.md', () => {
  it('is what the generator writes from the current schema (run npm run docs:config when this fails)', async () => {
    expect(await readFile(CONFIG_DOCS_PATH, 'utf8')).toBe(renderConfigDocs());
  });

  it('documents every field of every section', () => {
    const docs = renderConfigDocs();
    const schema = configJsonSchema() as { properties: Record<string, { properties?: object; additionalProperties?: unknown }> };
    for (const [section, sectionSchema] of Object.entries(schema.properties)) {
      expect(docs).toContain(`## ${section}\n`);
      const entry = sectionSchema.additionalProperties as { properties?: object; oneOf?: { properties?: object }[] } | undefined;
      const shapes = entry === undefined ? [sectionSchema] : (entry.oneOf ?? [entry]);
      const prefix = entry === undefined ? `${section}.` : `${section}.<name>.`;
      for (const shape of shapes) {
        for (const field of Object.keys(shape.properties ?? {})) expect(docs).toContain(`| \`${prefix}${field}\` |`);
      }
    }
  });

  it('opens with the README proxy example from examples/proxy, which validates', async () => {
    expect(renderConfigDocs()).toContain(`\`\`\`yaml\n${MINIMAL_EXAMPLE}\`\`\``);
    const result = await loadConfig(MINIMAL_EXAMPLE_PATH, { env: {} });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
  });
});
