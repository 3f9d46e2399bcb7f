/**
 * OpenAI-compatible APIs limit function names to 64 characters; Anthropic clients (MCP tools in Claude
 * Code) send longer ones. A long name goes upstream as its first 55 characters + "_" + 8 hex digits of
 * its sha256 (LiteLLM's scheme) and comes back through the reverse map. Deterministic for a given name;
 * collision-free within one request: a short name that would equal another tool's name is re-hashed
 * with a counter until it is unique.
 */
import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME_LENGTH = 64;
const PREFIX_LENGTH = 55;

function shortName(name: string, attempt: number): string {
  const hash = createHash('sha256').update(attempt === 0 ? name : `${name}#${attempt}`).digest('hex').slice(0, 8);
  return `${name.slice(0, PREFIX_LENGTH)}_${hash}`;
}

export class ToolNameMap {
  readonly #toUpstream = new Map<string, string>();
  readonly #toClient = new Map<string, string>();

  /** `names`: every tool name of the request (tool definitions, tool_choice and tool_use history). */
  constructor(names: Iterable<string>) {
    const all = new Set(names);
    const taken = new Set([...all].filter((name) => name.length <= MAX_TOOL_NAME_LENGTH));
    for (const name of [...all].sort()) {
      if (name.length <= MAX_TOOL_NAME_LENGTH) continue;
      let attempt = 0;
      let short = shortName(name, attempt);
      while (taken.has(short)) short = shortName(name, ++attempt);
      taken.add(short);
      this.#toUpstream.set(name, short);
      this.#toClient.set(short, name);
    }
  }

  /** True when at least one name was shortened. */
  get hasShortened(): boolean {
    return this.#toUpstream.size > 0;
  }

  toUpstream(name: string): string {
    return this.#toUpstream.get(name) ?? name;
  }

  toClient(name: string): string {
    return this.#toClient.get(name) ?? name;
  }
}

/** The map for requests whose names all fit (or directions that need none). */
export const IDENTITY_TOOL_NAMES = new ToolNameMap([]);
