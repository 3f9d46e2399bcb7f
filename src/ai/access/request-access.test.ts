import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/errors.ts';
import { ModelCatalog } from '../model-catalog.ts';
import type { CatalogModel } from '../model-catalog.ts';
import { addBodyRule, checkAiAccess, isModelVisible, modelsListFor, restrictModels } from './request-access.ts';

const catalog = new ModelCatalog(
  {
    models: {
      'gpt-4o-mini': { providers: {}, aliases: ['mini'] },
      sonnet: { providers: {}, aliases: ['claude'] },
      opus: { providers: {} },
    },
  } as unknown as ConstructorParameters<typeof ModelCatalog>[0],
  new Map(),
);

function model(name: string): CatalogModel {
  const found = catalog.resolve(name);
  if (found === undefined) throw new Error(`no model ${name}`);
  return found;
}

const LIST = JSON.stringify({ object: 'list', data: catalog.models.map((m) => ({ id: m.name })), has_more: false, first_id: 'gpt-4o-mini', last_id: 'opus' });

describe('AI request access', () => {
  it('lets a request without rules use and see every model', () => {
    const req = {};
    expect(checkAiAccess(req, { model: 'opus' }, model('opus'))).toBeUndefined();
    expect(isModelVisible(req, model('opus'))).toBe(true);
    expect(modelsListFor(req, LIST, catalog)).toBe(LIST);
  });

  it('allows a model through its name or any alias, in either direction, and refuses others with model_not_allowed', () => {
    const req = {};
    restrictModels(req, new Set(['gpt-4o-mini', 'claude']));
    expect(checkAiAccess(req, {}, model('mini'))).toBeUndefined();
    expect(checkAiAccess(req, {}, model('sonnet'))).toBeUndefined();
    expect(checkAiAccess(req, {}, model('opus'))?.code).toBe('model_not_allowed');
    expect(isModelVisible(req, model('opus'))).toBe(false);
    expect(isModelVisible(req, undefined)).toBe(false);
  });

  it('lists only the allowed models, reusing the filtered body per allowed set', () => {
    const allowed = new Set(['claude']);
    const first = {};
    const second = {};
    restrictModels(first, allowed);
    restrictModels(second, allowed);
    const body = modelsListFor(first, LIST, catalog);
    expect(JSON.parse(body)).toEqual({ object: 'list', data: [{ id: 'sonnet' }], has_more: false, first_id: 'sonnet', last_id: 'sonnet' });
    expect(modelsListFor(second, LIST, catalog)).toBe(body);
  });

  it('runs body rules before the model check and answers the first refusal', () => {
    const req = {};
    restrictModels(req, new Set(['opus']));
    addBodyRule(req, { check: (body) => (body.stream === true ? new GatewayError('forbidden') : undefined) });
    expect(checkAiAccess(req, { stream: true }, model('sonnet'))?.code).toBe('forbidden');
    expect(checkAiAccess(req, { stream: false }, model('sonnet'))?.code).toBe('model_not_allowed');
    expect(checkAiAccess(req, { stream: false }, model('opus'))).toBeUndefined();
  });
});
