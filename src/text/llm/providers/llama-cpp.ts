import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '../../../util/errors.js';
import type { ChatProvider, ChatRequest, ChatResult } from './types.js';

export const LLAMA_CPP_PACKAGE = 'node-llama-cpp@3.21.1';

export interface LlamaCppProviderOptions {
  /** A local GGUF file. */
  modelPath?: string;
  contextSize?: number;
  /** Module loader, replaceable in tests; defaults to a dynamic import of node-llama-cpp. */
  load?: () => Promise<unknown>;
}

/** The slice of node-llama-cpp 3.x this provider uses (it is an optional dependency, so no compile-time types). */
interface LlamaModule {
  getLlama(): Promise<Llama>;
  LlamaChatSession: new (o: { contextSequence: unknown; systemPrompt?: string }) => LlamaSession;
}
interface Llama {
  loadModel(o: { modelPath: string }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: unknown): Promise<unknown>;
}
interface LlamaModel {
  createContext(o: { contextSize?: number }): Promise<{ getSequence(): LlamaSequence; dispose(): Promise<void> }>;
  tokenize(text: string): unknown[];
  dispose(): Promise<void>;
}
interface LlamaSequence { dispose(): void }
interface LlamaSession {
  prompt(text: string, o: { grammar: unknown; temperature: number; maxTokens: number; seed?: number; signal: AbortSignal }): Promise<string>;
  dispose(): void;
}

const MISSING = `the llama-cpp provider needs the optional package node-llama-cpp: install ${LLAMA_CPP_PACKAGE} and pass --model-path <file.gguf>`;

/**
 * A local GGUF model with grammar-constrained JSON (the schema becomes a decoding grammar, so the output always
 * parses). node-llama-cpp is loaded on first use only; one request runs at a time on one context.
 */
export async function createLlamaCppProvider(opts: LlamaCppProviderOptions): Promise<ChatProvider> {
  let mod: LlamaModule;
  try {
    // A computed specifier keeps TypeScript and bundlers from resolving the optional package at build time.
    const specifier = 'node-llama-cpp';
    mod = (await (opts.load ?? (() => import(specifier)))()) as LlamaModule;
  } catch (e) {
    throw new ConfigError(MISSING, { cause: e });
  }
  if (!opts.modelPath) throw new ConfigError(`the llama-cpp provider needs a GGUF model: pass --model-path <file.gguf> (with ${LLAMA_CPP_PACKAGE} installed)`);
  if (!existsSync(opts.modelPath)) throw new ConfigError(`--model-path ${opts.modelPath}: file not found`);
  const llama = await mod.getLlama();
  const model = await llama.loadModel({ modelPath: opts.modelPath });
  const context = await model.createContext({ contextSize: opts.contextSize });
  const grammars = new Map<string, unknown>();
  let queue: Promise<unknown> = Promise.resolve();

  async function run(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const key = JSON.stringify(req.schema.jsonSchema);
    let grammar = grammars.get(key);
    if (!grammar) {
      grammar = await llama.createGrammarForJsonSchema(req.schema.jsonSchema);
      grammars.set(key, grammar);
    }
    const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const turns = req.messages.filter((m) => m.role !== 'system').map((m) => `${m.role === 'assistant' ? 'Previous answer' : 'Input'}:\n${m.content}`);
    const sequence = context.getSequence();
    const session = new mod.LlamaChatSession({ contextSequence: sequence, systemPrompt: system });
    try {
      const userText = turns.join('\n\n');
      const text = await session.prompt(userText, {
        grammar, temperature: req.sampling.temperature, maxTokens: req.sampling.maxTokens, seed: req.sampling.seed, signal,
      });
      return { text, promptTokens: model.tokenize(system + userText).length, completionTokens: model.tokenize(text).length };
    } finally {
      session.dispose();
      sequence.dispose();
    }
  }

  return {
    name: 'llama-cpp',
    model: basename(opts.modelPath),
    generator: 'llm',
    instant: false,
    chat(req, signal) {
      const next = queue.then(() => run(req, signal));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await context.dispose();
      await model.dispose();
    },
  };
}
