/**
 * The rules an OpenAI-compatible chat endpoint enforces with a 400, as far as a gateway that builds the
 * request can break them: message roles and their pairing (every `tool` message answers a call of the
 * assistant message before it, every call is answered before the conversation goes on), tool definitions
 * (name pattern, parameters a JSON Schema of type object), `tool_choice` and `parallel_tool_calls` only
 * with tools, `stream_options` only when streaming, `max_tokens` or `max_completion_tokens` (not both),
 * at most 4 stop strings, and a `user` of at most 64 characters (OpenAI documents 64 for its successor
 * `safety_identifier`; gateways such as Bifrost cap `user` at 64 for OpenAI). Arguments of replayed tool
 * calls must be JSON strings: no model can continue from anything else.
 */
import type { RequestProblem } from './mock-server.ts';
import { isRecord } from './reply-parts.ts';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_TOOLS = 128;
const MAX_STOP = 4;
const MAX_USER_CHARS = 64;
const SCHEMA_TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** Every problem of a chat-completions request body, in body order (empty when OpenAI would accept it). */
export function checkChatRequest(body: unknown): RequestProblem[] {
  const problems: RequestProblem[] = [];
  const fail = (param: string, message: string): void => {
    problems.push({ param, message });
  };
  if (!isRecord(body)) {
    fail('', 'The request body must be a JSON object.');
    return problems;
  }
  if (typeof body['model'] !== 'string' || body['model'] === '') fail('model', "Missing required parameter: 'model'.");
  checkMessages(body['messages'], fail);
  const toolNames = checkTools(body['tools'], fail);
  checkToolChoice(body, toolNames, fail);
  if (body['stream_options'] !== undefined && body['stream_options'] !== null && body['stream'] !== true) {
    fail('stream_options', "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  }
  if (body['max_tokens'] !== undefined && body['max_completion_tokens'] !== undefined) {
    fail('max_tokens', "Invalid parameter: 'max_tokens' and 'max_completion_tokens' cannot both be set.");
  }
  for (const name of ['max_tokens', 'max_completion_tokens']) {
    const value = body[name];
    if (value !== undefined && value !== null && !(Number.isInteger(value) && Number(value) >= 1)) {
      fail(name, `Invalid '${name}': expected an integer of at least 1.`);
    }
  }
  const stop = body['stop'];
  if (Array.isArray(stop) && (stop.length > MAX_STOP || !stop.every((s) => typeof s === 'string'))) {
    fail('stop', `Invalid 'stop': expected at most ${MAX_STOP} strings.`);
  }
  const user = body['user'];
  if (user !== undefined && (typeof user !== 'string' || user.length > MAX_USER_CHARS)) {
    fail('user', `Invalid 'user': string too long. Expected a string with maximum length ${MAX_USER_CHARS}.`);
  }
  return problems;
}

type Fail = (param: string, message: string) => void;

function isContent(content: unknown, isNullable: boolean): boolean {
  if (typeof content === 'string') return true;
  if (content === null || content === undefined) return isNullable;
  return Array.isArray(content) && content.every((part) => isRecord(part) && typeof part['type'] === 'string');
}

function checkMessages(messages: unknown, fail: Fail): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    fail('messages', "Invalid 'messages': expected a non-empty array.");
    return;
  }
  /** Call ids of the last assistant message that the following tool messages have not answered yet. */
  let pending = new Set<string>();
  let pendingAt = -1;
  messages.forEach((message: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isRecord(message) || typeof message['role'] !== 'string' || !ROLES.has(message['role'])) {
      fail(`${at}.role`, `Invalid '${at}.role': expected one of ${[...ROLES].join(', ')}.`);
      return;
    }
    const role = message['role'];
    if (role !== 'tool' && pending.size > 0) {
      fail(`messages[${pendingAt}]`, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`);
      pending = new Set();
    }
    if (role === 'tool') {
      const id = message['tool_call_id'];
      if (typeof id !== 'string' || !pending.has(id)) {
        fail(`${at}.role`, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
      } else {
        pending.delete(id);
      }
      if (!isContent(message['content'], false)) fail(`${at}.content`, `Invalid '${at}.content': expected a string or an array of text parts.`);
      return;
    }
    if (role === 'assistant') {
      const calls = message['tool_calls'];
      if (!isContent(message['content'], Array.isArray(calls) && calls.length > 0)) {
        fail(`${at}.content`, `Invalid '${at}.content': an assistant message needs content or tool_calls.`);
      }
      if (calls !== undefined) {
        pending = checkToolCalls(calls, at, fail);
        pendingAt = i;
      }
      return;
    }
    if (!isContent(message['content'], false)) fail(`${at}.content`, `Invalid '${at}.content': expected a string or an array of content parts.`);
  });
  if (pending.size > 0) {
    fail(`messages[${pendingAt}]`, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`);
  }
}

function checkToolCalls(calls: unknown, at: string, fail: Fail): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(calls)) {
    fail(`${at}.tool_calls`, `Invalid '${at}.tool_calls': expected an array.`);
    return ids;
  }
  calls.forEach((call: unknown, j) => {
    const path = `${at}.tool_calls[${j}]`;
    const fn = isRecord(call) ? call['function'] : undefined;
    if (!isRecord(call) || typeof call['id'] !== 'string' || call['type'] !== 'function' || !isRecord(fn)) {
      fail(path, `Invalid '${path}': expected {id, type: "function", function: {name, arguments}}.`);
      return;
    }
    ids.add(call['id']);
    if (typeof fn['name'] !== 'string' || !FUNCTION_NAME.test(fn['name'])) {
      fail(`${path}.function.name`, `Invalid '${path}.function.name': string does not match pattern '^[a-zA-Z0-9_-]{1,64}$'.`);
    }
    if (typeof fn['arguments'] !== 'string' || !isJson(fn['arguments'])) {
      fail(`${path}.function.arguments`, `Invalid '${path}.function.arguments': expected a JSON string.`);
    }
  });
  return ids;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function checkTools(tools: unknown, fail: Fail): Set<string> {
  const names = new Set<string>();
  if (tools === undefined || tools === null) return names;
  if (!Array.isArray(tools)) {
    fail('tools', "Invalid 'tools': expected an array.");
    return names;
  }
  if (tools.length > MAX_TOOLS) fail('tools', `Invalid 'tools': array too long. Expected an array with maximum length ${MAX_TOOLS}.`);
  tools.forEach((tool: unknown, i) => {
    const at = `tools[${i}]`;
    const fn = isRecord(tool) ? tool['function'] : undefined;
    if (!isRecord(tool) || tool['type'] !== 'function' || !isRecord(fn)) {
      fail(at, `Invalid '${at}': expected {type: "function", function: {...}}.`);
      return;
    }
    const name = fn['name'];
    if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
      fail(`${at}.function.name`, `Invalid '${at}.function.name': string does not match pattern '^[a-zA-Z0-9_-]{1,64}$'.`);
    } else {
      names.add(name);
    }
    const parameters = fn['parameters'];
    if (parameters === undefined) return;
    if (!isRecord(parameters) || parameters['type'] !== 'object') {
      fail(`${at}.function.parameters`, `Invalid schema for function '${String(name)}': schema must be a JSON Schema of 'type: "object"'.`);
      return;
    }
    for (const problem of checkJsonSchema(parameters, `${at}.function.parameters`)) fail(problem.param, `Invalid schema for function '${String(name)}': ${problem.message}`);
  });
  return names;
}

function checkToolChoice(body: Record<string, unknown>, toolNames: ReadonlySet<string>, fail: Fail): void {
  const hasTools = Array.isArray(body['tools']) && body['tools'].length > 0;
  const choice = body['tool_choice'];
  if (choice !== undefined && choice !== null && !hasTools) fail('tool_choice', "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
  if (body['parallel_tool_calls'] !== undefined && !hasTools) fail('parallel_tool_calls', "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.");
  if (isRecord(choice)) {
    const fn = choice['function'];
    const name = isRecord(fn) ? fn['name'] : undefined;
    if (choice['type'] !== 'function' || typeof name !== 'string' || !toolNames.has(name)) {
      fail('tool_choice', "Invalid 'tool_choice': it must name a function of 'tools'.");
    }
  } else if (choice !== undefined && choice !== null && !['none', 'auto', 'required'].includes(String(choice))) {
    fail('tool_choice', `Invalid 'tool_choice': '${String(choice)}' is not one of none, auto, required.`);
  }
}

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SCHEMA_ONES = ['not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems'];

/**
 * Structural JSON Schema check (draft 2020-12 / draft-07 keywords): every subschema is an object or a
 * boolean, `type` names JSON types, `required` lists strings, `enum` is a non-empty array, composition
 * keywords hold schemas. Not a full meta-schema validation; enough to catch a translation that puts
 * something else where a schema belongs.
 */
export function checkJsonSchema(schema: unknown, path: string): RequestProblem[] {
  const problems: RequestProblem[] = [];
  const visit = (node: unknown, at: string): void => {
    if (typeof node === 'boolean') return;
    if (!isRecord(node)) {
      problems.push({ param: at, message: `${at} is not a schema (an object or a boolean).` });
      return;
    }
    const type = node['type'];
    if (type !== undefined && !(Array.isArray(type) ? type : [type]).every((t) => typeof t === 'string' && SCHEMA_TYPES.has(t))) {
      problems.push({ param: `${at}.type`, message: `${at}.type ${JSON.stringify(type)} is not a JSON type.` });
    }
    const required = node['required'];
    if (required !== undefined && !(Array.isArray(required) && required.every((r) => typeof r === 'string'))) {
      problems.push({ param: `${at}.required`, message: `${at}.required must be an array of strings.` });
    }
    const values = node['enum'];
    if (values !== undefined && !(Array.isArray(values) && values.length > 0)) {
      problems.push({ param: `${at}.enum`, message: `${at}.enum must be a non-empty array.` });
    }
    for (const key of SCHEMA_MAPS) {
      const map = node[key];
      if (map === undefined) continue;
      if (!isRecord(map)) problems.push({ param: `${at}.${key}`, message: `${at}.${key} must be an object of schemas.` });
      else for (const [name, sub] of Object.entries(map)) visit(sub, `${at}.${key}.${name}`);
    }
    for (const key of SCHEMA_LISTS) {
      const list = node[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.length === 0) problems.push({ param: `${at}.${key}`, message: `${at}.${key} must be a non-empty array of schemas.` });
      else list.forEach((sub: unknown, i) => visit(sub, `${at}.${key}[${i}]`));
    }
    for (const key of SCHEMA_ONES) if (node[key] !== undefined) visit(node[key], `${at}.${key}`);
    const items = node['items'];
    if (Array.isArray(items)) items.forEach((sub: unknown, i) => visit(sub, `${at}.items[${i}]`));
    else if (items !== undefined) visit(items, `${at}.items`);
    const additional = node['additionalProperties'];
    if (additional !== undefined) visit(additional, `${at}.additionalProperties`);
  };
  visit(schema, path);
  return problems;
}
