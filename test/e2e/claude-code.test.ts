/**
 * The real Claude Code (`claude -p`, the pinned devDependency) completes tool-using tasks through the real
 * `bin/louailink` against an OpenAI-compatible model: a mock that plays the model (a tool call first, the
 * final answer once the tool result is back) and rejects, as OpenAI would, any request that breaks OpenAI's
 * rules. What Claude Code sends is in docs/ai.md ("Claude Code").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentTurns, startOpenAiMock, text, toolCalls } from '../mock-upstreams/index.ts';
import type { MockUpstream, RecordedRequest } from '../mock-upstreams/index.ts';
import { freePort } from '../helpers/ports.ts';
import { makeClaudeHome, runClaudeCode } from './helpers/claude-code.ts';
import type { ClaudeCodeRun } from './helpers/claude-code.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { startLouailink, stopAll, stopGracefully } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';

const RUN_TIMEOUT_MS = 45_000;
const UPSTREAM_MODEL = 'qwen3-coder';

let mock: MockUpstream;
let dir: ConfigDir;
let gateway: LouailinkProcess;
let baseUrl: string;
const scratch: string[] = [];

beforeAll(async () => {
  mock = await startOpenAiMock({ keys: ['sk-upstream'], validateRequests: true });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  dir = await createConfigDir();
  // Claude Code asks for Anthropic model names: the catalogue maps them (and its default) to the local model.
  await dir.write(`basic: { workers: 1 }
servers:
  main: { listen: 127.0.0.1:${port}, locations: [ai] }
locations:
  ai: { path: /v1, ai: {} }
providers:
  local: { type: openai, base_url: "${mock.url}", keys: [sk-upstream] }
models:
  local-coder:
    aliases: [claude-sonnet-4-5, claude-haiku-4-5, claude-opus-4-8]
    max_output_tokens: 16000
    providers: { local: ${UPSTREAM_MODEL} }
observability:
  access_log: { format: '$request $status', file: logs/access.log }
`);
  gateway = startLouailink(['-c', dir.path]);
  await gateway.waitForLog((line) => line.msg === 'louailink started', 20_000);
}, 30_000);

afterAll(async () => {
  await stopGracefully(gateway);
  await stopAll();
  await mock?.close();
  await dir?.remove();
  await Promise.all(scratch.map((path) => rm(path, { recursive: true, force: true })));
});

beforeEach(() => mock.reset());

async function scratchDir(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'louai-test-claude-wd-'));
  scratch.push(path);
  return path;
}

interface ClaudeResult {
  readonly type: string;
  readonly subtype: string;
  readonly is_error: boolean;
  readonly num_turns: number;
  readonly result: string;
}

async function freshHome(): Promise<string> {
  const home = await makeClaudeHome();
  scratch.push(home);
  return home;
}

async function claude(prompt: string, cwd: string, extraArgs: readonly string[] = [], home?: string): Promise<ClaudeResult> {
  const run: ClaudeCodeRun = await runClaudeCode({
    baseUrl, apiKey: 'sk-client-of-louailink', cwd, home: home ?? (await freshHome()), timeoutMs: RUN_TIMEOUT_MS,
    args: ['-p', prompt, '--output-format', 'json', '--model', 'claude-sonnet-4-5', ...extraArgs],
  });
  const diagnosis = `exit ${String(run.code)}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}\nupstream saw: ${JSON.stringify(mock.requests.map((r) => [r.path, r.status, r.problems]))}`;
  expect(run.code, diagnosis).toBe(0);
  return JSON.parse(run.stdout) as ClaudeResult;
}

/** The access log once `isComplete` says so (the worker writes it asynchronously), or after 10 s. */
async function accessLog(isComplete: (lines: readonly string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await readFile(join(dir.path, 'logs', 'access.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    if (isComplete(found) || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function chatRequests(): RecordedRequest[] {
  return mock.requests.filter((r) => r.path.endsWith('/chat/completions'));
}

type Message = { role: string; content?: unknown; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
type ChatBody = { model: string; messages: Message[]; tools?: { type: string; function: { name: string; parameters: unknown } }[]; stream?: boolean; stream_options?: unknown };

function bodyOf(request: RecordedRequest | undefined): ChatBody {
  if (request === undefined) throw new Error('missing upstream request');
  return request.body as ChatBody;
}

describe('Claude Code through louailink against an OpenAI-compatible model', () => {
  it('writes a file with its Write tool and reports the final answer', async () => {
    const cwd = await scratchDir();
    const path = join(cwd, 'hello.txt');
    mock.respond(agentTurns([
      toolCalls([{ name: 'Write', arguments: [`{"file_path":${JSON.stringify(path)},`, '"content":"Hello from louailink\\n"}'] }]),
      text(['Created ', 'hello.txt.']),
    ]));

    const result = await claude('Create hello.txt containing "Hello from louailink".', cwd, ['--allowedTools', 'Write']);

    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 2, result: 'Created hello.txt.' });
    expect(await readFile(path, 'utf8')).toBe('Hello from louailink\n');
    const requests = chatRequests();
    expect(requests.map((r) => [r.status, r.problems, r.key])).toEqual([[200, [], 'sk-upstream'], [200, [], 'sk-upstream']]);

    const first = bodyOf(requests[0]);
    expect(first).toMatchObject({ model: UPSTREAM_MODEL, stream: true, stream_options: { include_usage: true } });
    expect(first.messages[0]?.role).toBe('system');
    expect(String(first.messages[0]?.content)).toContain('Claude Code');
    expect(first.messages.some((m) => String(m.content).includes('Create hello.txt'))).toBe(true);
    const write = first.tools?.find((t) => t.function.name === 'Write');
    expect(write).toMatchObject({ type: 'function', function: { parameters: { type: 'object', required: ['file_path', 'content'] } } });

    const second = bodyOf(requests[1]).messages;
    const call = second.find((m) => m.role === 'assistant')?.tool_calls?.[0];
    expect(call?.function.name).toBe('Write');
    expect(JSON.parse(call?.function.arguments ?? '{}')).toEqual({ file_path: path, content: 'Hello from louailink\n' });
    const toolMessage = second.find((m) => m.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe(call?.id);
    expect(String(toolMessage?.content)).toContain(path);

    // Its connectivity probe and the beta query string are answered, not turned into errors.
    const log = await accessLog((lines) => lines.filter((line) => line.startsWith('POST ')).length >= 2);
    expect([...log].sort()).toEqual(['HEAD / HTTP/1.1 200', 'POST /v1/messages?beta=true HTTP/1.1 200', 'POST /v1/messages?beta=true HTTP/1.1 200']);
  }, 60_000);

  it('runs two tool calls of one turn (Bash and Write, streamed interleaved, after reasoning) and sends both results back', async () => {
    const cwd = await scratchDir();
    const path = join(cwd, 'notes.txt');
    mock.respond(agentTurns([
      toolCalls([
        { id: 'call_bash', name: 'Bash', arguments: ['{"command":"echo louailink-', 'bash-ok","description":"Print a marker"}'] },
        { id: 'call_write', name: 'Write', arguments: [`{"file_path":${JSON.stringify(path)},`, '"content":"two tools\\n"}'] },
      ], { thinking: { text: ['I will print', ' the marker and write the file.'] }, quirks: { interleaveToolCalls: true } }),
      text('Both done.'),
    ]));

    const result = await claude('Print a marker with echo and write notes.txt.', cwd, ['--allowedTools', 'Write,Bash(echo:*)']);

    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: 'Both done.' });
    expect(await readFile(path, 'utf8')).toBe('two tools\n');
    const requests = chatRequests();
    expect(requests.map((r) => [r.status, r.problems])).toEqual([[200, []], [200, []]]);
    const messages = bodyOf(requests[1]).messages;
    const assistant = messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.map((c) => [c.id, c.function.name])).toEqual([['call_bash', 'Bash'], ['call_write', 'Write']]);
    // Reasoning history is not replayed to an upstream that was not configured to take it back.
    expect(assistant).not.toHaveProperty('reasoning_content');
    const results = new Map(messages.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, String(m.content)]));
    expect(results.get('call_bash')).toContain('louailink-bash-ok');
    expect(results.get('call_write')).toContain(path);
  }, 60_000);

  it('sends the same system prompt for different tasks, so upstream prefix caches can hit', async () => {
    const cwd = await scratchDir();
    const home = await freshHome();
    mock.setScript(text('Hi.'));
    await claude('Say hi.', cwd, [], home);
    await claude('Say something else entirely.', cwd, [], home);
    const systems = chatRequests().map((r) => bodyOf(r).messages[0]);
    expect(systems).toHaveLength(2);
    expect(systems[0]?.role).toBe('system');
    expect(String(systems[0]?.content)).not.toContain('x-anthropic-billing-header');
    expect(systems[1]).toEqual(systems[0]);
  }, 2 * RUN_TIMEOUT_MS);
});
