import { LmmrecError } from '../../../util/errors.js';
import type { SourceTexts } from '../inputs.js';
import type { ChatMessage } from '../prompts.js';
import type { Generator } from '../schema.js';

/** Sampling parameters; part of the cache key, so changing one re-extracts. */
export interface Sampling {
  temperature: number;
  maxTokens: number;
  seed?: number;
}

export const DEFAULT_SAMPLING: Sampling = { temperature: 0, maxTokens: 800 };

export interface ChatRequest {
  messages: ChatMessage[];
  /** JSON schema of the answer (from zod), for structured output or a decoding grammar. */
  schema: { name: string; jsonSchema: Record<string, unknown> };
  sampling: Sampling;
  /** The texts behind the prompt; read by providers that do not read prompts (rules). */
  source?: SourceTexts;
}

export interface ChatResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
}

/** One way of answering a prompt with JSON: an OpenAI-compatible server, a local GGUF model, or rules. */
export interface ChatProvider {
  /** Stored with every output: `openai`, `llama-cpp`, `rules`. */
  readonly name: string;
  readonly model: string;
  readonly generator: Generator;
  /**
   * Answers in microseconds at no cost (rules): the runner commits its answers in groups and runs it without
   * concurrency. False for anything slow or paid (a server, a local model), whose answers are committed one by one.
   */
  readonly instant: boolean;
  chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  close?(): Promise<void>;
}

/**
 * A request that failed. `retryable` covers 429, 5xx, timeouts and dropped connections; `fatal` errors
 * (bad key, unknown model) stop the whole run since every further request would fail the same way.
 */
export class ProviderError extends LmmrecError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly details: { status?: number; retryAfterMs?: number; fatal?: boolean } = {},
    options?: { cause?: unknown },
  ) {
    super('LLM', message, options);
    this.name = 'ProviderError';
  }
}
