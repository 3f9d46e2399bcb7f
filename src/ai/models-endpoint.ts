/**
 * `GET …/models` and `GET …/models/{id}`, serialized once per config. Each model object carries both
 * dialects' fields (OpenAI: id, object, created, owned_by; Anthropic: type, id, display_name, created_at)
 * and the list both pagination styles (`object: "list"`; `has_more`, `first_id`, `last_id`), so the
 * OpenAI and the Anthropic SDK read the same body.
 * The list holds the configured model names only (OpenAI lists canonical ids; aliases would show the
 * same model twice). `GET /models/{alias}` still answers, with `id` set to the alias as asked, the same
 * way a completion reports the name the client sent.
 */
import type { Model } from 'openai/resources/models';
import type { CatalogModel, ModelCatalog } from './model-catalog.ts';

interface AnthropicModelFields {
  readonly type: 'model';
  readonly display_name: string;
  /** RFC 3339. */
  readonly created_at: string;
}

/** `owned_by` when a model has no usable provider. */
const DEFAULT_OWNER = 'louailink';

export class ModelsEndpoint {
  /** The JSON body of `GET /models`. */
  readonly listBody: string;
  readonly #bodyById: ReadonlyMap<string, string>;

  constructor(catalog: ModelCatalog, nowMs: number = Date.now()) {
    const created = Math.floor(nowMs / 1000);
    const createdAt = new Date(created * 1000).toISOString();
    const toModel = (id: string, model: CatalogModel): Model & AnthropicModelFields => ({
      id,
      object: 'model',
      created,
      owned_by: model.targets[0]?.providerName ?? DEFAULT_OWNER,
      type: 'model',
      display_name: id,
      created_at: createdAt,
    });
    const names = catalog.models.map((m) => m.name);
    this.listBody = JSON.stringify({
      object: 'list',
      data: catalog.models.map((m) => toModel(m.name, m)),
      has_more: false,
      first_id: names[0] ?? null,
      last_id: names.at(-1) ?? null,
    });
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
