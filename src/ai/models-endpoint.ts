/**
 * `GET …/models` and `GET …/models/{id}` in OpenAI's shape, serialized once per config.
 * The list holds the configured model names only (OpenAI lists canonical ids; aliases would show the
 * same model twice). `GET /models/{alias}` still answers, with `id` set to the alias as asked, the same
 * way a completion reports the name the client sent.
 */
import type { Model } from 'openai/resources/models';
import type { CatalogModel, ModelCatalog } from './model-catalog.ts';

/** `owned_by` when a model has no usable provider. */
const DEFAULT_OWNER = 'louailink';

export class ModelsEndpoint {
  /** The JSON body of `GET /models`. */
  readonly listBody: string;
  readonly #bodyById: ReadonlyMap<string, string>;

  constructor(catalog: ModelCatalog, nowMs: number = Date.now()) {
    const created = Math.floor(nowMs / 1000);
    const toModel = (id: string, model: CatalogModel): Model => ({
      id,
      object: 'model',
      created,
      owned_by: model.targets[0]?.providerName ?? DEFAULT_OWNER,
    });
    this.listBody = JSON.stringify({ object: 'list', data: catalog.models.map((m) => toModel(m.name, m)) });
    const bodyById = new Map<string, string>();
    for (const model of catalog.models) {
      for (const id of [model.name, ...model.aliases]) {
        const target = catalog.resolve(id);
        if (target !== undefined && !bodyById.has(id)) bodyById.set(id, JSON.stringify(toModel(id, target)));
      }
    }
    this.#bodyById = bodyById;
  }

  /** The JSON body of `GET /models/{id}` for a model name or alias, or undefined when unknown. */
  modelBody(id: string): string | undefined {
    return this.#bodyById.get(id);
  }
}
