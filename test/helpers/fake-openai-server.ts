/**
 * A real OpenAI-compatible HTTP server for integration tests: POST /v1/chat/completions and /v1/embeddings on
 * 127.0.0.1 (random port). Scriptable per request: slow answers, 429 with retry-after, 5xx, malformed or
 * truncated JSON, hanging requests; it counts requests and the peak number in flight.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MOTIVATION_CATEGORIES, type MotivationOutput } from '../../src/text/llm/schema.js';
import { sha256 } from '../../src/util/hash.js';
import { createRng } from '../../src/util/rng.js';

export type ChatReply =
  /** A completion. `content` defaults to a valid motivation answer derived from the prompt. */
  | { type: 'answer'; content?: string; delayMs?: number; finishReason?: string }
  /** An HTTP error status with an OpenAI-style error body. */
  | { type: 'status'; status: number; retryAfterSeconds?: number; message?: string; delayMs?: number }
  /** A response body sent as-is (e.g. a cut-off HTTP body). */
  | { type: 'raw'; body: string; status?: number; delayMs?: number }
  /** Never answers; the client's timeout or abort ends it. */
  | { type: 'hang' };

export interface ChatCall {
  /** 0-based arrival order. */
  index: number;
  body: { model?: string; messages?: { role: string; content: string }[]; response_format?: { type: string }; [k: string]: unknown };
  /** Content of the last user message. */
  lastUser: string;
}

/** Return a reply for this call, or undefined for the default answer. */
export type ChatScript = (call: ChatCall) => ChatReply | undefined;

export interface FakeOpenAiOptions {
  chat?: ChatScript;
  /** Delay of every default answer (ms). */
  defaultDelayMs?: number;
  /** Answer 400 to response_format json_schema, like servers without structured output. */
  rejectJsonSchema?: boolean;
  /** Default embedding width when the request gives no `dimensions`. */
  embeddingDim?: number;
}

export interface FakeOpenAiServer {
  /** Base URL including /v1, for the openai SDK's `baseURL`. */
  readonly baseURL: string;
  readonly chatCalls: ChatCall[];
  readonly embeddingCalls: { index: number; body: Record<string, unknown> }[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Replies consumed first, one per request in arrival order, before the script. */
  enqueue(...replies: ChatReply[]): void;
  setChat(script: ChatScript | undefined): void;
  close(): Promise<void>;
}

/** The default answer: valid, deterministic in the prompt text. */
export function fakeAnswer(prompt: string): MotivationOutput {
  const h = sha256(prompt);
  const category = MOTIVATION_CATEGORIES[parseInt(h.slice(0, 2), 16) % MOTIVATION_CATEGORIES.length];
  return {
    reasoning: `fake reasoning ${h.slice(0, 8)}`,
    motivations: [{ motivation: `fake motivation ${h.slice(0, 6)}`, category, strength: 1 + (parseInt(h.slice(2, 4), 16) % 3), evidence: 'fake evidence' }],
    summary: `fake summary ${h.slice(0, 8)}`,
  };
}

/** Deterministic unit vector from the text's hash. */
export function fakeEmbedding(text: string, dim: number): Float32Array {
  const rng = createRng(parseInt(sha256(text).slice(0, 8), 16));
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) { v[i] = rng.normal(); norm += v[i] * v[i]; }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dim; i++) v[i] /= norm;
  return v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export async function startFakeOpenAiServer(opts: FakeOpenAiOptions = {}): Promise<FakeOpenAiServer> {
  const queue: ChatReply[] = [];
  let script = opts.chat;
  const chatCalls: ChatCall[] = [];
  const embeddingCalls: { index: number; body: Record<string, unknown> }[] = [];
  let inFlight = 0, maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number): Promise<void> => new Promise((r) => { const t = setTimeout(() => { timers.delete(t); r(); }, ms); timers.add(t); });

  async function chat(req: IncomingMessage, res: ServerResponse, body: ChatCall['body']): Promise<void> {
    const messages = body.messages ?? [];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const call: ChatCall = { index: chatCalls.length, body, lastUser };
    chatCalls.push(call);
    if (opts.rejectJsonSchema && body.response_format?.type === 'json_schema') {
      sendJson(res, 400, { error: { message: "response_format 'json_schema' is not supported by this server", type: 'invalid_request_error' } });
      return;
    }
    const reply: ChatReply = queue.shift() ?? script?.(call) ?? { type: 'answer', delayMs: opts.defaultDelayMs };
    if (reply.type === 'hang') { await new Promise<void>((r) => res.on('close', () => r())); return; }
    if (reply.delayMs) await wait(reply.delayMs);
    if (res.destroyed) return;
    if (reply.type === 'status') {
      const headers: Record<string, string> = reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {};
      sendJson(res, reply.status, { error: { message: reply.message ?? `fake error ${reply.status}`, type: 'server_error' } }, headers);
      return;
    }
    if (reply.type === 'raw') {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(reply.body);
      return;
    }
    const content = reply.content ?? JSON.stringify(fakeAnswer(messages.map((m) => m.content).join('\n')));
    const promptChars = messages.reduce((n, m) => n + m.content.length, 0);
    sendJson(res, 200, {
      id: `chatcmpl-fake-${call.index}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model ?? 'fake',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: reply.finishReason ?? 'stop' }],
      usage: { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: Math.ceil((promptChars + content.length) / 4) },
    });
  }

  function embeddings(res: ServerResponse, body: Record<string, unknown>): void {
    embeddingCalls.push({ index: embeddingCalls.length, body });
    const inputs = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input ?? '')];
    const dim = typeof body.dimensions === 'number' ? body.dimensions : opts.embeddingDim ?? 16;
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((text, index) => {
      const v = fakeEmbedding(text, dim);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v) };
    });
    const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    sendJson(res, 200, { object: 'list', data, model: body.model ?? 'fake-embed', usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = (): void => { if (counted) { counted = false; inFlight--; } };
    res.on('close', done);
    res.on('finish', done);
    void (async () => {
      try {
        const text = await readBody(req);
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        const path = (req.url ?? '').split('?')[0];
        if (req.method === 'POST' && path === '/v1/chat/completions') await chat(req, res, body as ChatCall['body']);
        else if (req.method === 'POST' && path === '/v1/embeddings') embeddings(res, body);
        else sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      } catch (e) {
        if (!res.headersSent) sendJson(res, 500, { error: { message: (e as Error).message } });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    chatCalls,
    embeddingCalls,
    get inFlight() { return inFlight; },
    get maxInFlight() { return maxInFlight; },
    enqueue: (...replies) => { queue.push(...replies); },
    setChat: (s) => { script = s; },
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
